/**
 * One sample of the strategy lab: a hot/cold working-set workload in a memory cgroup of its
 * own, hinted with one strategy, then put under pressure by lowering the cgroup's limit.
 *
 *   spawn into a fresh memcg -> measure (no hint, no pressure) -> snapshot -> hint -> snapshot
 *   -> lower the limit, measure under pressure -> residency, memory.stat, PSI, OOM kills
 *   -> raise the limit, verify every page -> exit, remove the memcg
 *
 * Every step's failure is data: an OOM kill, a limit the kernel refused, a dead workload end
 * the sample with what was measured so far, and the cgroup is removed on every path.
 */
import type { AddrRange } from '../../core/types.ts';
import {
  type Memcg,
  type MemcgFeatures,
  type MemcgLimits,
  type MemoryPsi,
  moveIntoMemcg,
  readMemcgOom,
  readMemcgStat,
  readMemcgUsage,
  readMemoryPsi,
  setMemcgLimits,
} from '../../core/cgroup/memcg.ts';
import { readStatus } from '../../core/proc/status.ts';
import { spawnWorkingSet, type WorkloadExit, type WorkloadHandle } from '../../workloads/client.ts';
import type { MeasuredReply } from '../../workloads/protocol.ts';
import { createMechanism } from '../mechanisms/index.ts';
import type { Mechanism } from '../mechanisms/mechanism.ts';
import type { LabConfig, Strategy } from './config.ts';
import { createLabMemcg, removeLabMemcg } from './memcg-host.ts';
import { oomKillReason } from './oom-reason.ts';

const MIB = 1024 * 1024;

/** memory.stat counters whose change over the pressure phase a sample records (null where the cgroup flavour has none). */
export const PRESSURE_STATS = [
  'workingset_refault_anon',
  'workingset_refault_file',
  'workingset_activate_anon',
  'workingset_activate_file',
  'pgscan',
  'pgsteal',
  'pgmajfault',
  'pgpgout',
] as const;

/** Access latency of the hot set during one measurement. */
export interface AccessFigures {
  p50Ns: number;
  p99Ns: number;
  maxNs: number;
  /** Hot pages read. */
  pages: number;
  /** Hot pages that were not resident when read (mincore): refaults. */
  faultedPages: number;
  /** The workload's major faults over the measurement. */
  majorFaults: number;
  /** Batches that started more than one interval late. */
  lateBatches: number;
}

/** What one strategy sample measured. */
export interface LabSample {
  strategy: Strategy;
  /** Memory cgroup flavour and directory (removed by the end of the sample). */
  memcg: { version: 'v1' | 'v2'; dir: string };
  /** Workload pid. */
  pid: number;
  /** The hint: how it was delivered, bytes advised, time in the calls (none: null). */
  hint: { via: string; advice: 'cold' | 'pageout'; set: 'cold' | 'all'; bytesAdvised: number; userLatencyNs: number; syscalls: number; error: string | null } | null;
  /** What the hint freed: the workload's RSS drop, the cgroup's usage drop, the swap growth (process VmSwap and cgroup), bytes. */
  freed: { rssBytes: number; cgroupUsageBytes: number; processSwapBytes: number; cgroupSwapBytes: number | null } | null;
  /** Hot-set access without pressure (before the hint) and under pressure (after the hint and the limit). */
  access: { withoutPressure: AccessFigures | null; underPressure: AccessFigures | null };
  /** Cold pages not resident at the end of the pressure phase (evicted by the hint or by the pressure). */
  coldEvictedPages: number | null;
  /** Cold-set pages in all. */
  coldPages: number | null;
  /** The pressure phase: the limit, the time the limit write took (the kernel reclaims in it), memory.stat deltas, PSI. */
  pressure: {
    limitBytes: number;
    limitWriteNs: number | null;
    /** The kernel refused the limit (e.g. v1 EBUSY), or null. */
    limitError: string | null;
    statDeltas: Record<(typeof PRESSURE_STATS)[number], number | null>;
    /** Stall time over the phase, us, and whose: the cgroup's (v2) or the whole system's (v1). */
    psi: { scope: 'cgroup' | 'system'; source: string; someUs: number; fullUs: number } | null;
  } | null;
  /** OOM kills in the cgroup over the whole sample, with the kernel's reason. */
  oom: { kills: number; reason: string | null; workloadExit: WorkloadExit | null };
  /** Every page matched its checksum at the end (null: the workload did not live that long). */
  intact: boolean | null;
  corruptPages: number | null;
  /** What ended the sample early, or null. */
  error: string | null;
}

