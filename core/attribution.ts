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
 *   re-touch phase, targetEintr the system calls of the target that returned EINTR;
 * - the explanation figures (explainOf()) are keyed like the hints, by the hinting thread
 *   and the enter time of each of its system calls: TLB flushes and IPIs per call summed over
 *   the calls that entered inside the window, the calling thread's CPU, migrations,
 *   preemptions and off-CPU time likewise (null unless hint-sched recorded every call), and
 *   the re-touch's major-fault latency histogram of the target process (its pid is fresh for
 *   every sample). A figure is null when its probe did not run in the session.
 */
import type { ExplainSource, HintEventCount, HintSchedRecord, ProbeFacts, ProbeHint, ProbeStall, RefaultLatency } from './types.ts';

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
  /** TLB flushes, IPIs, CPU placement and refault latency (see explainOf()). */
  explain: ExplainFigures;
}

/** tlb_flush reasons of hint-tlb.bt (the kernel's enum tlb_flush_reason). */
export const TLB_REASON = { remoteShootdown: 1, localShootdown: 2, localMmShootdown: 3, remoteSendIpi: 4, remoteWrongCpu: 5 } as const;
/** Event kinds of hint-ipi.bt. */
export const IPI_KIND = { sendCpu: 1, sendCpumask: 2, callFunction: 3, callFunctionSingle: 4 } as const;

/** The explanation figures of one hint; each null when its probe did not run (or, for the sched ones, missed a call). */
export interface ExplainFigures {
  tlbRemoteIpiSends: number | null;
  tlbRemoteShootdowns: number | null;
  tlbRemoteWrongCpu: number | null;
  tlbLocalShootdowns: number | null;
  tlbLocalMmShootdowns: number | null;
  ipiSends: number | null;
  callFunctionIrqs: number | null;
  callerCpu: number | null;
  callerMigrations: number | null;
  callerSwitches: number | null;
  callerPreemptions: number | null;
  callerOffCpuNs: number | null;
  refaultsTimed: number | null;
  refaultLatencyMeanNs: number | null;
  refaultLatencyLog2Hist: number[] | null;
}

/** Explanation figures when nothing was measured. */
export function noExplain(): ExplainFigures {
  return {
    tlbRemoteIpiSends: null,
    tlbRemoteShootdowns: null,
    tlbRemoteWrongCpu: null,
    tlbLocalShootdowns: null,
    tlbLocalMmShootdowns: null,
    ipiSends: null,
    callFunctionIrqs: null,
    callerCpu: null,
    callerMigrations: null,
    callerSwitches: null,
    callerPreemptions: null,
    callerOffCpuNs: null,
    refaultsTimed: null,
    refaultLatencyMeanNs: null,
    refaultLatencyLog2Hist: null,
  };
}

/** Records of thread `tid` whose system call entered within [fromNs, toNs] (inclusive). */
function callsInWindow<T extends { tid: number; enterNs: number }>(records: readonly T[], tid: number, fromNs: number, toNs: number): T[] {
  return records.filter((r) => r.tid === tid && r.enterNs >= fromNs && r.enterNs <= toNs);
}

/** Sum of the event counts of `source` whose kind is one of `kinds`. */
function countOf(events: readonly HintEventCount[], source: HintEventCount['source'], kinds: readonly number[]): number {
  return events.filter((e) => e.source === source && kinds.includes(e.kind)).reduce((s, e) => s + e.count, 0);
}

/**
 * The explanation figures of one window. `sources` are the probes that ran. The TLB and IPI
 * counts sum the window's calls (0 when a call saw no event); the sched figures come from
 * hint-sched's per-call records and are null unless there is one for each of the window's
 * `syscalls` calls; the refault figures are those of the target process `targetPid`.
 */
