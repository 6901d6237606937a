/**
 * One sample of the strategy lab: a hot/cold working-set workload in a memory cgroup of its
 * own, hinted with one strategy, then put under pressure, by lowering the cgroup's limit
 * (`limit` mode) or by a balloon filling the cgroup under its fixed limit (`balloon` mode).
 * The lab driver (bench/benchmarks/pressure-lab.ts) and the suite runner
 * (bench/runner/pressure.ts) both run samples through runLabSample().
 *
 *   spawn into a fresh memcg -> measure (no hint, no pressure) -> snapshot -> hint -> snapshot
 *   -> pressure (limit write or balloon), measure under pressure, timeline sampled throughout
 *   -> residency, memory.stat, PSI, OOM kills -> balloon ended, limit lifted, every page
 *   verified -> exit, remove the memcg
 *
 * Every step's failure is data: an OOM kill, a limit the kernel refused, a dead workload end
 * the sample with what was measured so far, and the cgroup is removed on every path.
 */
import type { AddrRange } from '../../core/types.ts';
import {
  reclaimMemcg,
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
import { readVmstat, type VmstatSampleField, vmstatSampleDeltas } from '../../core/proc/vmstat.ts';
import { spawnWorkingSet, type WorkloadExit, type WorkloadHandle } from '../../workloads/client.ts';
import type { MeasuredReply } from '../../workloads/protocol.ts';
import type { PressureTimelinePoint } from '../../core/schema/pressure.ts';
import { createMechanism } from '../mechanisms/index.ts';
import type { Mechanism } from '../mechanisms/mechanism.ts';
import { type Balloon, deflateBalloon, inflateBalloon } from './balloon.ts';
import type { LabConfig, Strategy } from './config.ts';
import { PressureTimeline } from './timeline.ts';
import { createLabMemcg, removeLabMemcg } from './memcg-host.ts';
import { oomLinesFor, readKernelLog } from './oom-reason.ts';

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

/** The hint of a sample: who delivered it and how, what it covered, what it cost (none: null). */
export interface LabHint {
  /** `process_madvise`, `ptrace`, `self_madvise`, `self_process_madvise` or `memory.reclaim`. */
  via: string;
  /** The advice, or `reclaim` for proactive reclaim through memory.reclaim. */
  advice: 'cold' | 'pageout' | 'reclaim';
  set: 'cold' | 'all';
  bytesAdvised: number;
  userLatencyNs: number;
  syscalls: number;
  /** Thread whose calls carried the hint (the caller, the target for ptrace and the self deliveries). */
  syscallTid: number;
  /** Window of the delivery, CLOCK_MONOTONIC ns. */
  fromNs: number;
  toNs: number;
  /** Ranges the mechanism skipped, with the reason. */
  skipped: string[];
  error: string | null;
}

/** What one strategy sample measured. */
export interface LabSample {
  strategy: Strategy;
  /** Who delivered the hint (`external`: the mechanism of `hint.via`). */
  delivery: LabConfig['delivery'];
  mode: LabConfig['mode'];
  /** Memory cgroup flavour and directory (removed by the end of the sample). */
  memcg: { version: 'v1' | 'v2'; dir: string };
  /** Workload pid. */
  pid: number;
  /** The hint (none: null). */
  hint: LabHint | null;
  /** The workload's VmRSS and VmSwap just before and just after the hint, bytes. */
  hintSnapshot: { rssBeforeBytes: number; swapBeforeBytes: number; rssAfterBytes: number; swapAfterBytes: number } | null;
  /** What the hint freed: the workload's RSS drop, the cgroup's usage drop, the swap growth (process VmSwap and cgroup), bytes. */
  freed: { rssBytes: number; cgroupUsageBytes: number; processSwapBytes: number; cgroupSwapBytes: number | null } | null;
  /** Hot-set access without pressure (before the hint) and under pressure (after the hint and the limit). */
  access: { withoutPressure: AccessFigures | null; underPressure: AccessFigures | null };
  /** Cold pages not resident at the end of the pressure phase (evicted by the hint or by the pressure). */
  coldEvictedPages: number | null;
  /** Cold-set pages in all. */
  coldPages: number | null;
  /** Hot-set pages in all. */
  hotPages: number | null;
  /** The pressure phase: the limit, the time the limit write took (the kernel reclaims in it), memory.stat deltas, PSI. */
  pressure: {
    limitBytes: number;
    /** limit mode: time the write lowering the limit took; null in balloon mode or when it failed. */
    limitWriteNs: number | null;
    /** The kernel refused the limit (e.g. v1 EBUSY), or null. */
    limitError: string | null;
    /** balloon mode: the balloon's size and pid, and why it did not fill (null when it did). */
    balloon: { sizeMiB: number; pid: number; error: string | null } | null;
    statDeltas: Record<(typeof PRESSURE_STATS)[number], number | null>;
    /** Stall time over the phase, us, and whose: the cgroup's (v2) or the whole system's (v1). */
    psi: { scope: 'cgroup' | 'system'; source: string; someUs: number; fullUs: number } | null;
    /** The phase on CLOCK_MONOTONIC (ns): from the instant the pressure began to the end of its measurement. */
    window: { fromNs: number; toNs: number };
    /** The workload and its cgroup sampled through the phase. */
    timeline: PressureTimelinePoint[];
  } | null;
  /** OOM kills in the cgroup over the whole sample, with the kernel's reason. */
  oom: { kills: number; reason: string | null; workloadExit: WorkloadExit | null };
  /** The re-touch of every page (both sets) after the pressure, with the limit lifted: time and the workload's fault deltas. */
  retouch: { elapsedNs: number; majorFaults: number; minorFaults: number } | null;
  /** System-wide /proc/vmstat: pswpout across the hint, pswpin across the re-touch, and the deltas of the Sample's vmstat fields from just before the hint to just after the re-touch. */
  vmstat: { hintPswpoutPages: number; retouchPswpinPages: number | null; span: Record<VmstatSampleField, number | null> | null } | null;
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
  /** The mechanism of an external delivery, made and disposed of by the caller (the runner's pool); default one made from `cfg.via` for this sample. */
  mechanism?: Mechanism;
  /** Aborting kills the workload (the sample then rejects). */
  signal?: AbortSignal;
}

/** The advice, set and ranges of a strategy's hint from the workload's regions (none and memory_reclaim: null, they advise nothing). */
export function strategyHint(strategy: Strategy, regions: WorkloadHandle['regions']): { advice: 'cold' | 'pageout'; set: 'cold' | 'all'; ranges: AddrRange[] } | null {
  const pick = (set: 'cold' | 'all'): AddrRange[] => regions.filter((r) => set === 'all' || r.role === 'cold').map((r) => ({ startAddr: r.startAddr, lengthBytes: r.lengthBytes }));
  switch (strategy) {
    case 'none':
    case 'memory_reclaim':
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

function nowNs(): number {
  return Number(process.hrtime.bigint());
}

/** Delivers the strategy's hint the way the configuration says; null for `none`. Throws only for what is not data (an abort). */
async function deliverHint(cfg: LabConfig, strategy: Strategy, workload: WorkloadHandle, cg: Memcg, mechanism: () => Promise<Mechanism>): Promise<LabHint | null> {
  if (strategy === 'none') return null;
  if (strategy === 'memory_reclaim') {
    const cold = workload.regions.filter((r) => r.role === 'cold').reduce((n, r) => n + r.lengthBytes, 0);
    const fromNs = nowNs();
    let error: string | null = null;
    try {
      reclaimMemcg(cg, cold);
    } catch (err) {
      error = (err as Error).message;
    }
    const toNs = nowNs();
    return {
      via: 'memory.reclaim',
      advice: 'reclaim',
      set: 'cold',
      bytesAdvised: 0,
      userLatencyNs: toNs - fromNs,
      syscalls: 1,
      syscallTid: process.pid,
      fromNs,
      toNs,
      skipped: [],
      error,
    };
  }
  const hint = strategyHint(strategy, workload.regions)!;
  if (cfg.delivery !== 'external') {
    const fromNs = nowNs();
    const r = await workload.advise({ advice: hint.advice, set: hint.set, via: cfg.delivery === 'self_madvise' ? 'madvise' : 'process_madvise' });
    const toNs = nowNs();
    return {
      via: cfg.delivery,
      advice: hint.advice,
      set: hint.set,
      bytesAdvised: r.bytesAdvised,
      userLatencyNs: r.elapsedNs,
      syscalls: r.syscalls,
      syscallTid: workload.pid,
      fromNs,
      toNs,
      skipped: [],
      error: r.error,
    };
  }
  const m = await mechanism();
  await m.open({ pid: workload.pid });
  try {
    const fromNs = nowNs();
    const out = await m.hint({ target: { pid: workload.pid }, advice: hint.advice, ranges: hint.ranges });
    const toNs = nowNs();
    return {
      via: cfg.via,
      advice: hint.advice,
      set: hint.set,
      bytesAdvised: out.bytesAdvised,
      userLatencyNs: out.userLatencyNs,
      syscalls: out.syscalls,
      syscallTid: out.syscallTid,
      fromNs,
      toNs,
      skipped: out.skipped.map((s) => `skipped ${s.lengthBytes} bytes at 0x${s.startAddr.toString(16)}: ${s.reason}`),
      error: out.error ?? null,
    };
  } finally {
    await m.close();
  }
}

/** Runs one sample of `strategy`; never throws for what the kernel or the workload did (that is data in the result), only for an abort. */
export async function runLabSample(cfg: LabConfig, strategy: Strategy, features: MemcgFeatures, opts: SampleOptions = {}): Promise<LabSample> {
  let cg: Memcg | null = null;
  let workload: WorkloadHandle | null = null;
  const result: LabSample = {
    strategy,
    delivery: cfg.delivery,
    mode: cfg.mode,
    memcg: { version: features.version, dir: '' },
    pid: 0,
    hint: null,
    hintSnapshot: null,
    freed: null,
    access: { withoutPressure: null, underPressure: null },
    coldEvictedPages: null,
    coldPages: null,
    hotPages: null,
    pressure: null,
    oom: { kills: 0, reason: null, workloadExit: null },
    retouch: null,
    vmstat: null,
    intact: null,
    corruptPages: null,
    error: null,
  };
  let ownMechanism: Mechanism | null = null;
  const mechanism = async (): Promise<Mechanism> => {
    if (opts.mechanism !== undefined) return opts.mechanism;
    ownMechanism ??= await createMechanism(cfg.via);
    return ownMechanism;
  };
  const measureOpts = { batches: cfg.batches, batchPages: cfg.batchPages, intervalUs: Math.round(cfg.intervalMs * 1000) };
  const limitBytes = Math.round(cfg.limitMiB * MIB);
  // Balloon mode: the limit is fixed from the start; the balloon makes the pressure.
  const initialLimits = opts.initialLimits ?? (cfg.mode === 'balloon' ? { memoryBytes: limitBytes, swapBytes: null } : undefined);
  let spawnedPid = 0;
  let balloon: Balloon | null = null;
  let timeline: PressureTimeline | null = null;
  try {
    workload = await spawnWorkingSet(cfg.spec, {
      ...(cfg.fileDir === undefined ? {} : { fileDir: cfg.fileDir }),
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
      beforeStart: (pid) => {
        spawnedPid = pid;
        result.pid = pid;
        cg = createLabMemcg(features, pid);
        result.memcg.dir = cg.dir;
        if (initialLimits !== undefined) setMemcgLimits(cg, initialLimits);
        // Into the cgroup before the workload's program starts: all its memory is charged there.
        writeProcs(cg, pid);
      },
    });
    result.pid = workload.pid;
    if (opts.stopAfterStart === true) return result;
    const memcg = cg as unknown as Memcg;

    result.access.withoutPressure = accessOf(await workload.measure(measureOpts));

    const vmBeforeHint = readVmstat();
    const before = snapshot(workload.pid, memcg);
    result.hint = await deliverHint(cfg, strategy, workload, memcg, mechanism);
    const after = snapshot(workload.pid, memcg);
    const vmstat: NonNullable<LabSample['vmstat']> = { hintPswpoutPages: (readVmstat().pswpout ?? 0) - (vmBeforeHint.pswpout ?? 0), retouchPswpinPages: null, span: null };
    result.vmstat = vmstat;
    result.hintSnapshot = { rssBeforeBytes: before.rssBytes, swapBeforeBytes: before.swapBytes, rssAfterBytes: after.rssBytes, swapAfterBytes: after.swapBytes };
    result.freed = {
      rssBytes: before.rssBytes - after.rssBytes,
      cgroupUsageBytes: before.usage.memoryBytes - after.usage.memoryBytes,
      processSwapBytes: after.swapBytes - before.swapBytes,
      cgroupSwapBytes: before.usage.swapBytes === null || after.usage.swapBytes === null ? null : after.usage.swapBytes - before.usage.swapBytes,
    };

    // Pressure: lower the limit (or fill the balloon under it), then read the hot set at the same rate as before.
    const stat0 = readMemcgStat(memcg);
    const psi0 = readMemoryPsi(memcg);
    const fromNs = nowNs();
    timeline = new PressureTimeline(workload.pid, memcg, fromNs, cfg.timelineIntervalMs);
    timeline.start();
    const pressure: NonNullable<LabSample['pressure']> = {
      limitBytes,
      limitWriteNs: null,
      limitError: null,
      balloon: null,
      statDeltas: statDeltas(stat0, {}),
      psi: null,
      window: { fromNs, toNs: fromNs },
      timeline: [],
    };
    result.pressure = pressure;
    try {
      if (cfg.mode === 'limit') {
        try {
          setMemcgLimits(memcg, { memoryBytes: limitBytes, swapBytes: opts.initialLimits?.swapBytes ?? null });
          pressure.limitWriteNs = nowNs() - fromNs;
        } catch (err) {
          pressure.limitError = (err as Error).message;
        }
        timeline.point();
      } else {
        const balloonMiB = cfg.balloonMiB ?? 0;
        balloon = await inflateBalloon(memcg, balloonMiB);
        pressure.balloon = { sizeMiB: balloonMiB, pid: balloon.pid, error: balloon.error };
      }
      result.access.underPressure = accessOf(await workload.measure(measureOpts));
      const residency = await workload.residency();
      const coldSet = residency.sets.find((s) => s.role === 'cold');
      result.coldPages = coldSet?.pages ?? null;
      result.hotPages = residency.sets.find((s) => s.role === 'hot')?.pages ?? null;
      result.coldEvictedPages = coldSet === undefined ? null : coldSet.pages - coldSet.residentPages;
    } finally {
      // Also when the workload died under the limit: what the cgroup went through is data.
      pressure.window.toNs = nowNs();
      pressure.timeline = timeline.finish();
      pressure.statDeltas = statDeltas(stat0, readMemcgStat(memcg));
      pressure.psi = psiDelta(psi0, readMemoryPsi(memcg));
    }

    // Room again, every page touched again, then every page must still hold what was written.
    if (balloon !== null) await deflateBalloon(balloon);
    setMemcgLimits(memcg, { memoryBytes: null, swapBytes: null });
    const vmBeforeTouch = readVmstat();
    const touched = await workload.retouch();
    const vmAfterTouch = readVmstat();
    result.retouch = { elapsedNs: touched.elapsedNs, majorFaults: touched.majorFaults, minorFaults: touched.minorFaults };
    vmstat.retouchPswpinPages = (vmAfterTouch.pswpin ?? 0) - (vmBeforeTouch.pswpin ?? 0);
    vmstat.span = vmstatSampleDeltas(vmBeforeHint, vmAfterTouch);
    const v = await workload.verify();
    result.intact = v.intact;
    result.corruptPages = v.corruptPages;
  } catch (err) {
    // An abort is not data: it ends the sample (after the clean-up below) and goes up.
    if (opts.signal?.aborted) throw err;
    result.error = (err as Error).message;
  } finally {
    await cleanUp();
  }
  return result;

  async function cleanUp(): Promise<void> {
    timeline?.stop();
    await (ownMechanism as Mechanism | null)?.dispose();
    ownMechanism = null;
    const memcg = cg as Memcg | null;
    if (memcg !== null) {
      try {
        result.oom.kills = readMemcgOom(memcg).oomKills;
      } catch {
        /* the cgroup is gone already */
      }
    }
    if (balloon !== null) await deflateBalloon(balloon);
    if (workload !== null && !opts.stopAfterStart) await workload.exit();
    else if (workload !== null) await workload.kill();
    if (memcg !== null) {
      result.oom.workloadExit = workload === null ? null : await workload.exited;
      await removeLabMemcg(memcg);
      cg = null;
    }
    if (result.oom.kills > 0 && result.oom.reason === null)
      result.oom.reason = oomReason(memcg, [spawnedPid, ...(balloon === null || balloon.pid === 0 ? [] : [balloon.pid])], result.oom.kills);
  }
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

/** The OOM kills of a sample in one line: how many, where, and the kernel's own lines about the sample's processes (workload, balloon). */
function oomReason(cg: Memcg | null, pids: readonly number[], kills: number): string {
  const log = readKernelLog();
  const lines = pids.flatMap((pid) => oomLinesFor(log, pid));
  const where = cg === null ? 'its memory cgroup' : cg.dir;
  return `${kills} OOM kill(s) in ${where}${lines.length === 0 ? ` (the kernel log has no line for pid ${pids.join(' or ')})` : `: ${lines.join(' | ')}`}`;
}