/** Options of runLabSample(). */
export interface SampleOptions {
  /** Limits set before the workload starts (e.g. an impossible configuration that must end in an OOM kill). */
  initialLimits?: MemcgLimits;
  /** Skip the hint and pressure phases (for the start-up checks). */
  stopAfterStart?: boolean;
}

/** The ranges and advice of a strategy, from the workload's regions. */
export function strategyHint(strategy: Strategy, regions: WorkloadHandle['regions']): { advice: 'cold' | 'pageout'; set: 'cold' | 'all'; ranges: AddrRange[] } | null {
  const pick = (set: 'cold' | 'all'): AddrRange[] => regions.filter((r) => set === 'all' || r.role === 'cold').map((r) => ({ startAddr: r.startAddr, lengthBytes: r.lengthBytes }));
  switch (strategy) {
    case 'none':
      return null;
    case 'cold_cold_set':
      return { advice: 'cold', set: 'cold', ranges: pick('cold') };
    case 'pageout_cold_set':
      return { advice: 'pageout', set: 'cold', ranges: pick('cold') };
    case 'pageout_all':
      return { advice: 'pageout', set: 'all', ranges: pick('all') };
  }
}

function accessOf(m: MeasuredReply): AccessFigures {
  return { p50Ns: m.p50Ns, p99Ns: m.p99Ns, maxNs: m.maxNs, pages: m.pages, faultedPages: m.faultedPages, majorFaults: m.majorFaults, lateBatches: m.lateBatches };
}

function psiDelta(a: MemoryPsi | null, b: MemoryPsi | null): NonNullable<LabSample['pressure']>['psi'] {
  if (a === null || b === null) return null;
  return { scope: b.scope, source: b.source, someUs: b.someTotalUs - a.someTotalUs, fullUs: b.fullTotalUs - a.fullTotalUs };
}

/** Process and cgroup memory at one moment, bytes. */
function snapshot(pid: number, cg: Memcg): { rssBytes: number; swapBytes: number; usage: ReturnType<typeof readMemcgUsage> } {
  const st = readStatus(pid);
  return { rssBytes: st.rssBytes, swapBytes: st.swapBytes, usage: readMemcgUsage(cg) };
}

