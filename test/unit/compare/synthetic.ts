/**
 * Synthetic runs for compare tests: the hand-made results fixture's environment and scenarios,
 * with samples drawn from log-normal distributions of known medians (core/stats/simulation.ts),
 * optionally shifted by a known factor per metric.
 */
import type { SampleFieldName } from '../../../core/metrics.ts';
import { SeededRandom } from '../../../core/stats/random.ts';
import { drawValue, type SyntheticDistribution } from '../../../core/stats/simulation.ts';
import type { RunResult, Sample, ScenarioResult } from '../../../core/types.ts';
import type { LoadedRun } from '../../../reports/compare/load.ts';
import { fixtureRun } from '../reports/fixture.ts';

/** Medians of the synthetic metrics (ns, pages). */
export const MEDIANS: Partial<Record<SampleFieldName, number>> = {
  userLatencyNs: 50e6,
  kernelLatencyNs: 49e6,
  retouchNs: 35e6,
  stallNs: 50e6,
  injectorStopNs: 50e6,
  callerCpuNs: 60e3,
};

/** Options of a synthetic run. */
export interface SyntheticOptions {
  /** Samples per scenario. */
  n: number;
  /** Seed of the draws. */
  seed: number;
  /** Coefficient of variation of every metric (default 5 %). */
  cv?: number;
  /** Multiplicative shift per metric (1.1 = +10 %); metrics not named are not shifted. */
  scale?: Partial<Record<SampleFieldName, number>>;
  /** Scenario indices of the fixture to keep (default: the two PAGEOUT scenarios, 0 and 1). */
  scenarios?: number[];
}

/** A synthetic run: the fixture's scenarios with drawn samples. */
export function syntheticRun(opts: SyntheticOptions): RunResult {
  const run = fixtureRun();
  const rng = new SeededRandom(opts.seed);
  const cv = opts.cv ?? 0.05;
  const keep = opts.scenarios ?? [0, 1];
  const template = run.scenarios[1]!.samples[0]!;
  run.scenarios = keep.map((i): ScenarioResult => {
    const r = run.scenarios[i]!;
    const samples: Sample[] = Array.from({ length: opts.n }, (_, rep) => {
      const s: Sample = { ...template, repetition: rep, errors: [] };
      for (const [field, median] of Object.entries(MEDIANS) as [SampleFieldName, number][]) {
        const dist: SyntheticDistribution = { median, cv, outlierProbability: 0, outlierFactorRange: [1, 1] };
        (s as Record<string, unknown>)[field] = drawValue(rng, dist, opts.scale?.[field] ?? 1);
      }
      s.reclaimedPages = Math.round(16384 * (opts.scale?.reclaimedPages ?? 1));
      if (r.scenario.mechanism !== 'ptrace') {
        s.stallNs = null;
        s.injectorStopNs = null;
      }
      return s;
    });
    return { ...r, status: 'ok', error: null, samples, summary: {}, warnings: [] };
  });
  return run;
}

/** A synthetic run as if loaded from `dir`. */
export function loaded(run: RunResult, dir: string): LoadedRun {
  return { dir, run, fileSchemaVersion: run.schemaVersion };
}
