/**
 * A sample in the making, shared by every scenario family's repetition: the draft the runner
 * attributes probe figures to, where the repetition sits, a sample with nothing measured yet,
 * and how a mechanism's outcome and the workload's verification are recorded in it.
 */
import { sumSchedstat } from '../../core/proc/tasks.ts';
import { noCounters } from '../../core/proc/sample-counters.ts';
import { noExplain } from '../../core/attribution.ts';
import { familyNulls } from '../../core/metrics.ts';
import type { HintOutcome, Sample, Scenario } from '../../core/types.ts';

/** A time window on CLOCK_MONOTONIC (the clock of process.hrtime and bpftrace's nsecs), in ns. */
export interface Window {
  fromNs: number;
  toNs: number;
}

/** A sample before the probe figures are attributed, with what attribution needs. */
export interface SampleDraft {
  sample: Sample;
  /** Window around the hint delivery. */
  hintWindow: Window;
  /** Thread whose syscalls carried the hint. */
  syscallTid: number;
  /** Threads of the target (for stall attribution). */
  targetTids: number[];
  /** Hint syscalls the probe must find under syscallTid; default sample.syscalls (0 when they ran in many threads, e.g. a fleet's injections). */
  attributedSyscalls?: number;
  /** Pages kswapd and direct reclaim stole system-wide from the hint to the end of the re-touch (/proc/vmstat): reclaim by others. */
  backgroundReclaimPages: number;
  /** Pressure family: the pressure phase (`fromNs` the instant the pressure began; timeline tMs count from it); null in hint samples. */
  pressureWindow: Window | null;
}

/** Where a repetition sits in the run. */
export interface RepetitionPlace {
  /** Index of the sample within its scenario's samples. */
  repetition: number;
  /** The warm-up repetition. */
  warmUp: boolean;
  /** Block index (-1 for the warm-up). */
  block: number;
}

/** Sum of on-CPU time of all threads of `pid`, in ns (schedstat; lags up to a tick for a running thread). */
export function targetCpuNs(pid: number, tids: number[]): number {
  return sumSchedstat(pid, tids).runNs;
}

/** CLOCK_MONOTONIC now, in ns. */
export function nowNs(): number {
  return Number(process.hrtime.bigint());
}

/** A sample of `pid` with nothing measured yet: every figure 0 or null, every family field null. */
export function newSample(place: RepetitionPlace, pid: number, bytesRequested: number): Sample {
  return {
    repetition: place.repetition,
    warmUp: place.warmUp,
    block: place.block,
    pid,
    userLatencyNs: null,
    kernelLatencyNs: null,
    syscalls: 0,
    probeSyscalls: null,
    bytesRequested,
    bytesAdvised: 0,
    reclaimedPages: null,
    rssBeforeBytes: 0,
    rssAfterBytes: 0,
    swapBeforeBytes: 0,
    swapAfterBytes: 0,
    pswpoutDeltaPages: 0,
    pswpinDeltaPages: 0,
    retouchNs: 0,
    retouchMajorFaults: 0,
    retouchMajorFaultsProbe: null,
    stallNs: null,
    injectorStopNs: null,
    callerCpuNs: null,
    targetCpuNs: null,
    targetEintr: 0,
    ...noExplain(),
    ...noCounters(),
    ...familyNulls(),
    dataIntact: false,
    errors: [],
  };
}

/**
 * Copies what a mechanism reported about a hint into the sample: latency, calls, bytes, the
 * caller's CPU, the injector's stop window (ptrace), and its error and skipped ranges as errors.
 */
export function recordOutcome(sample: Sample, outcome: HintOutcome, mechanism: Scenario['mechanism']): void {
  sample.userLatencyNs = outcome.userLatencyNs;
  sample.syscalls = outcome.syscalls;
  sample.bytesAdvised = outcome.bytesAdvised;
  sample.callerCpuNs = outcome.callerCpuNs;
  if (mechanism === 'ptrace') sample.injectorStopNs = outcome.injectorStopNs;
  if (outcome.error !== null) sample.errors.push(outcome.error);
  for (const s of outcome.skipped) sample.errors.push(`skipped ${s.lengthBytes} bytes at 0x${s.startAddr.toString(16)}: ${s.reason}`);
}

/** Records the workload's verification of its pages in the sample. */
export function recordVerified(sample: Sample, verified: { intact: boolean; corruptPages: number }): void {
  sample.dataIntact = verified.intact;
  if (!verified.intact) sample.errors.push(`data corrupted: ${verified.corruptPages} pages differ after the hint`);
}
