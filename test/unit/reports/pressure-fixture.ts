/**
 * Synthetic results of the pressure family and of the `kinds` suite, built on the hand-made
 * fixture's environment and validated against the results schema (RunResultSchema). The
 * figures are shaped like docs/lab.md's measured table (64 MiB hot + 192 MiB cold anonymous,
 * limit 176 MiB) and like COLD/PAGEOUT per memory kind, with a deterministic spread per
 * sample; they exercise the report views, they are not measurements.
 */
import { summariesOf } from '../../../core/schema/migrate.ts';
import type { PressureSpec, PressureStrategy, PressureTimelinePoint } from '../../../core/schema/pressure.ts';
import { RunResultSchema } from '../../../core/schema/results.ts';
import type { MemoryKind } from '../../../core/schema/enums.ts';
import type { RunResult, Sample, Scenario, ScenarioResult } from '../../../core/types.ts';
import { fixtureRun } from './fixture.ts';

const MiB = 2 ** 20;
const PAGE = 4096;

/** A fixture sample with every field of every family (nulls where not set), reset to a neutral state. */
function baseSample(run: RunResult): Sample {
  const s = structuredClone(run.scenarios[0]!.samples[0]!);
  return { ...s, errors: [], warmUp: false };
}

/** A deterministic spread in [-1, 1] for sample i of series k. */
const jitter = (i: number, k: number): number => Math.sin(1.7 * i + 2.3 * k);

/** How each strategy fares, per sample (docs/lab.md's medians). */
const STRATEGY_SHAPE: Readonly<Record<Exclude<PressureStrategy, 'memory_reclaim'>, { freedMiB: number; hotRefaults: number; p99Ns: number; reclaimPasses: number }>> = {
  none: { freedMiB: 0, hotRefaults: 16384, p99Ns: 16_400, reclaimPasses: 2_400 },
  cold_cold_set: { freedMiB: 0, hotRefaults: 0, p99Ns: 700, reclaimPasses: 1_500 },
  pageout_cold_set: { freedMiB: 191.8, hotRefaults: 0, p99Ns: 400, reclaimPasses: 0 },
  pageout_all: { freedMiB: 255.9, hotRefaults: 16384, p99Ns: 7_700, reclaimPasses: 0 },
};

/** The pressure timeline of one sample: 10 points, 50 ms apart. */
function timeline(strategy: keyof typeof STRATEGY_SHAPE, i: number): PressureTimelinePoint[] {
  const shape = STRATEGY_SHAPE[strategy];
  const startRss = (64 + 192 - shape.freedMiB) * MiB;
  const endRss = Math.min(startRss, 112 * MiB);
  return Array.from({ length: 10 }, (_, t) => {
    const f = Math.min(1, (t + 1) / 4);
    const rss = startRss - (startRss - endRss) * f;
    return {
      tMs: t * 50 + i,
      rssBytes: Math.round(rss),
      swapBytes: Math.round(256 * MiB - rss),
      cgroupUsageBytes: Math.round(rss + 60 * MiB),
      refaultPages: Math.round((shape.hotRefaults * t) / 9),
      reclaimEvents: Math.round((shape.reclaimPasses * f * (1 + 0.05 * jitter(i, t))) / 1),
    };
  });
}

/** A pressure scenario of `strategy` delivered by `mechanism`. */
function pressureScenario(strategy: keyof typeof STRATEGY_SHAPE, mechanism: 'process_madvise' | 'ptrace'): Scenario {
  const pressure: PressureSpec = {
    strategy,
    delivery: 'external',
    hot: { kind: 'anon', content: 'random', sizeMiB: 64 },
    cold: { kind: 'anon', content: 'random', sizeMiB: 192 },
    mode: 'limit',
    limitMiB: 176,
    balloonMiB: null,
  };
  const hinted = strategy !== 'none';
  return {
    id: `pressure/${strategy}/${hinted ? mechanism : 'none'}/hot-anon-random-64MiB-cold-anon-random-192MiB/limit-176MiB`,
    mechanism: hinted ? mechanism : 'none',
    advice: strategy === 'cold_cold_set' ? 'cold' : hinted ? 'pageout' : 'none',
    memory: { kind: 'anon', content: 'random', sizeMiB: 256, vmas: 2 },
    targetState: 'running',
    repetitions: 6,
    pressure,
  };
}

/** One pressure sample. */
function pressureSample(base: Sample, scenario: Scenario, i: number, k: number): Sample {
  const strategy = scenario.pressure!.strategy as keyof typeof STRATEGY_SHAPE;
  const shape = STRATEGY_SHAPE[strategy];
  const j = jitter(i, k);
  const points = timeline(strategy, i);
  const reclaimEvents = points.at(-1)!.reclaimEvents!;
  const hist = new Array<number>(21).fill(0);
  if (reclaimEvents > 0) {
    hist[16] = Math.floor(reclaimEvents / 4);
    hist[18] = Math.floor(reclaimEvents / 8);
    hist[17] = reclaimEvents - hist[16]! - hist[18]!;
  }
  return {
    ...base,
    repetition: i,
    pid: 5000 + 10 * k + i,
    userLatencyNs: scenario.mechanism === 'none' ? null : 40e6 * (1 + 0.1 * j),
    stallNs: scenario.mechanism === 'ptrace' ? 30e6 * (1 + 0.1 * j) : null,
    hintFreedBytes: Math.max(0, Math.round(shape.freedMiB * MiB * (1 + 0.001 * j))),
    hotPages: (64 * MiB) / PAGE,
    hotRefaultPages: Math.max(0, Math.round(shape.hotRefaults - (shape.hotRefaults > 0 ? 10 * (1 + j) : 0))),
    coldPages: (192 * MiB) / PAGE,
    coldEvictedPages: Math.round(((192 * MiB) / PAGE) * (shape.freedMiB > 0 ? 1 : 0.6 + 0.02 * j)),
    accessP50Ns: shape.p99Ns / 3,
    accessP99Ns: shape.p99Ns * (1 + 0.1 * j),
    accessMaxNs: shape.p99Ns * 20,
    accessP99NoPressureNs: 600 * (1 + 0.1 * j),
    memcgRefaultAnonDeltaPages: shape.hotRefaults,
    memcgRefaultFileDeltaPages: 0,
    memcgPgmajfaultDelta: shape.hotRefaults + 2000,
    psiSomeNs: (shape.hotRefaults > 0 ? 80e6 : 5e6) * (1 + 0.2 * j),
    psiFullNs: (shape.hotRefaults > 0 ? 40e6 : 1e6) * (1 + 0.2 * j),
    psiScope: 'system',
    oomKills: 0,
    limitWriteNs: shape.reclaimPasses > 0 ? 500e6 * (1 + 0.2 * j) : 1e5,
    reclaimEvents,
    reclaimLatencyMeanNs: reclaimEvents > 0 ? 200_000 * (1 + 0.1 * j) : null,
    reclaimLatencyLog2Hist: hist.slice(0, reclaimEvents > 0 ? 19 : 0),
    reclaimThrottleEvents: 0,
    pressureTimeline: points,
    dataIntact: true,
  };
}

