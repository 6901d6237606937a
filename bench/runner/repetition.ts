import type { Mechanism } from '../mechanisms/mechanism.ts';
import { threadIds } from '../../core/proc/tasks.ts';
import { readStatus } from '../../core/proc/status.ts';
import { readVmstat, vmstatSampleDeltas } from '../../core/proc/vmstat.ts';
import { hintCounterFields, readHintCounters } from '../../core/proc/sample-counters.ts';
import { zramSwapDevices } from '../../core/proc/zram-stat.ts';
import type { HintOutcome, Scenario } from '../../core/types.ts';
import { newSample, nowNs, recordOutcome, recordVerified, type RepetitionPlace, type SampleDraft, targetCpuNs, type Window } from './sample-draft.ts';
import { spawnWorkload } from '../../workloads/client.ts';
import { watchState } from './state-figures.ts';
import { runFleetRepetition } from './fleet.ts';
import { runPressureRepetition } from './pressure.ts';
import { enterState, leaveState } from './target-state.ts';
import { runRaceRepetition } from '../race/sample.ts';
import { runVectoredRepetition } from './vectored.ts';

/** Pages stolen by kswapd and direct reclaim between two /proc/vmstat readings. */
function reclaimByOthers(before: Record<string, number>, after: Record<string, number>): number {
  const stolen = (v: Record<string, number>): number => (v.pgsteal_kswapd ?? 0) + (v.pgsteal_direct ?? 0);
  return Math.max(0, stolen(after) - stolen(before));
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
