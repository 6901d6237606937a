/**
 * Attribution of the probe's hint records to the repetitions of a live hint, in one pass:
 * repetitions are timed windows in increasing order, records are sorted by enter time, so a
 * sweep matches them in time linear in both (a filter per repetition would be quadratic).
 */
import type { ProbeHint } from '../../core/types.ts';

/** The hint windows of one live hint: one per repetition, in time order, in typed arrays. */
export class HintWindows {
  private readonly fromNs: Float64Array;
  private readonly toNs: Float64Array;
  private readonly tids: Int32Array;
  private readonly syscalls: Uint32Array;
  /** Windows recorded so far. */
  length = 0;

  /** Room for `capacity` repetitions. */
  constructor(capacity: number) {
    this.fromNs = new Float64Array(capacity);
    this.toNs = new Float64Array(capacity);
    this.tids = new Int32Array(capacity);
    this.syscalls = new Uint32Array(capacity);
  }

  /** Records one repetition: its window [fromNs, toNs] (CLOCK_MONOTONIC), the thread that made its syscalls and how many. */
  add(fromNs: number, toNs: number, tid: number, syscalls: number): void {
    const i = this.length++;
    this.fromNs[i] = fromNs;
    this.toNs[i] = toNs;
    this.tids[i] = tid;
    this.syscalls[i] = syscalls;
  }

  /** Window `i`. */
  at(i: number): { fromNs: number; toNs: number; tid: number; syscalls: number } {
    return { fromNs: this.fromNs[i]!, toNs: this.toNs[i]!, tid: this.tids[i]!, syscalls: this.syscalls[i]! };
  }
}

/** Kernel-side figures of a live hint. */
export interface KernelFigures {
  /** Pages reclaimed by the first repetition's syscalls, or null when the probe did not record all of them. */
  reclaimedPages: number | null;
  /** Kernel-side latency (sum over a repetition's syscalls) of every completely recorded repetition, in ns. */
  latenciesNs: number[];
  /** Why some repetitions have no kernel-side figures, or [] when all have them. */
  notes: string[];
}

/**
 * Matches `hints` (sorted by enterNs) to `windows`: a record belongs to a repetition when its
 * tid is the repetition's syscall thread and it entered inside the window. A repetition
 * counts only when the probe recorded as many syscalls as the mechanism made; the others are
 * reported in `notes`, with the probe's own count of calls (`probeCalls`, undefined when
 * bpftrace printed no map) when its map overflowed.
 */
export function kernelFigures(windows: HintWindows, hints: readonly ProbeHint[], probeCalls?: number): KernelFigures {
  const latenciesNs: number[] = [];
  let reclaimedPages: number | null = null;
  let j = 0;
  for (let i = 0; i < windows.length; i++) {
    const w = windows.at(i);
    while (j < hints.length && hints[j]!.enterNs < w.fromNs) j++;
    let seen = 0;
    let latencyNs = 0;
    let reclaimed = 0;
    for (; j < hints.length && hints[j]!.enterNs <= w.toNs; j++) {
      const h = hints[j]!;
      if (h.tid !== w.tid) continue;
      seen += 1;
      latencyNs += h.latencyNs;
      reclaimed += h.reclaimedPages;
    }
    if (seen !== w.syscalls) continue;
    latenciesNs.push(latencyNs);
    if (i === 0) reclaimedPages = reclaimed;
  }
  const notes: string[] = [];
  if (latenciesNs.length < windows.length) {
    const why =
      probeCalls === undefined
        ? 'bpftrace printed no hint map: it ended before a clean exit'
        : probeCalls > hints.length
          ? `the probe's map was full: it kept ${hints.length} of the ${probeCalls} hint syscalls it saw`
          : 'the probe did not record every syscall of the others';
    notes.push(`kernel-side figures cover ${latenciesNs.length} of ${windows.length} hints (${why})`);
  }
  return { reclaimedPages, latenciesNs, notes };
}