export function explainOf(
  facts: Pick<ProbeFacts, 'hintEvents' | 'hintSched' | 'refaultLatency'>,
  sources: readonly ExplainSource[],
  w: { tid: number; fromNs: number; toNs: number; syscalls: number },
  targetPid: number | null,
): ExplainFigures {
  const out = noExplain();
  if (w.syscalls > 0) {
    const events = callsInWindow(facts.hintEvents ?? [], w.tid, w.fromNs, w.toNs);
    if (sources.includes('tlb')) {
      out.tlbRemoteIpiSends = countOf(events, 'tlb', [TLB_REASON.remoteSendIpi]);
      out.tlbRemoteShootdowns = countOf(events, 'tlb', [TLB_REASON.remoteShootdown]);
      out.tlbRemoteWrongCpu = countOf(events, 'tlb', [TLB_REASON.remoteWrongCpu]);
      out.tlbLocalShootdowns = countOf(events, 'tlb', [TLB_REASON.localShootdown]);
      out.tlbLocalMmShootdowns = countOf(events, 'tlb', [TLB_REASON.localMmShootdown]);
    }
    if (sources.includes('ipi')) {
      out.ipiSends = countOf(events, 'ipi', [IPI_KIND.sendCpu, IPI_KIND.sendCpumask]);
      out.callFunctionIrqs = countOf(events, 'ipi', [IPI_KIND.callFunction, IPI_KIND.callFunctionSingle]);
    }
    const sched: HintSchedRecord[] = callsInWindow(facts.hintSched ?? [], w.tid, w.fromNs, w.toNs).sort((a, b) => a.enterNs - b.enterNs);
    if (sources.includes('sched') && sched.length === w.syscalls) {
      out.callerCpu = sched[0]!.cpuEnter;
      out.callerMigrations = sched.reduce((s, r) => s + r.migrations, 0);
      out.callerSwitches = sched.reduce((s, r) => s + r.switches, 0);
      out.callerPreemptions = sched.reduce((s, r) => s + r.preemptions, 0);
      out.callerOffCpuNs = sched.reduce((s, r) => s + r.offCpuNs, 0);
    }
  }
  if (targetPid !== null && sources.includes('refault-latency')) {
    const rows: RefaultLatency[] = (facts.refaultLatency ?? []).filter((r) => r.pid === targetPid);
    const hist: number[] = [];
    for (const r of rows) {
      for (const [i, c] of r.log2Buckets.entries()) hist[i] = (hist[i] ?? 0) + c;
    }
    const n = rows.reduce((s, r) => s + r.count, 0);
    const sumNs = rows.reduce((s, r) => s + r.sumNs, 0);
    out.refaultsTimed = n;
    out.refaultLatencyMeanNs = n > 0 ? sumNs / n : null;
    out.refaultLatencyLog2Hist = Array.from(hist, (c) => c ?? 0);
  }
  return out;
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
  const schedIncomplete: string[] = [];
  const sources = facts.explainSources ?? [];
  let expected = 0;
  const figures = windows.map((w): Attribution => {
    const a: Attribution = {
      probeSyscalls: null,
      kernelLatencyNs: null,
      reclaimedPages: null,
      stallNs: null,
      retouchMajorFaultsProbe: null,
      targetEintr: null,
      explain: explainOf(facts, sources, w, w.target?.pid ?? null),
    };
    if (sources.includes('sched') && w.syscalls > 0 && a.explain.callerCpu === null) {
      schedIncomplete.push(
        `${w.label}: hint-sched recorded ${callsInWindow(facts.hintSched ?? [], w.tid, w.fromNs, w.toNs).length} of ${w.syscalls} hint syscalls of tid ${w.tid}`,
      );
    }
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
  const warnings: string[] = [];
  if (schedIncomplete.length > 0) {
    warnings.push(
      `caller CPU figures (callerCpu, callerMigrations, callerSwitches, callerPreemptions, callerOffCpuNs) are null for ${schedIncomplete.length} hint(s): ${schedIncomplete.slice(0, NAMED_INCOMPLETE_MAX).join('; ')}`,
    );
  }
  warnings.push(...incomplete.slice(0, NAMED_INCOMPLETE_MAX));
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
