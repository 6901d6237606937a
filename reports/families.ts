/**
 * Which family a scenario belongs to (docs/lab.md): the hint family has no family spec; the
 * pressure family carries `pressure`. Each family has its own views; the hint family's
 * (overview, findings, charts of hint latency and re-touch) leave pressure scenarios out.
 */
import type { RunResult, Scenario, ScenarioResult } from '../core/types.ts';
import { measuredSamples } from './sample-stats.ts';

/** Whether a scenario belongs to the hint family (no family spec). */
export function isHintScenario(s: Scenario): boolean {
  return s.pressure === undefined;
}

/** Scenarios of the pressure family with measured samples, in run order. */
export function pressureResults(run: RunResult): ScenarioResult[] {
  return run.scenarios.filter((r) => r.scenario.pressure !== undefined && measuredSamples(r).length > 0);
}
