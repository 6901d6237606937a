/**
 * Attribution: what the probes saw, turned into the figures of each hint. The one place that
 * says which probe records belong to a hint; the suite runner, `hintbench hint` and the
 * benchmarks all call attribute(). The definitions are those of core/metrics.ts:
 *
 * - a hint's system calls are the probe records of its calling thread (`tid`) that entered
 *   the kernel inside its window [fromNs, toNs] (both CLOCK_MONOTONIC: process.hrtime and
 *   bpftrace's nsecs); kernelLatencyNs and reclaimedPages sum over them, and are null unless
 *   the probe recorded as many calls as the mechanism made (a partial sum would understate
 *   them): such a hint gets a warning naming it, never a silent figure;
 * - stallNs sums the ptrace stops (TASK_TRACED) of the target's threads that began inside
 *   the window, each counted whole (the target pays for the stop even when it is switched in
 *   again after the caller's clock stopped); job-control stops are the target state, not the
 *   hint's doing;
 * - retouchMajorFaultsProbe counts the target's major faults under the thread name of its
 *   re-touch phase, targetEintr the system calls of the target that returned EINTR.
 */
import type { ProbeFacts, ProbeHint, ProbeStall } from './types.ts';

/** One hint: its time window, the thread that made its system calls and how many it made. */
export interface AttributionWindow {
  /** What it is, for warnings: `repetition 3`, `hint 17`. */
  label: string;
  /** CLOCK_MONOTONIC ns just before the hint was delivered. */
  fromNs: number;
  /** CLOCK_MONOTONIC ns just after. */
  toNs: number;
  /** Thread whose system calls carry the hint (the caller for process_madvise, the target's thread for ptrace). */
  tid: number;
  /** Hint system calls the mechanism reported. */
  syscalls: number;
  /** The target, when its stalls, re-touch faults and EINTRs are attributed too. */
  target?: {
    pid: number;
    /** Its threads (stalls are counted for these). */
    tids: readonly number[];
    /** Thread name of its re-touch phase (major faults are counted under it). */
    retouchComm: string;
    /** Whether the mechanism can stop the target (ptrace): only then is stallNs measured. */
    measureStall: boolean;
  };
}

/** The probe figures of one hint (null: not measured, or not measured completely). */
export interface Attribution {
  /** Hint system calls of `tid` the probe recorded in the window; null when the mechanism made none. */
  probeSyscalls: number | null;
  kernelLatencyNs: number | null;
  reclaimedPages: number | null;
  stallNs: number | null;
  retouchMajorFaultsProbe: number | null;
  targetEintr: number | null;
}

/** Most incomplete hints named one by one in the warnings; the rest are counted. */
const NAMED_INCOMPLETE_MAX = 10;

/** Index of the first hint (sorted by enterNs) that entered at or after `fromNs`. */
function firstAtOrAfter(hints: readonly ProbeHint[], fromNs: number): number {
  let lo = 0;
  let hi = hints.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (hints[mid]!.enterNs < fromNs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** True when `hints` is sorted by enter time. */
function sortedByEnter(hints: readonly ProbeHint[]): boolean {
  for (let i = 1; i < hints.length; i++) if (hints[i]!.enterNs < hints[i - 1]!.enterNs) return false;
  return true;
}

/** The hint records of thread `tid` that entered the kernel within [fromNs, toNs] (inclusive), in enter order. */
export function hintsInWindow(hints: readonly ProbeHint[], tid: number, fromNs: number | bigint, toNs: number | bigint): ProbeHint[] {
  const from = Number(fromNs);
  const to = Number(toNs);
  return hints.filter((h) => h.tid === tid && h.enterNs >= from && h.enterNs <= to);
}

/** Major faults of process `pid` under thread name `comm`, or under every name when comm is omitted. */
export function majorFaultsOf(facts: Pick<ProbeFacts, 'majorFaults'>, pid: number, comm?: string): number {
  return facts.majorFaults.filter((f) => f.pid === pid && (comm === undefined || f.comm === comm)).reduce((s, f) => s + f.count, 0);
}

/** Time threads `tids` spent in ptrace stops that began within [fromNs, toNs], each stop counted whole, in ns. */
export function tracedStallNs(stalls: readonly ProbeStall[], tids: readonly number[], fromNs: number, toNs: number): number {
  const want = new Set(tids);
  let total = 0;
  for (const s of stalls) if (s.state === 'traced' && want.has(s.tid) && s.startNs >= fromNs && s.startNs <= toNs) total += s.durationNs;
  return total;
}

/**
 * The probe figures of every window, and the warnings a reader must see: each hint whose
 * system calls the probe did not all record (the first ten by name), and why, when the
 * probe's own count tells. Windows may come in any order and overlap; time is
 * O(windows x log(records) + records matched).
 */
export function attribute(facts: ProbeFacts, windows: readonly AttributionWindow[]): { figures: Attribution[]; warnings: string[] } {
  const hints = sortedByEnter(facts.hints) ? facts.hints : [...facts.hints].sort((a, b) => a.enterNs - b.enterNs);
  const incomplete: string[] = [];
  let expected = 0;
  const figures = windows.map((w): Attribution => {
    const a: Attribution = { probeSyscalls: null, kernelLatencyNs: null, reclaimedPages: null, stallNs: null, retouchMajorFaultsProbe: null, targetEintr: null };
    if (w.syscalls > 0) {
      expected += 1;
      let seen = 0;
      let latencyNs = 0;
      let reclaimed = 0;
      for (let j = firstAtOrAfter(hints, w.fromNs); j < hints.length && hints[j]!.enterNs <= w.toNs; j++) {
        const h = hints[j]!;
        if (h.tid !== w.tid) continue;
        seen += 1;
        latencyNs += h.latencyNs;
        reclaimed += h.reclaimedPages;
      }
      a.probeSyscalls = seen;
      if (seen === w.syscalls) {
        a.kernelLatencyNs = latencyNs;
        a.reclaimedPages = reclaimed;
      } else {
        incomplete.push(`${w.label}: the probe saw ${seen} of ${w.syscalls} hint syscalls of tid ${w.tid}`);
      }
    }
    if (w.target !== undefined) {
      a.retouchMajorFaultsProbe = majorFaultsOf(facts, w.target.pid, w.target.retouchComm);
      a.targetEintr = facts.eintr.find((e) => e.pid === w.target!.pid)?.count ?? 0;
      if (w.target.measureStall) a.stallNs = tracedStallNs(facts.stalls, w.target.tids, w.fromNs, w.toNs);
    }
    return a;
  });
  const warnings = incomplete.slice(0, NAMED_INCOMPLETE_MAX);
  if (incomplete.length > NAMED_INCOMPLETE_MAX) warnings.push(`... and ${incomplete.length - NAMED_INCOMPLETE_MAX} more hints the probe did not record completely`);
  if (incomplete.length > 0) {
    const why =
      facts.hintCalls === undefined
        ? 'bpftrace printed no hint map: it ended before a clean exit, or the session ran without hint-latency-batch'
        : facts.hintCalls > facts.hints.length
          ? `the probe's map was full: it kept ${facts.hints.length} of the ${facts.hintCalls} hint syscalls it saw`
          : 'the probe did not record every syscall (see the probe warnings)';
    warnings.push(`kernel-side figures (kernelLatencyNs, reclaimedPages) cover ${expected - incomplete.length} of ${expected} hints: ${why}`);
  }
  return { figures, warnings };
}
