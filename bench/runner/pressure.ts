/**
 * The pressure family in the suite runner: one repetition of a scenario with a `pressure`
 * spec is one strategy-lab sample (bench/pressure/sample.ts) in a fresh memory cgroup, turned
 * into a Sample whose pressure fields (core/metrics/pressure.ts) are filled and whose common
 * fields hold what they mean here (the hint, the workload's RSS and swap across it, the
 * re-touch after the pressure, the data check). What the kernel did (an OOM kill, a refused
 * limit) is data in `errors`, never a crash.
 */
import type { MemcgFeatures } from '../../core/cgroup/memcg.ts';
import type { PressureSpec } from '../../core/schema/pressure.ts';
import { HintbenchError } from '../../core/errors.ts';
import type { Sample, Scenario, Suite } from '../../core/types.ts';
import type { Mechanism } from '../mechanisms/mechanism.ts';
import { labConfigOfSpec } from '../pressure/config.ts';
import { detectMemcg, removeStaleLabMemcgs } from '../pressure/memcg-host.ts';
import { type LabSample, runLabSample } from '../pressure/sample.ts';
import { newSample, type RepetitionPlace, type SampleDraft } from './sample-draft.ts';
import { readFileSync } from 'node:fs';
import { IDLE_COMM, RETOUCH_COMM } from '../../workloads/protocol.ts';

const MIB = 2 ** 20;

let features: Promise<MemcgFeatures> | null = null;

/** The host's memory controller, detected once per process (stale lab cgroups of dead runners removed first). */
function hostMemcg(): Promise<MemcgFeatures> {
  features ??= (async () => {
    const f = detectMemcg();
    await removeStaleLabMemcgs(f);
    return f;
  })();
  return features;
}

/**
 * Why this host cannot run a pressure scenario, or null when it can: a memory_reclaim
 * scenario needs cgroup v2's memory.reclaim, which a cgroup v1 memory controller lacks.
 */
export function pressureUnavailable(spec: PressureSpec, f: Pick<MemcgFeatures, 'proactiveReclaim' | 'proactiveReclaimMissing'>): string | null {
  if (spec.strategy === 'memory_reclaim' && !f.proactiveReclaim) return `proactive reclaim is missing: ${f.proactiveReclaimMissing ?? 'memory.reclaim is not there'}`;
  return null;
}

/** Bytes a strategy asks to be hinted or reclaimed: the cold set, both sets, or none. */
function requestedBytes(spec: PressureSpec): number {
  switch (spec.strategy) {
    case 'none':
      return 0;
    case 'pageout_all':
      return Math.round((spec.hot.sizeMiB + spec.cold.sizeMiB) * MIB);
    default:
      return Math.round(spec.cold.sizeMiB * MIB);
  }
}

/** Every problem of a lab sample as one line each: hint errors, a refused limit, a balloon that did not fill, OOM kills, corruption, what ended it. */
export function labSampleErrors(s: LabSample): string[] {
  const out: string[] = [];
  if (s.hint?.error) out.push(`hint (${s.hint.via}): ${s.hint.error}`);
  for (const skipped of s.hint?.skipped ?? []) out.push(skipped);
  if (s.pressure?.limitError) out.push(`limit of ${Math.round(s.pressure.limitBytes / MIB)} MiB refused: ${s.pressure.limitError}`);
  if (s.pressure?.balloon?.error) out.push(s.pressure.balloon.error);
  if (s.oom.kills > 0) out.push(s.oom.reason ?? `${s.oom.kills} OOM kill(s)`);
  if (s.intact === false) out.push(`data corrupted: ${s.corruptPages} pages differ after the hint, the pressure and the re-touch`);
  if (s.error !== null) out.push(s.error);
  return out;
}

/** The Sample of a lab sample (pressure fields filled, probe figures null until attribution). */
export function sampleOfLab(s: LabSample, spec: PressureSpec, place: RepetitionPlace): Sample {
  const p = s.pressure;
  const under = s.access.underPressure;
  const snap = s.hintSnapshot;
  const anyStat = (k: keyof NonNullable<LabSample['pressure']>['statDeltas']): number | null => p?.statDeltas[k] ?? null;
  return {
    ...newSample(place, s.pid, requestedBytes(spec)),
    userLatencyNs: s.hint?.userLatencyNs ?? null,
    syscalls: s.hint?.syscalls ?? 0,
    bytesAdvised: s.hint?.bytesAdvised ?? 0,
    rssBeforeBytes: snap?.rssBeforeBytes ?? 0,
    rssAfterBytes: snap?.rssAfterBytes ?? 0,
    swapBeforeBytes: snap?.swapBeforeBytes ?? 0,
    swapAfterBytes: snap?.swapAfterBytes ?? 0,
    pswpoutDeltaPages: s.vmstat?.hintPswpoutPages ?? 0,
    pswpinDeltaPages: s.vmstat?.retouchPswpinPages ?? 0,
    retouchNs: s.retouch?.elapsedNs ?? 0,
    retouchMajorFaults: s.retouch?.majorFaults ?? 0,
    ...(s.vmstat?.span ?? {}),
    retouchMinorFaults: s.retouch?.minorFaults ?? null,
    hintFreedBytes: s.freed?.cgroupUsageBytes ?? null,
    hotPages: s.hotPages,
    hotRefaultPages: under?.faultedPages ?? null,
    coldPages: s.coldPages,
    coldEvictedPages: s.coldEvictedPages,
    accessP50Ns: under?.p50Ns ?? null,
    accessP99Ns: under?.p99Ns ?? null,
    accessMaxNs: under?.maxNs ?? null,
    accessP99NoPressureNs: s.access.withoutPressure?.p99Ns ?? null,
    memcgRefaultAnonDeltaPages: anyStat('workingset_refault_anon'),
    memcgRefaultFileDeltaPages: anyStat('workingset_refault_file'),
    memcgActivateAnonDeltaPages: anyStat('workingset_activate_anon'),
    memcgActivateFileDeltaPages: anyStat('workingset_activate_file'),
    memcgPgscanDeltaPages: anyStat('pgscan'),
    memcgPgstealDeltaPages: anyStat('pgsteal'),
    memcgPgmajfaultDelta: anyStat('pgmajfault'),
    psiSomeNs: p?.psi ? p.psi.someUs * 1000 : null,
    psiFullNs: p?.psi ? p.psi.fullUs * 1000 : null,
    psiScope: p?.psi?.scope ?? null,
    oomKills: s.oom.kills,
    limitWriteNs: p?.limitWriteNs ?? null,
    pressureTimeline: p === null ? null : p.timeline,
    dataIntact: s.intact === true,
    errors: labSampleErrors(s),
  };
}

