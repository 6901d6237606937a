/** Synthetic runs for the claims evaluators: scenarios with samples whose figures a test chooses. */
import { familyNulls } from '../../../../core/metrics.ts';
import type { RunResult, Sample, Scenario, ScenarioResult } from '../../../../core/types.ts';
import { fixtureRun } from '../fixture.ts';

/** A measured sample of the fixture's first scenario with every family field null, then `fields` applied. */
export function syntheticSample(repetition: number, fields: Partial<Sample>): Sample {
  const base = fixtureRun().scenarios[0]!.samples[0]!;
  return { ...structuredClone(base), ...familyNulls(), repetition, warmUp: false, block: repetition, errors: [], dataIntact: true, ...fields };
}

/** A scenario result with the given samples (status ok, no summary or warnings). */
export function syntheticResult(scenario: Scenario, samples: Sample[]): ScenarioResult {
  return { scenario, status: 'ok', error: null, samples, summary: {}, warnings: [] };
}

/** The fixture run with `scenarios` instead of its own. */
export function syntheticRun(scenarios: ScenarioResult[]): RunResult {
  return { ...fixtureRun(), scenarios };
}
