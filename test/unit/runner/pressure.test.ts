import { describe, expect, it } from 'vitest';
import { omitUnavailable, pressureUnavailable, sampleOfLab } from '../../../bench/runner/pressure.ts';
import { RUN_RESERVE_BYTES, WORKLOAD_BASE_BYTES, WORKLOAD_OVERHEAD_PER_BYTE, scenarioNeedBytes } from '../../../bench/runner/plan.ts';
import type { LabSample } from '../../../bench/pressure/sample.ts';
import { builtinSuite } from '../../../bench/scenarios/builtin.ts';
import { expandPressure } from '../../../bench/scenarios/pressure.ts';
import { HintbenchError } from '../../../core/errors.ts';
import { SampleSchema } from '../../../core/schema/results.ts';
import { FAMILY_FIELDS } from '../../../core/metrics.ts';

const MiB = 2 ** 20;
const V1 = { proactiveReclaim: false, proactiveReclaimMissing: 'memory.reclaim exists only on cgroup v2 (Linux 5.19+); this host runs the memory controller on cgroup v1' };
const V2 = { proactiveReclaim: true, proactiveReclaimMissing: null };

const spec = builtinSuite('pressure').scenarios.find((s) => s.pressure?.strategy === 'pageout_cold_set' && s.mechanism === 'ptrace')!.pressure!;

function lab(extra: Partial<LabSample> = {}): LabSample {
  const access = (p99Ns: number, faultedPages: number) => ({ p50Ns: 300, p99Ns, maxNs: 9000, pages: 16384, faultedPages, majorFaults: faultedPages, lateBatches: 0 });
  return {
    strategy: 'pageout_cold_set',
    delivery: 'external',
    mode: 'limit',
    memcg: { version: 'v1', dir: '/sys/fs/cgroup/memory/hintbench-1-2-3' },
    pid: 4242,
    hint: {
      via: 'ptrace',
      advice: 'pageout',
      set: 'cold',
      bytesAdvised: 96 * MiB,
      userLatencyNs: 40e6,
      syscalls: 1,
      syscallTid: 4242,
      fromNs: 1_000,
      toNs: 2_000,
      skipped: [],
      error: null,
    },
    hintSnapshot: { rssBeforeBytes: 180 * MiB, swapBeforeBytes: 0, rssAfterBytes: 84 * MiB, swapAfterBytes: 96 * MiB },
    freed: { rssBytes: 96 * MiB, cgroupUsageBytes: 95.9 * MiB, processSwapBytes: 96 * MiB, cgroupSwapBytes: 96 * MiB },
    access: { withoutPressure: access(700, 0), underPressure: access(500, 3) },
    coldEvictedPages: 24576,
    coldPages: 24576,
    hotPages: 8192,
    pressure: {
      limitBytes: 120 * MiB,
      limitWriteNs: 200_000,
      limitError: null,
      balloon: null,
      statDeltas: {
        workingset_refault_anon: 10,
        workingset_refault_file: 2,
        workingset_activate_anon: null,
        workingset_activate_file: null,
        pgscan: null,
        pgsteal: null,
        pgmajfault: 15,
        pgpgout: 0,
      },
      psi: { scope: 'system', source: '/proc/pressure/memory', someUs: 1500, fullUs: 700 },
      window: { fromNs: 3_000, toNs: 1_003_000 },
      timeline: [{ tMs: 0, rssBytes: 84 * MiB, swapBytes: 96 * MiB, cgroupUsageBytes: 100 * MiB, refaultPages: 0, reclaimEvents: null }],
    },
    oom: { kills: 0, reason: null, workloadExit: { code: 0, signal: null } },
    retouch: { elapsedNs: 30e6, majorFaults: 24576, minorFaults: 10 },
    vmstat: { hintPswpoutPages: 24576, retouchPswpinPages: 24576, span: null },
    intact: true,
    corruptPages: 0,
    error: null,
    ...extra,
  };
}

