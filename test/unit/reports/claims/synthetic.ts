/** Synthetic runs for the claim evaluators: scenarios whose samples carry figures a test chooses. */
import { familyNulls } from '../../../../core/metrics.ts';
import type { MechanismName, RunResult, Sample, Scenario, ScenarioResult, TargetState } from '../../../../core/types.ts';
import { fixtureRun } from '../fixture.ts';

/** A run with no scenarios (environment and the rest from the fixture). */
export function emptyRun(): RunResult {
  const run = fixtureRun();
  run.scenarios = [];
  return run;
}

const template = (): Sample => structuredClone(fixtureRun().scenarios.find((r) => r.samples.length > 0)!.samples[0]!);

/** Adds a PAGEOUT scenario with one measured sample per entry of `figures` (each merged into a template sample). */
export function addScenario(run: RunResult, mechanism: MechanismName, state: TargetState, figures: Array<Partial<Sample>>): ScenarioResult {
  const memory = { kind: 'anon' as const, content: 'random' as const, sizeMiB: 16, vmas: 1 };
  const r: ScenarioResult = {
    ...structuredClone(fixtureRun().scenarios[0]!),
    scenario: { id: `${mechanism}/pageout/anon-random-16MiB-1vma/${state}`, mechanism, advice: 'pageout', memory, targetState: state, repetitions: figures.length },
    status: 'ok',
    error: null,
    samples: figures.map((f, i) => ({ ...template(), repetition: i, warmUp: false, block: i, errors: [], ...f })),
    warnings: [],
  };
  run.scenarios.push(r);
  return r;
}

/** `n` values spread around `center` (±10 %, deterministic). */
export function around(center: number, n = 6): number[] {
  return Array.from({ length: n }, (_, i) => center * (0.9 + (0.2 * i) / Math.max(1, n - 1)));
}

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