/** Runs one sample of `strategy`; never throws for what the kernel or the workload did (that is data in the result). */
export async function runLabSample(cfg: LabConfig, strategy: Strategy, features: MemcgFeatures, opts: SampleOptions = {}): Promise<LabSample> {
  let cg: Memcg | null = null;
  let workload: WorkloadHandle | null = null;
  const result: LabSample = {
    strategy,
    memcg: { version: features.version, dir: '' },
    pid: 0,
    hint: null,
    freed: null,
    access: { withoutPressure: null, underPressure: null },
    coldEvictedPages: null,
    coldPages: null,
    pressure: null,
    oom: { kills: 0, reason: null, workloadExit: null },
    intact: null,
    corruptPages: null,
    error: null,
  };
  let mechanism: Mechanism | null = null;
  const measureOpts = { batches: cfg.batches, batchPages: cfg.batchPages, intervalUs: Math.round(cfg.intervalMs * 1000) };
  let spawnedPid = 0;
  try {
    workload = await spawnWorkingSet(cfg.spec, {
      ...(cfg.fileDir === undefined ? {} : { fileDir: cfg.fileDir }),
      beforeStart: (pid) => {
        spawnedPid = pid;
        result.pid = pid;
        cg = createLabMemcg(features, pid);
        result.memcg.dir = cg.dir;
        if (opts.initialLimits !== undefined) setMemcgLimits(cg, opts.initialLimits);
        // Into the cgroup before the workload's program starts: all its memory is charged there.
        writeProcs(cg, pid);
      },
    });
    result.pid = workload.pid;
    if (opts.stopAfterStart === true) return result;
    const memcg = cg as unknown as Memcg;

    result.access.withoutPressure = accessOf(await workload.measure(measureOpts));

    const hint = strategyHint(strategy, workload.regions);
    const before = snapshot(workload.pid, memcg);
    if (hint !== null) {
      mechanism = await createMechanism(cfg.via);
      await mechanism.open({ pid: workload.pid });
      const out = await mechanism.hint({ target: { pid: workload.pid }, advice: hint.advice, ranges: hint.ranges });
      await mechanism.close();
      result.hint = {
        via: cfg.via,
        advice: hint.advice,
        set: hint.set,
        bytesAdvised: out.bytesAdvised,
        userLatencyNs: out.userLatencyNs,
        syscalls: out.syscalls,
        error: out.error ?? null,
      };
    }
    const after = snapshot(workload.pid, memcg);
    result.freed = {
      rssBytes: before.rssBytes - after.rssBytes,
      cgroupUsageBytes: before.usage.memoryBytes - after.usage.memoryBytes,
      processSwapBytes: after.swapBytes - before.swapBytes,
      cgroupSwapBytes: before.usage.swapBytes === null || after.usage.swapBytes === null ? null : after.usage.swapBytes - before.usage.swapBytes,
    };

    // Pressure: lower the limit, then read the hot set at the same rate as before.
    const limitBytes = Math.round(cfg.limitMiB * MIB);
    const stat0 = readMemcgStat(memcg);
    const psi0 = readMemoryPsi(memcg);
    let limitWriteNs: number | null = null;
    let limitError: string | null = null;
    const t0 = process.hrtime.bigint();
    try {
      setMemcgLimits(memcg, { memoryBytes: limitBytes, swapBytes: opts.initialLimits?.swapBytes ?? null });
      limitWriteNs = Number(process.hrtime.bigint() - t0);
    } catch (err) {
      limitError = (err as Error).message;
    }
    const pressure: NonNullable<LabSample['pressure']> = { limitBytes, limitWriteNs, limitError, statDeltas: statDeltas(stat0, {}), psi: null };
    result.pressure = pressure;
    try {
      result.access.underPressure = accessOf(await workload.measure(measureOpts));
      const residency = await workload.residency();
      const coldSet = residency.sets.find((s) => s.role === 'cold');
      result.coldPages = coldSet?.pages ?? null;
      result.coldEvictedPages = coldSet === undefined ? null : coldSet.pages - coldSet.residentPages;
    } finally {
      // Also when the workload died under the limit: what the cgroup went through is data.
      pressure.statDeltas = statDeltas(stat0, readMemcgStat(memcg));
      pressure.psi = psiDelta(psi0, readMemoryPsi(memcg));
    }

    // Room again, then every page must still hold what was written.
    setMemcgLimits(memcg, { memoryBytes: null, swapBytes: null });
    const v = await workload.verify();
    result.intact = v.intact;
    result.corruptPages = v.corruptPages;
  } catch (err) {
    result.error = (err as Error).message;
  } finally {
    await (mechanism as Mechanism | null)?.dispose();
    const memcg = cg as Memcg | null;
    if (memcg !== null) {
      try {
        result.oom.kills = readMemcgOom(memcg).oomKills;
      } catch {
        /* the cgroup is gone already */
      }
    }
    if (workload !== null && !opts.stopAfterStart) await workload.exit();
    else if (workload !== null) await workload.kill();
    if (memcg !== null) {
      result.oom.workloadExit = workload === null ? null : await workload.exited;
      await removeLabMemcg(memcg);
    }
    if (result.oom.kills > 0) result.oom.reason = oomReason(memcg, spawnedPid, result.oom.kills);
  }
  return result;
}

/** Moves the workload into its cgroup; a failure names both. */
function writeProcs(cg: Memcg, pid: number): void {
  try {
    moveIntoMemcg(cg, pid);
  } catch (err) {
    throw new Error(`cannot move pid ${pid} into ${cg.dir}: ${(err as Error).message}`);
  }
}

function statDeltas(a: Record<string, number>, b: Record<string, number>): Record<(typeof PRESSURE_STATS)[number], number | null> {
  const out = {} as Record<(typeof PRESSURE_STATS)[number], number | null>;
  for (const k of PRESSURE_STATS) out[k] = a[k] === undefined || b[k] === undefined ? null : b[k] - a[k];
  return out;
}

function oomReason(cg: Memcg | null, pid: number, kills: number): string {
  const kernel = oomKillReason(pid);
  const where = cg === null ? 'its memory cgroup' : cg.dir;
  return `${kills} OOM kill(s) in ${where}${kernel === null ? ` (the kernel log has no line for pid ${pid})` : `: ${kernel}`}`;
}
