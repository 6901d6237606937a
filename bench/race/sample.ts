/**
 * One repetition of the race family (docs/claims-race.md): a fresh churn workload; the
 * remedy holds it still (or not); the caller reads /proc/PID/maps, picks the churn regions,
 * waits the scenario's delay and hints them with the scenario's mechanism and advice; the
 * remedy lets go; the churn log then judges every hinted byte (judge.ts) and the workload
 * checks its data. Failures are data (sample.errors); only an abort rethrows.
 *
 * With the ptrace mechanism the injection itself stops the target, but only for the
 * injection: the maps read comes before it, and the target runs in between unless a remedy
 * holds it. sigstop and freezer compose with injection (the injector steps a SIGSTOPped
 * target and thaws a frozen one for the injection, then freezes it again); ptrace_stop does
 * not: a process has at most one tracer, so a holder's seize leaves the injector none.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { HintbenchError } from '../../core/errors.ts';
import { readMaps } from '../../core/proc/maps.ts';
import { readStatus } from '../../core/proc/status.ts';
import { threadIds } from '../../core/proc/tasks.ts';
import { readVmstat } from '../../core/proc/vmstat.ts';
import type { ChurnMapping, RaceSpec } from '../../core/schema/race.ts';
import type { HintOutcome, Scenario } from '../../core/types.ts';
import { spawnChurn, type WorkloadHandle } from '../../workloads/client.ts';
import type { Mechanism } from '../mechanisms/mechanism.ts';
import { newSample, recordOutcome, type RepetitionPlace, type SampleDraft } from '../runner/sample-draft.ts';
import { holdTarget, type Hold } from './hold.ts';
import { type HintedRange, judgeRace, longestGapNs, type NsWindow, type RaceJudgement } from './judge.ts';

/** What a race sample was judged from: enough to judge it again. */
export interface RaceEvidence {
  /** Ranges read from the maps and hinted. */
  ranges: HintedRange[];
  /** The maps read, ns. */
  read: NsWindow;
  /** The hint call, ns. */
  hint: NsWindow;
  /** The churn log: every mapping mapped, or unmapped after the read began. */
  log: ChurnMapping[];
  judgement: RaceJudgement;
}

/** A race repetition's draft with its evidence (null when it failed before the judgement). */
export type RaceDraft = SampleDraft & { evidence: RaceEvidence | null };

/** How far before the read the log is asked for, ms: operations there close the gap before a hold. */
const LOG_MARGIN_MS = 50;
/** Longest wait for the workload's first churn operation, ms. */
const FIRST_OP_TIMEOUT_MS = 5000;
/** Times the log is asked again for an operation after the hold (the pause's end). */
const GAP_CLOSE_ATTEMPTS = 10;

const nowNs = (): number => Number(process.hrtime.bigint());

/** Waits `delayNs` from now: timers for the bulk, a spin on the clock for the last 2 ms. */
async function waitNs(delayNs: number): Promise<void> {
  const until = nowNs() + delayNs;
  const bulkMs = Math.floor(delayNs / 1e6) - 2;
  if (bulkMs > 0) await sleep(bulkMs);
  while (nowNs() < until) {
    /* the rest, finer than timers */
  }
}

/** The churn regions in the maps: read-write VMAs inside the arena. */
function churnRanges(pid: number, arena: { startAddr: number; lengthBytes: number }): { ranges: HintedRange[]; read: NsWindow } {
  const fromNs = nowNs();
  const maps = readMaps(pid);
  const toNs = nowNs();
  const end = arena.startAddr + arena.lengthBytes;
  const ranges = maps
    .filter((m) => m.perms.startsWith('rw') && m.inode === 0 && m.startAddr >= arena.startAddr && m.endAddr <= end)
    .map((m) => ({ startAddr: m.startAddr, lengthBytes: m.endAddr - m.startAddr }));
  return { ranges, read: { fromNs, toNs } };
}

/** The churn log from `sinceNs`, asked again until it holds an operation after `afterNs` (bounded). */
async function logAfter(workload: WorkloadHandle, sinceNs: number, afterNs: number, intervalMs: number): Promise<{ log: ChurnMapping[]; atNs: number; ops: number }> {
  for (let attempt = 0; ; attempt++) {
    const r = await workload.churnLog(sinceNs);
    const later = r.entries.some((m) => m.mapStartNs > afterNs || (m.unmapStartNs !== null && m.unmapStartNs > afterNs));
    if (later || attempt >= GAP_CLOSE_ATTEMPTS) return { log: r.entries, atNs: r.atNs, ops: r.ops };
    await sleep(Math.max(1, Math.ceil(intervalMs)));
  }
}

/** Churn operations (map or unmap starts) logged within `w`. */
function opsWithin(log: readonly ChurnMapping[], w: NsWindow): number {
  let n = 0;
  for (const m of log) {
    if (m.mapStartNs >= w.fromNs && m.mapStartNs <= w.toNs) n++;
    if (m.unmapStartNs !== null && m.unmapStartNs >= w.fromNs && m.unmapStartNs <= w.toNs) n++;
  }
  return n;
}