describe('pressure samples in the runner', () => {
  it('fill the pressure fields and the common ones, and validate against the results schema', () => {
    const s = sampleOfLab(lab(), spec, { repetition: 1, warmUp: false, block: 0 });
    expect(SampleSchema.safeParse(s).success).toBe(true);
    expect(s).toMatchObject({
      pid: 4242,
      userLatencyNs: 40e6,
      syscalls: 1,
      bytesRequested: 96 * MiB,
      bytesAdvised: 96 * MiB,
      rssBeforeBytes: 180 * MiB,
      rssAfterBytes: 84 * MiB,
      swapAfterBytes: 96 * MiB,
      pswpoutDeltaPages: 24576,
      pswpinDeltaPages: 24576,
      retouchMajorFaults: 24576,
      hintFreedBytes: 95.9 * MiB,
      hotPages: 8192,
      hotRefaultPages: 3,
      coldEvictedPages: 24576,
      accessP99Ns: 500,
      accessP99NoPressureNs: 700,
      memcgRefaultAnonDeltaPages: 10,
      memcgPgscanDeltaPages: null,
      memcgPgmajfaultDelta: 15,
      psiSomeNs: 1_500_000,
      psiFullNs: 700_000,
      psiScope: 'system',
      oomKills: 0,
      limitWriteNs: 200_000,
      dataIntact: true,
      errors: [],
    });
    expect(s.pressureTimeline).toHaveLength(1);
    // The probe's fields are the other branch's to fill: null here.
    expect(s.reclaimEvents).toBeNull();
    expect(s.reclaimLatencyLog2Hist).toBeNull();
    // Every pressure field exists on the sample.
    for (const k of Object.keys(FAMILY_FIELDS)) expect(k in s).toBe(true);
  });

  it('an OOM kill, a refused limit, a balloon that did not fill and corruption are errors of the sample, never silent', () => {
    const base = lab();
    const s = sampleOfLab(
      lab({
        oom: { kills: 1, reason: '1 OOM kill(s) in /x: oom-kill:constraint=CONSTRAINT_MEMCG,...,pid=4242,', workloadExit: { code: null, signal: 'SIGKILL' } },
        pressure: { ...base.pressure!, limitError: 'EBUSY', balloon: { sizeMiB: 64, pid: 9, error: 'balloon of 64 MiB did not fill: exited' } },
        intact: false,
        corruptPages: 2,
        error: 'workload exited (SIGKILL)',
      }),
      spec,
      { repetition: 0, warmUp: true, block: -1 },
    );
    expect(s.oomKills).toBe(1);
    expect(s.dataIntact).toBe(false);
    expect(s.errors).toEqual([
      'limit of 120 MiB refused: EBUSY',
      'balloon of 64 MiB did not fill: exited',
      '1 OOM kill(s) in /x: oom-kill:constraint=CONSTRAINT_MEMCG,...,pid=4242,',
      'data corrupted: 2 pages differ after the hint, the pressure and the re-touch',
      'workload exited (SIGKILL)',
    ]);
    expect(SampleSchema.safeParse(s).success).toBe(true);
  });

  it('a sample that ended before the pressure has null pressure figures, not zeros', () => {
    const s = sampleOfLab(
      lab({ pressure: null, access: { withoutPressure: null, underPressure: null }, retouch: null, hotPages: null, coldPages: null, coldEvictedPages: null }),
      spec,
      {
        repetition: 0,
        warmUp: false,
        block: 0,
      },
    );
    expect(s.hotRefaultPages).toBeNull();
    expect(s.accessP99Ns).toBeNull();
    expect(s.psiSomeNs).toBeNull();
    expect(s.pressureTimeline).toBeNull();
    expect(s.limitWriteNs).toBeNull();
  });
});

describe('scenarios this host cannot run', () => {
  it('memory_reclaim needs cgroup v2: left out on v1 with a run warning that says why', () => {
    const suite = builtinSuite('pressure');
    const { suite: kept, warnings } = omitUnavailable(suite, () => V1);
    expect(kept.scenarios).toHaveLength(suite.scenarios.length - 1);
    expect(kept.scenarios.some((s) => s.pressure?.strategy === 'memory_reclaim')).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^scenario pressure\/memory_reclaim\/memory\.reclaim\/.* left out: proactive reclaim is missing: memory\.reclaim exists only on cgroup v2.*Fix: /);
    expect(omitUnavailable(suite, () => V2)).toEqual({ suite, warnings: [] });
    expect(pressureUnavailable(suite.scenarios[0]!.pressure!, V1)).toBeNull();
  });

  it('does not look at the host for a suite without memory_reclaim, and refuses a suite left empty', () => {
    const smoke = builtinSuite('smoke');
    expect(
      omitUnavailable(smoke, () => {
        throw new Error('must not be called');
      }).suite,
    ).toBe(smoke);
    const onlyReclaim = { name: 'r', description: 'r', scenarios: builtinSuite('pressure').scenarios.filter((s) => s.pressure?.strategy === 'memory_reclaim') };
    expect(() => omitUnavailable(onlyReclaim, () => V1)).toThrow(HintbenchError);
  });
});

describe('memory plan of pressure scenarios', () => {
  it('counts the working set, and the balloon as a second workload in balloon mode', () => {
    const [limit, balloon] = expandPressure({
      strategies: ['none'],
      mechanisms: ['process_madvise'],
      selfDeliveries: [],
      hot: { kind: 'anon', content: 'random', sizeMiB: 32 },
      cold: { kind: 'anon', content: 'random', sizeMiB: 96 },
      modes: ['limit', 'balloon'],
      limitMiB: null,
      balloonLimitMiB: null,
      balloonMiB: 64,
      repetitions: 1,
    });
    const workload = (mib: number) => mib * MiB + Math.ceil(mib * MiB * WORKLOAD_OVERHEAD_PER_BYTE) + WORKLOAD_BASE_BYTES;
    expect(scenarioNeedBytes(limit!)).toBe(workload(128) + RUN_RESERVE_BYTES);
    expect(scenarioNeedBytes(balloon!)).toBe(workload(128) + workload(64) + RUN_RESERVE_BYTES);
  });
});