/**
 * One repetition of a pressure scenario: a lab sample with the scenario's spec, its hint
 * delivered by `mechanism` (external delivery) or by the workload itself. Only an abort throws.
 */
export async function runPressureRepetition(scenario: Scenario, mechanism: Mechanism, place: RepetitionPlace, signal?: AbortSignal): Promise<SampleDraft> {
  const spec = scenario.pressure!;
  const via = scenario.mechanism === 'ptrace' ? 'ptrace' : 'process_madvise';
  const cfg = labConfigOfSpec(spec, via);
  const f = await hostMemcg();
  const lab = await runLabSample(cfg, spec.strategy, f, {
    ...(spec.delivery === 'external' && scenario.mechanism !== 'none' ? { mechanism } : {}),
    ...(signal === undefined ? {} : { signal }),
  });
  // No workload process at all (it could not be spawned): not a sample, the run cannot go on.
  if (lab.pid === 0) throw new Error(lab.error ?? 'the working-set workload did not start');
  const sample = sampleOfLab(lab, spec, place);
  const hintWindow = lab.hint === null ? { fromNs: lab.pressure?.window.fromNs ?? 0, toNs: lab.pressure?.window.fromNs ?? 0 } : { fromNs: lab.hint.fromNs, toNs: lab.hint.toNs };
  return {
    sample,
    hintWindow,
    syscallTid: lab.hint?.syscallTid ?? process.pid,
    targetTids: lab.pid > 0 ? [lab.pid] : [],
    // The pressure reclaims on purpose: reclaim in the cgroup is the measurement, not noise from others.
    backgroundReclaimPages: 0,
    pressureWindow: lab.pressure === null ? null : { ...lab.pressure.window },
  };
}

/**
 * The suite without the pressure scenarios this host cannot run, and a run warning for each
 * left out, with the reason (e.g. memory_reclaim on a cgroup v1 memory controller). A suite
 * without pressure scenarios is returned as it is, without looking at the host.
 */
export function omitUnavailable(suite: Suite, host: () => Pick<MemcgFeatures, 'proactiveReclaim' | 'proactiveReclaimMissing'> = detectMemcg): { suite: Suite; warnings: string[] } {
  if (!suite.scenarios.some((s) => s.pressure?.strategy === 'memory_reclaim')) return { suite, warnings: [] };
  const f = host();
  const warnings: string[] = [];
  const kept = suite.scenarios.filter((s) => {
    const why = s.pressure === undefined ? null : pressureUnavailable(s.pressure, f);
    if (why !== null)
      warnings.push(`scenario ${s.id} left out: ${why}. Fix: run on a host with the memory controller on cgroup v2 (Linux 5.19+) for the proactive-reclaim baseline`);
    return why === null;
  });
  if (kept.length === 0)
    throw new HintbenchError(`suite '${suite.name}' has no scenario this host can run: ${warnings[0]}`, 'add scenarios this host can run, or run on a cgroup v2 host');
  return { suite: { ...suite, scenarios: kept }, warnings };
}

/** Thread name of a Node.js workload before it names its thread: the balloon while it fills. */
const UNNAMED_WORKLOAD_COMM = 'node';

/**
 * Thread names of a pressure phase's own reclaim: the workloads' threads (hbw-*), the
 * balloon's while it fills (not yet renamed), and this thread, the runner, which lowers the
 * memcg limit and reclaims in doing so.
 */
export function pressureOwnComms(): string[] {
  const comms = [IDLE_COMM, RETOUCH_COMM, UNNAMED_WORKLOAD_COMM];
  try {
    const runner = readFileSync('/proc/thread-self/comm', 'utf8').trim();
    if (!comms.includes(runner)) comms.push(runner);
  } catch {
    /* no procfs: the runner's share stays counted */
  }
  return comms;
}
