/**
 * One repetition of the vectored family (core/schema/vectored.ts): a fresh workload with K
 * separate VMAs, put into the scenario's target state, hinted once over all K ranges, brought
 * back, verified and ended. `vector` hands the K ranges to process_madvise in iovecs of up to
 * UIO_MAXIOV (1024) ranges, so K = 4096 takes 4 calls; `per-range` makes one call per range:
 * K single-range process_madvise calls, or, with the ptrace mechanism, ONE injection of K
 * madvise calls (madvise takes one range; one stop of the target for all K calls is how a
 * daemon would inject, and K separate injections would mostly measure K seize/detach cycles).
 * Failures are data (sample.errors); only an abort rethrows.
 */
import { readStatus } from '../../core/proc/status.ts';
import { threadIds } from '../../core/proc/tasks.ts';
import type { VectoredSpec } from '../../core/schema/vectored.ts';
import type { Scenario } from '../../core/types.ts';
import { spawnWorkload } from '../../workloads/client.ts';
import type { Mechanism } from '../mechanisms/mechanism.ts';
import { ProcessMadviseMechanism } from '../mechanisms/process-madvise.ts';
import { newSample, nowNs, recordOutcome, recordVerified, type RepetitionPlace, type SampleDraft, targetCpuNs } from './sample-draft.ts';
import { enterState, leaveState } from './target-state.ts';

/** The mechanism that makes the scenario's calls: the run's, or a process_madvise mechanism limited to one range per call. */
function callingMechanism(scenario: Scenario, spec: VectoredSpec, mechanism: Mechanism): Mechanism {
  if (spec.calls === 'per-range' && scenario.mechanism === 'process_madvise') return new ProcessMadviseMechanism({ maxIovecs: 1 });
  return mechanism;
}

/** Runs one vectored repetition: see the module doc. */
export async function runVectoredRepetition(scenario: Scenario, spec: VectoredSpec, mechanism: Mechanism, place: RepetitionPlace, signal?: AbortSignal): Promise<SampleDraft> {
  const workload = await spawnWorkload(scenario.memory, signal === undefined ? {} : { signal });
  const sample = newSample(
    place,
    workload.pid,
    workload.regions.reduce((s, r) => s + r.lengthBytes, 0),
  );
  sample.vectoredRanges = workload.regions.length;
  const targetTids = threadIds(workload.pid);
  let hintWindow = { fromNs: 0, toNs: 0 };
  let syscallTid = process.pid;
  const caller = callingMechanism(scenario, spec, mechanism);
  try {
    if (spec.calls === 'vector' && scenario.mechanism !== 'process_madvise')
      throw new Error(`calls 'vector' needs mechanism process_madvise (${scenario.mechanism} makes one call per range): use calls 'per-range'`);
    if (workload.regions.length !== spec.ranges) throw new Error(`the workload mapped ${workload.regions.length} VMAs, not the ${spec.ranges} ranges the scenario asks for`);
    await enterState(workload, scenario.targetState);
    try {
      await caller.open({ pid: workload.pid });
      const before = readStatus(workload.pid);
      const cpu0 = targetCpuNs(workload.pid, targetTids);
      const fromNs = nowNs();
      const outcome = scenario.advice === 'none' ? null : await caller.hint({ target: { pid: workload.pid }, advice: scenario.advice, ranges: workload.regions });
      const toNs = nowNs();
      hintWindow = { fromNs, toNs };
      sample.targetCpuNs = targetCpuNs(workload.pid, targetTids) - cpu0;
      const after = readStatus(workload.pid);
      sample.rssBeforeBytes = before.rssBytes;
      sample.swapBeforeBytes = before.swapBytes;
      sample.rssAfterBytes = after.rssBytes;
      sample.swapAfterBytes = after.swapBytes;
      if (outcome !== null) {
        syscallTid = outcome.syscallTid;
        recordOutcome(sample, outcome, scenario.mechanism);
        sample.vectoredPerRangeNs = outcome.userLatencyNs / spec.ranges;
        sample.vectoredCallerCpuPerRangeNs = outcome.callerCpuNs === null ? null : outcome.callerCpuNs / spec.ranges;
      }
    } finally {
      await caller.close();
      if (caller !== mechanism) await caller.dispose();
      await leaveState(workload, scenario.targetState);
    }
    recordVerified(sample, await workload.verify());
  } catch (err) {
    if (signal?.aborted) throw err;
    sample.errors.push(err instanceof Error ? err.message : String(err));
  } finally {
    await workload.exit();
  }
  return { sample, hintWindow, syscallTid, targetTids, backgroundReclaimPages: 0, pressureWindow: null };
}
