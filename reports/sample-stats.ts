/**
 * Statistics every report shows, computed from the raw samples of results.json with
 * core/stats (never read from ScenarioResult.summary): descriptive statistics, the
 * distribution-free 95 % CI of the median, and per-sample ratios. Samples flagged
 * `warmUp: true` are left out everywhere (results written before that flag existed have
 * none, so all their samples count). Pure functions, no I/O.
 */
import { SUMMARISED_FIELDS, type SampleFieldName } from '../core/metrics.ts';
import { describeSample, type Descriptive } from '../core/stats/descriptive.ts';
import { medianCi, type MedianCi } from '../core/stats/median-ci.ts';
import type { RunResult, Sample, ScenarioResult } from '../core/types.ts';

/** Confidence of every interval the reports show. */
export const REPORT_CONFIDENCE = 0.95;

/** Whether a sample is a warm-up sample (flag read defensively: older results lack it). */
export function isWarmUp(sample: Sample): boolean {
  return (sample as { warmUp?: unknown }).warmUp === true;
}

/** The samples a scenario's statistics are computed from: every sample not flagged as warm-up. */
export function measuredSamples(result: ScenarioResult): Sample[] {
  return result.samples.filter((s) => !isWarmUp(s));
}

/** Number of warm-up samples in the run (left out of every statistic). */
export function warmUpCount(run: RunResult): number {
  return run.scenarios.reduce((n, r) => n + r.samples.filter(isWarmUp).length, 0);
}

/** Finite numeric values of a Sample field over samples (null and non-numbers left out). */
export function fieldValues(samples: readonly Sample[], field: SampleFieldName): number[] {
  const out: number[] = [];
  for (const s of samples) {
    const v = (s as Record<string, unknown>)[field];
    if (typeof v === 'number' && Number.isFinite(v)) out.push(v);
  }
  return out;
}

/** Statistics of one metric of one scenario. */
export interface MetricStats {
  /** The Sample field. */
  field: SampleFieldName;
  /** The values they were computed from, in sample order. */
  values: number[];
  /** Descriptive statistics (median, quartiles, robust CV, ...). */
  describe: Descriptive;
  /** 95 % CI of the median (its achieved coverage may be lower for small n: see MedianCi). */
  ci: MedianCi | null;
}

/** Statistics of a field over a scenario's measured samples; null when it has no value. */
export function metricStats(result: ScenarioResult, field: SampleFieldName): MetricStats | null {
  const values = fieldValues(measuredSamples(result), field);
  const describe = describeSample(values);
  if (describe === null) return null;
  return { field, values, describe, ci: medianCi(values, REPORT_CONFIDENCE) };
}

/**
 * The numeric metrics reports show statistics for: every field the registry summarises, in
 * registry order (new counters appear without changes here).
 */
export const REPORTED_FIELDS: readonly SampleFieldName[] = SUMMARISED_FIELDS;

/** Fields whose value differs between some two measured samples of the run (constant and empty ones are left out). */
export function varyingFields(run: RunResult, fields: readonly SampleFieldName[] = REPORTED_FIELDS): SampleFieldName[] {
  return fields.filter((field) => {
    const all = run.scenarios.flatMap((r) => fieldValues(measuredSamples(r), field));
    return all.length > 0 && all.some((v) => v !== all[0]);
  });
}

/** Fields with values that are the same in every measured sample of the run, with that value. */
export function constantFields(run: RunResult, fields: readonly SampleFieldName[] = REPORTED_FIELDS): { field: SampleFieldName; value: number }[] {
  return fields.flatMap((field) => {
    const all = run.scenarios.flatMap((r) => fieldValues(measuredSamples(r), field));
    return all.length > 0 && all.every((v) => v === all[0]) ? [{ field, value: all[0]! }] : [];
  });
}
