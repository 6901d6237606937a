import type { ProbeHint, Sample } from '../../core/types.ts';
import type { SampleDraft } from './repetition.ts';

/** The probe facts attribution needs (a subset of bpf/session.ts's ProbeReport). */
export interface ProbeFacts {
  hints: ProbeHint[];
  majorFaults: { pid: number; comm: string; count: number }[];
  eintr: { pid: number; count: number }[];
  stalls: { tid: number; state: 'traced' | 'stopped'; startNs: number; durationNs: number }[];
}

/** Options of attribute(). */
export interface AttributeOptions {
  /** Thread name the workload uses during its re-touch phase. */
  retouchComm: string;
  /** Whether the scenario's mechanism can stop the target (ptrace): only then is a stall expected. */
  measureStall: boolean;
}

/**
 * Fills a draft's probe figures from what the probes saw: the hint syscalls of the draft's
 * syscall thread that entered inside its hint window (kernel latency and reclaimed pages
 * summed over them), the workload's major faults under its re-touch thread name, and the
 * ptrace stops (TASK_TRACED, not job-control stops) of the target's threads that began
 * inside the hint window. Returns the
 * sample and warnings (a probe that missed syscalls is a warning, not a silent zero).
 */
export function attribute(draft: SampleDraft, facts: ProbeFacts, opts: AttributeOptions): { sample: Sample; warnings: string[] } {
  const sample: Sample = { ...draft.sample, errors: [...draft.sample.errors] };
  const warnings: string[] = [];
  const { fromNs, toNs } = draft.hintWindow;
  if (sample.syscalls > 0) {
    const hints = facts.hints.filter((h) => h.tid === draft.syscallTid && h.enterNs >= fromNs && h.enterNs <= toNs);
    sample.probeSyscalls = hints.length;
    if (hints.length > 0) {
      sample.kernelLatencyNs = hints.reduce((s, h) => s + h.latencyNs, 0);
      sample.reclaimedPages = hints.reduce((s, h) => s + h.reclaimedPages, 0);
    }
    if (hints.length !== sample.syscalls) {
      warnings.push(`repetition ${sample.repetition}: the probe saw ${hints.length} of ${sample.syscalls} hint syscalls of tid ${draft.syscallTid}`);
    }
  }
  const faults = facts.majorFaults.find((f) => f.pid === sample.pid && f.comm === opts.retouchComm);
  sample.retouchMajorFaultsProbe = faults?.count ?? 0;
  sample.targetEintr = facts.eintr.find((e) => e.pid === sample.pid)?.count ?? 0;
  if (opts.measureStall) {
    const tids = new Set(draft.targetTids);
    sample.stallNs = facts.stalls.filter((s) => s.state === 'traced' && tids.has(s.tid) && s.startNs >= fromNs && s.startNs <= toNs).reduce((s, x) => s + x.durationNs, 0);
  }
  return { sample, warnings };
}
