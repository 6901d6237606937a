/**
 * The summary of one metric over the samples of a scenario, as results.json stores it
 * (ScenarioResult.summary): the descriptive statistics of describeSample(), the
 * distribution-free confidence interval of the median with its actual coverage, and the
 * indices of the values flagged as outliers. Pure: no I/O.
 */
import type { Summary } from '../types.ts';
import { describeSample } from './descriptive.ts';
import { medianCiOfSorted, relativeHalfWidth } from './median-ci.ts';
import { detectOutliers } from './outliers.ts';
import { medianOfSorted } from './quantiles.ts';

export { medianOfSorted };

/** Confidence of the median intervals unless a run asks for another. */
export const DEFAULT_CI_CONFIDENCE = 0.95;

/**
 * Summary of a metric. Non-finite values (NaN, null) are left out and not counted; outlier
 * indices refer to positions in `values` (so a caller passing every sample of a scenario,
 * warm-up included as null, gets indices into its samples). Null when no value is left.
 */
export function summarize(values: readonly (number | null | undefined)[], confidence = DEFAULT_CI_CONFIDENCE): Summary | null {
  const described = describeSample(values);
  if (described === null) return null;
  const finite: number[] = [];
  const asNumbers = values.map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN));
  for (const v of asNumbers) if (!Number.isNaN(v)) finite.push(v);
  const ci = medianCiOfSorted(
    finite.sort((a, b) => a - b),
    confidence,
  );
  const flagged = detectOutliers(asNumbers).isOutlier;
  return {
    ...described,
    ci: ci === null ? null : { lower: ci.lower, upper: ci.upper, coverage: ci.coverage, confidence, meetsConfidence: ci.meetsConfidence, relativeHalfWidth: relativeHalfWidth(ci) },
    outliers: flagged.flatMap((isOutlier, i) => (isOutlier ? [i] : [])),
  };
}

/** Options of summarizeFields(). */
export interface SummarizeOptions<T> {
  /** Records to summarise; the others (e.g. warm-up samples) count as null. Default: all. */
  include?: (record: T) => boolean;
  /** Confidence of the median intervals (fraction); default DEFAULT_CI_CONFIDENCE. */
  confidence?: number;
}

/**
 * Summaries of numeric fields of a list of records, keyed by field name. A field is summarised
 * when at least one included record has a number there; nulls are skipped. Outlier indices
 * are positions in `records`.
 */
export function summarizeFields<T extends object>(records: readonly T[], fields: readonly (keyof T & string)[], opts: SummarizeOptions<T> = {}): Record<string, Summary> {
  const out: Record<string, Summary> = {};
  for (const field of fields) {
    const values = records.map((r) => {
      if (opts.include !== undefined && !opts.include(r)) return null;
      const v = r[field];
      return typeof v === 'number' ? v : null;
    });
    const s = summarize(values, opts.confidence);
    if (s !== null) out[field] = s;
  }
  return out;
}

/**
 * Nearest-rank percentile (p in 0..100) of values in any order (non-finite values left out);
 * null when none is left. For small n this is the maximum: callers that name it (p99) must say
 * how many values it rests on.
 */
export function nearestRankPercentile(values: readonly (number | null | undefined)[], p: number): number | null {
  const sorted = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  return sorted[Math.min(n, rank) - 1]!;
}
