/**
 * One repetition of the fleet family (core/schema/fleet.ts): `apps` workloads started
 * concurrently, each moved to the scenario's cached state (frozen or stopped), compacted by
 * this process one app after another (open, hint every region, close), brought back, every
 * page of every app verified, every app ended, and a check that nothing was left behind.
 * Failures are data (sample.errors); only an abort rethrows.
 */
import { getMaxListeners, setMaxListeners } from 'node:events';
import { existsSync } from 'node:fs';
import { readCgroupMounts } from '../../core/cgroup/mounts.ts';
import { readProcStat, selfIdentity } from '../../core/proc/stat.ts';
import { readStatus } from '../../core/proc/status.ts';
import { threadIds } from '../../core/proc/tasks.ts';
import { median } from '../../core/stats/quantiles.ts';
import type { FleetSpec } from '../../core/schema/fleet.ts';
import type { MemorySpec, Scenario } from '../../core/types.ts';
import { spawnWorkload, type WorkloadHandle } from '../../workloads/client.ts';
import { frozenCgroupName } from '../host/stale-cgroups.ts';
import type { Mechanism } from '../mechanisms/mechanism.ts';
import { newSample, nowNs, type RepetitionPlace, type SampleDraft, targetCpuNs } from './sample-draft.ts';
import { enterState, leaveState } from './target-state.ts';

/** The memory of app `i` of a fleet: the scenario's layout with the i-th content of the cycle. */
export function appMemory(memory: MemorySpec, fleet: FleetSpec, i: number): MemorySpec {
  return { ...memory, content: fleet.contents[i % fleet.contents.length]! };
}

/** What one app cost the caller and itself. */
interface AppFigures {
  hintNs: number;
  stallNs: number;
  callerCpuNs: number;
  appCpuNs: number;
  freedBytes: number;
  syscalls: number;
  bytesAdvised: number;
}

/** Starts every app at once; when one fails, ends the others and rethrows its error. */
async function spawnFleet(scenario: Scenario, fleet: FleetSpec, signal?: AbortSignal): Promise<WorkloadHandle[]> {
  // Each app listens to the abort signal: one listener per app is expected, not a leak.
  if (signal !== undefined) setMaxListeners(Math.max(getMaxListeners(signal), fleet.apps + 10), signal);
  const started = await Promise.allSettled(
    Array.from({ length: fleet.apps }, (_, i) => spawnWorkload(appMemory(scenario.memory, fleet, i), signal === undefined ? {} : { signal })),
  );
  const ok = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(ok.map((w) => w.exit()));
    throw failed.reason;
  }
  return ok;
}

/** Hints every region of one app (already in its cached state) and says what it cost. */
async function compactApp(w: WorkloadHandle, scenario: Scenario, mechanism: Mechanism, errors: string[]): Promise<AppFigures> {
  const tids = threadIds(w.pid);
  const before = readStatus(w.pid);
  const cpu0 = targetCpuNs(w.pid, tids);
  const t0 = nowNs();
  let figures: Omit<AppFigures, 'hintNs' | 'appCpuNs' | 'freedBytes'> = { stallNs: 0, callerCpuNs: 0, syscalls: 0, bytesAdvised: 0 };
  try {
    await mechanism.open({ pid: w.pid });
    if (scenario.advice !== 'none') {
      const outcome = await mechanism.hint({ target: { pid: w.pid }, advice: scenario.advice, ranges: w.regions });
      figures = { stallNs: outcome.injectorStopNs, callerCpuNs: outcome.callerCpuNs ?? 0, syscalls: outcome.syscalls, bytesAdvised: outcome.bytesAdvised };
      if (outcome.error !== null) errors.push(`app ${w.pid}: ${outcome.error}`);
      for (const s of outcome.skipped) errors.push(`app ${w.pid}: skipped ${s.lengthBytes} bytes at 0x${s.startAddr.toString(16)}: ${s.reason}`);
    }
  } finally {
    await mechanism.close();
  }
  const hintNs = nowNs() - t0;
  const appCpuNs = targetCpuNs(w.pid, tids) - cpu0;
  const after = readStatus(w.pid);
  return { ...figures, hintNs, appCpuNs, freedBytes: before.rssBytes - after.rssBytes };
}