/** A scenario result with its summaries. */
function resultOf(scenario: Scenario, samples: Sample[]): ScenarioResult {
  return { scenario, status: 'ok', error: null, samples, summary: summariesOf(samples), warnings: [] };
}

/** Validates a run against the results schema and returns what the schema gives back. */
function validated(run: RunResult): RunResult {
  return RunResultSchema.parse(JSON.parse(JSON.stringify(run))) as RunResult;
}

/** A `pressure` run: the four strategies via process_madvise (none once), `n` samples each. */
export function pressureRun(n = 6, mechanisms: readonly ('process_madvise' | 'ptrace')[] = ['process_madvise']): RunResult {
  const run = fixtureRun();
  const base = baseSample(run);
  const scenarios: Scenario[] = [pressureScenario('none', 'process_madvise')];
  for (const m of mechanisms) for (const s of ['cold_cold_set', 'pageout_cold_set', 'pageout_all'] as const) scenarios.push(pressureScenario(s, m));
  run.suite = 'pressure';
  run.scenarios = scenarios.map((sc, k) =>
    resultOf(
      sc,
      Array.from({ length: n }, (_, i) => pressureSample(base, sc, i, k)),
    ),
  );
  return validated(run);
}

/** How COLD and PAGEOUT act on 32 MiB of each kind: RSS drop and swap growth (MiB) and pages reclaimed. */
const KIND_SHAPE: Readonly<Record<MemoryKind, { rssDropMiB: number; swapMiB: number }>> = {
  anon: { rssDropMiB: 32, swapMiB: 32 },
  file_private: { rssDropMiB: 32, swapMiB: 0 },
  file_shared: { rssDropMiB: 32, swapMiB: 0 },
  shmem: { rssDropMiB: 32, swapMiB: 32 },
  memfd: { rssDropMiB: 32, swapMiB: 32 },
  thp: { rssDropMiB: 32, swapMiB: 32 },
};

/** A `kinds` run: COLD and PAGEOUT via process_madvise over `kinds`, `n` samples each, plus the baseline. */
export function kindsRun(kinds: readonly MemoryKind[] = ['anon', 'file_private', 'file_shared', 'shmem'], n = 6): RunResult {
  const run = fixtureRun();
  const base = baseSample(run);
  const results: ScenarioResult[] = [];
  let k = 0;
  for (const kind of kinds) {
    for (const advice of ['cold', 'pageout'] as const) {
      const scenario: Scenario = {
        id: `process_madvise/${advice}/${kind}-random-32MiB-1vma/sleeping`,
        mechanism: 'process_madvise',
        advice,
        memory: { kind, content: 'random', sizeMiB: 32, vmas: 1 },
        targetState: 'sleeping',
        repetitions: n,
      };
      const shape = KIND_SHAPE[kind];
      const pageout = advice === 'pageout';
      const samples = Array.from({ length: n }, (_, i): Sample => {
        const j = jitter(i, k);
        const drop = pageout ? shape.rssDropMiB * MiB * (1 - 0.002 * (1 + j)) : 4096 * (i % 2);
        const swap = pageout ? shape.swapMiB * MiB * (1 - 0.002 * (1 + j)) : 0;
        return {
          ...base,
          repetition: i,
          pid: 7000 + 10 * k + i,
          userLatencyNs: (pageout ? 15e6 : 0.2e6) * (1 + 0.1 * j),
          kernelLatencyNs: (pageout ? 14e6 : 0.15e6) * (1 + 0.1 * j),
          reclaimedPages: pageout ? Math.round(drop / PAGE) : 0,
          bytesRequested: 32 * MiB,
          bytesAdvised: 32 * MiB,
          rssBeforeBytes: 60 * MiB,
          rssAfterBytes: Math.round(60 * MiB - drop),
          swapBeforeBytes: 0,
          // VmSwap leaves out swapped shmem and memfd pages; pswpout counts them.
          swapAfterBytes: kind === 'shmem' || kind === 'memfd' ? 0 : Math.round(swap),
          pswpoutDeltaPages: Math.round(swap / PAGE),
          retouchMajorFaults: pageout ? Math.round(drop / PAGE) : 0,
          dataIntact: true,
        };
      });
      results.push(resultOf(scenario, samples));
      k++;
    }
  }
  run.suite = 'kinds';
  run.scenarios = results;
  return validated(run);
}
