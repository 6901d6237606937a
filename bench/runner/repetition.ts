import type { Mechanism } from '../mechanisms/mechanism.ts';
import { sumSchedstat, threadIds } from '../../core/proc/tasks.ts';
import { readStatus } from '../../core/proc/status.ts';
import { readVmstat, vmstatSampleDeltas } from '../../core/proc/vmstat.ts';
import { hintCounterFields, noCounters, readHintCounters } from '../../core/proc/sample-counters.ts';
import { zramSwapDevices } from '../../core/proc/zram-stat.ts';
import { noExplain } from '../../core/attribution.ts';
import { familyNulls } from '../../core/metrics.ts';
import type { HintOutcome, Sample, Scenario } from '../../core/types.ts';
import { spawnWorkload } from '../../workloads/client.ts';
import { watchState } from './state-figures.ts';
import { runFleetRepetition } from './fleet.ts';
import { runPressureRepetition } from './pressure.ts';
import { enterState, leaveState } from './target-state.ts';
import { runRaceRepetition } from '../race/sample.ts';
import { runVectoredRepetition } from './vectored.ts';

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

/** Pages stolen by kswapd and direct reclaim between two /proc/vmstat readings. */
function reclaimByOthers(before: Record<string, number>, after: Record<string, number>): number {
  const stolen = (v: Record<string, number>): number => (v.pgsteal_kswapd ?? 0) + (v.pgsteal_direct ?? 0);
  return Math.max(0, stolen(after) - stolen(before));
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

/**
 * One repetition: a fresh workload, put into the scenario's target state, hinted once over
 * all its regions, brought back, re-touched and verified, then ended. Failures are data:
 * they end up in `sample.errors`; only an abort rethrows.
 */
export async function runRepetition(scenario: Scenario, mechanism: Mechanism, place: RepetitionPlace, signal?: AbortSignal): Promise<SampleDraft> {
  if (scenario.fleet !== undefined) return runFleetRepetition(scenario, scenario.fleet, mechanism, place, signal);
  if (scenario.vectored !== undefined) return runVectoredRepetition(scenario, scenario.vectored, mechanism, place, signal);
  if (scenario.race !== undefined) return runRaceRepetition(scenario, scenario.race, mechanism, place, signal);
  if (scenario.pressure !== undefined) return runPressureRepetition(scenario, mechanism, place, signal);
  const workload = await spawnWorkload(scenario.memory, signal === undefined ? {} : { signal });
  const sample = newSample(
    place,
    workload.pid,
    workload.regions.reduce((s, r) => s + r.lengthBytes, 0),
  );
  let hintWindow: Window = { fromNs: 0, toNs: 0 };
  let syscallTid = process.pid;
  let backgroundReclaimPages = 0;
  const targetTids = threadIds(workload.pid);
  const zramDevices = zramSwapDevices();
  let vmSpanStart: Record<string, number> = {};
  try {
    await enterState(workload, scenario.targetState);
    let outcome: HintOutcome | null = null;
    let vmStart: Record<string, number> | null = null;
    try {
      await mechanism.open({ pid: workload.pid });
      const before = readStatus(workload.pid);
      const vmBefore = readVmstat();
      vmSpanStart = vmBefore;
      const countersBefore = readHintCounters(workload.pid, targetTids, zramDevices);
      vmStart = vmBefore;
      const cpuBefore = targetCpuNs(workload.pid, targetTids);
      const watch = watchState(scenario, workload.pid, targetTids, sample.bytesRequested);
      const fromNs = nowNs();
      if (scenario.advice !== 'none') {
        outcome = await mechanism.hint({ target: { pid: workload.pid }, advice: scenario.advice, ranges: workload.regions });
      }
      const toNs = nowNs();
      const cpuAfter = targetCpuNs(workload.pid, targetTids);
      Object.assign(sample, await watch.finish(outcome));
      Object.assign(sample, hintCounterFields(countersBefore, readHintCounters(workload.pid, targetTids, zramDevices)));
      const vmAfter = readVmstat();
      const after = readStatus(workload.pid);
      hintWindow = { fromNs, toNs };
      sample.rssBeforeBytes = before.rssBytes;
      sample.swapBeforeBytes = before.swapBytes;
      sample.rssAfterBytes = after.rssBytes;
      sample.swapAfterBytes = after.swapBytes;
      sample.pswpoutDeltaPages = (vmAfter.pswpout ?? 0) - (vmBefore.pswpout ?? 0);
      if (outcome !== null) {
        syscallTid = outcome.syscallTid;
        recordOutcome(sample, outcome, scenario.mechanism);
        sample.targetCpuNs = cpuAfter - cpuBefore;
      }
    } finally {
      await mechanism.close();
      await leaveState(workload, scenario.targetState);
    }
    const vmBeforeTouch = readVmstat();
    const touched = await workload.retouch();
    const vmAfterTouch = readVmstat();
    sample.retouchNs = touched.elapsedNs;
    sample.retouchMajorFaults = touched.majorFaults;
    sample.retouchMinorFaults = touched.minorFaults;
    Object.assign(sample, vmstatSampleDeltas(vmSpanStart, vmAfterTouch));
    sample.pswpinDeltaPages = (vmAfterTouch.pswpin ?? 0) - (vmBeforeTouch.pswpin ?? 0);
    if (vmStart !== null) backgroundReclaimPages = reclaimByOthers(vmStart, vmAfterTouch);
    recordVerified(sample, await workload.verify());
  } catch (err) {
    if (signal?.aborted) throw err;
    sample.errors.push(err instanceof Error ? err.message : String(err));
  } finally {
    await workload.exit();
  }
  return { sample, hintWindow, syscallTid, targetTids, backgroundReclaimPages, pressureWindow: null };
}