/** App processes still alive and freezer cgroups of this runner still present for `pids`. */
export function leftBehind(pids: readonly number[]): string[] {
  const out: string[] = [];
  const mounts = readCgroupMounts();
  const me = selfIdentity();
  for (const pid of pids) {
    const stat = readProcStat(pid);
    if (stat !== null && stat.state !== 'Z') out.push(`app process ${pid} (state ${stat.state})`);
    for (const root of [mounts.v2, mounts.v1Freezer]) {
      const dir = root === null ? null : `${root}/${frozenCgroupName(me, pid)}`;
      if (dir !== null && existsSync(dir)) out.push(`cgroup ${dir}`);
    }
  }
  return out;
}

/** Runs one fleet: see the module doc. */
export async function runFleetRepetition(scenario: Scenario, fleet: FleetSpec, mechanism: Mechanism, place: RepetitionPlace, signal?: AbortSignal): Promise<SampleDraft> {
  const apps = await spawnFleet(scenario, fleet, signal);
  const pids = apps.map((w) => w.pid);
  const sample = newSample(
    place,
    pids[0]!,
    apps.reduce((sum, w) => sum + w.regions.reduce((s, r) => s + r.lengthBytes, 0), 0),
  );
  sample.fleetApps = apps.length;
  const targetTids = apps.flatMap((w) => threadIds(w.pid));
  let hintWindow = { fromNs: 0, toNs: 0 };
  const cached: WorkloadHandle[] = [];
  try {
    for (const w of apps) {
      await enterState(w, scenario.targetState);
      cached.push(w);
    }
    const per: AppFigures[] = [];
    const fromNs = nowNs();
    for (const w of apps) per.push(await compactApp(w, scenario, mechanism, sample.errors));
    const toNs = nowNs();
    hintWindow = { fromNs, toNs };
    const sum = (f: (a: AppFigures) => number): number => per.reduce((s, a) => s + f(a), 0);
    const totalNs = toNs - fromNs;
    sample.userLatencyNs = totalNs;
    sample.syscalls = sum((a) => a.syscalls);
    sample.bytesAdvised = sum((a) => a.bytesAdvised);
    sample.callerCpuNs = sum((a) => a.callerCpuNs);
    sample.targetCpuNs = sum((a) => a.appCpuNs);
    if (scenario.mechanism === 'ptrace') sample.injectorStopNs = sum((a) => a.stallNs);
    sample.fleetTotalNs = totalNs;
    sample.fleetFreedBytes = sum((a) => a.freedBytes);
    sample.fleetFreedPerSecondBytes = totalNs > 0 ? (sample.fleetFreedBytes * 1e9) / totalNs : null;
    sample.fleetCallerCpuNs = sample.callerCpuNs;
    sample.fleetAppsCpuNs = sample.targetCpuNs;
    sample.fleetAppHintNs = per.map((a) => a.hintNs);
    sample.fleetAppStallNs = per.map((a) => a.stallNs);
    sample.fleetAppHintMedianNs = median(sample.fleetAppHintNs);
    sample.fleetAppHintMaxNs = Math.max(...sample.fleetAppHintNs);
    sample.fleetAppStallMedianNs = median(sample.fleetAppStallNs);
    sample.fleetAppStallMaxNs = Math.max(...sample.fleetAppStallNs);
    while (cached.length > 0) await leaveState(cached.pop()!, scenario.targetState);
    let intact = 0;
    for (const w of apps) {
      const v = await w.verify();
      if (v.intact) intact += 1;
      else sample.errors.push(`app ${w.pid}: data corrupted: ${v.corruptPages} pages differ after the hint`);
    }
    sample.fleetAppsIntact = intact;
    sample.dataIntact = intact === apps.length;
  } catch (err) {
    if (signal?.aborted) throw err;
    sample.errors.push(err instanceof Error ? err.message : String(err));
  } finally {
    for (const w of cached) await leaveState(w, scenario.targetState).catch((e: unknown) => sample.errors.push(`app ${w.pid}: ${(e as Error).message}`));
    await Promise.all(apps.map((w) => w.exit()));
    sample.fleetLeftBehind = leftBehind(pids);
    for (const what of sample.fleetLeftBehind) sample.errors.push(`left behind: ${what}`);
  }
  // No kernel-side attribution: ptrace's madvise calls run in N app threads, not one, and the
  // window of process_madvise also holds each open()'s empty warm-up calls. The fleet's own
  // figures are the fleet fields; the probe still measures the apps' ptrace stops (stallNs).
  return { sample, hintWindow, syscallTid: process.pid, targetTids, backgroundReclaimPages: 0, attributedSyscalls: 0, pressureWindow: null };
}