/** One race repetition; see the module comment. */
export async function runRaceRepetition(scenario: Scenario, race: RaceSpec, mechanism: Mechanism, place: RepetitionPlace, signal?: AbortSignal): Promise<RaceDraft> {
  const workload = await spawnChurn(race.churn, place.repetition + 1, signal === undefined ? {} : { signal });
  const sample = newSample(place, workload.pid, 0);
  const targetTids = threadIds(workload.pid);
  let hint: NsWindow = { fromNs: 0, toNs: 0 };
  let syscallTid = process.pid;
  let evidence: RaceEvidence | null = null;
  try {
    if (scenario.mechanism === 'ptrace' && race.remedy === 'ptrace_stop')
      throw new HintbenchError(
        'remedy ptrace_stop cannot be combined with the ptrace mechanism: a process has at most one tracer, and the holder would be it',
        'use remedy sigstop or freezer with ptrace, or ptrace_stop with process_madvise',
      );
    // Start once the workload churns, so that the pause a remedy causes falls between operations.
    let first = await workload.churnLog(nowNs());
    const deadline = Date.now() + FIRST_OP_TIMEOUT_MS;
    while (first.ops === 0 && Date.now() < deadline) {
      await sleep(1);
      first = await workload.churnLog(nowNs());
    }
    if (first.ops === 0) throw new HintbenchError(`churn workload ${workload.pid} made no operation within ${FIRST_OP_TIMEOUT_MS} ms`, 'check whether the machine is overloaded');
    const arena = { startAddr: first.arenaStartAddr, lengthBytes: first.arenaLengthBytes };
    await mechanism.open({ pid: workload.pid });
    let hold: Hold | null = null;
    let releasedNs: number | null = null;
    let read: NsWindow = { fromNs: 0, toNs: 0 };
    let ranges: HintedRange[] = [];
    let outcome: HintOutcome | null = null;
    try {
      hold = await holdTarget(race.remedy, workload.pid);
      ({ ranges, read } = churnRanges(workload.pid, arena));
      const before = readStatus(workload.pid);
      const vmBefore = readVmstat();
      await waitNs(race.delayUs * 1000);
      const fromNs = nowNs();
      if (scenario.advice !== 'none' && ranges.length > 0) outcome = await mechanism.hint({ target: { pid: workload.pid }, advice: scenario.advice, ranges });
      hint = { fromNs, toNs: nowNs() };
      const vmAfter = readVmstat();
      const after = readStatus(workload.pid);
      sample.rssBeforeBytes = before.rssBytes;
      sample.swapBeforeBytes = before.swapBytes;
      sample.rssAfterBytes = after.rssBytes;
      sample.swapAfterBytes = after.swapBytes;
      sample.pswpoutDeltaPages = (vmAfter.pswpout ?? 0) - (vmBefore.pswpout ?? 0);
      sample.raceDelayNs = fromNs - read.toNs;
    } finally {
      try {
        if (hold !== null) releasedNs = await hold.release();
      } finally {
        await mechanism.close();
      }
    }
    if (outcome !== null) {
      syscallTid = outcome.syscallTid;
      recordOutcome(sample, outcome, scenario.mechanism);
    }
    const pauseWindow: NsWindow = { fromNs: hold?.requestedNs ?? read.fromNs, toNs: releasedNs ?? hint.toNs };
    const got = await logAfter(workload, read.fromNs - LOG_MARGIN_MS * 1e6, pauseWindow.toNs, 1000 / race.churn.opsPerSec);
    const judgement = judgeRace(ranges, read, hint, got.log);
    evidence = { ranges, read, hint, log: got.log, judgement };
    sample.bytesRequested = judgement.hintedBytes;
    sample.raceReadRanges = ranges.length;
    sample.raceHintedBytes = judgement.hintedBytes;
    sample.raceMisHintedBytes = judgement.misHintedBytes;
    sample.raceRemappedBytes = judgement.remappedBytes;
    sample.raceUnmappedBytes = judgement.unmappedBytes;
    sample.raceUncertainBytes = judgement.uncertainBytes;
    sample.raceChurnOps = opsWithin(got.log, { fromNs: read.fromNs, toNs: hint.toNs });
    sample.raceTargetGapNs = longestGapNs(got.log, pauseWindow, got.atNs);
    if (hold !== null && releasedNs !== null) {
      sample.raceStallNs = releasedNs - hold.requestedNs;
      sample.raceHoldLatencyNs = hold.heldNs - hold.requestedNs;
    }
    const verified = await workload.verify();
    sample.dataIntact = verified.intact;
    if (!verified.intact) sample.errors.push(`data corrupted: ${verified.corruptPages} pages of live churn mappings differ after the hint`);
  } catch (err) {
    if (signal?.aborted) throw err;
    sample.errors.push(err instanceof Error ? err.message : String(err));
  } finally {
    await workload.exit();
  }
  return { sample, hintWindow: hint, syscallTid, targetTids, backgroundReclaimPages: 0, pressureWindow: null, evidence };
}
