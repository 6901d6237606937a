/**
 * Descriptive statistics of one metric over the samples of a scenario: location (median,
 * mean), spread (quartiles, IQR, MAD, robust CV, standard deviation, range) and the
 * percentiles the sample size supports. Pure: no I/O.
 */

import { medianOfSorted, quartilesOfSorted, supportedPercentiles, quantileOfSorted } from './quantiles.ts';

/** Factor that makes the MAD a consistent estimator of the standard deviation of a normal distribution (1 / qnorm(0.75)). */
export const MAD_TO_SIGMA = 1.4826;

/** Why a robust CV could not be given. */
export type RobustCvUnavailable = 'median-is-zero' | 'too-few-values';

/** Descriptive statistics of a sample. Values carry the unit of the metric; the CV is a fraction (0.05 = 5 %). */
export interface Descriptive {
  /** Number of finite values used (non-finite values are left out). */
  n: number;
  min: number;
  max: number;
  mean: number;
  /** Sample standard deviation (divisor n - 1); null when n < 2. */
  stddev: number | null;
  median: number;
  /** Type-7 lower quartile. */
  q1: number;
  /** Type-7 upper quartile. */
  q3: number;
  /** q3 - q1. */
  iqr: number;
  /** Median absolute deviation from the median, unscaled (R: mad(x, constant = 1)). */
  mad: number;
  /**
   * Robust coefficient of variation, 1.4826 * MAD / |median|, as a fraction; null when it has
   * no meaning (see robustCvUnavailable): a median of 0 would otherwise show as 0 % spread.
   */
  robustCv: number | null;
  /** Why robustCv is null; null when it is given. */
  robustCvUnavailable: RobustCvUnavailable | null;
  /** Percentiles (key: percent, e.g. "90", "99.9") that n supports, type 7. */
  percentiles: Record<string, number>;
}

/** Finite values sorted ascending. */
export function sortedFinite(values: readonly (number | null | undefined)[]): number[] {
  const out: number[] = [];
  for (const v of values) if (typeof v === 'number' && Number.isFinite(v)) out.push(v);
  return out.sort((a, b) => a - b);
}

/** Unscaled median absolute deviation of values already sorted ascending; NaN when empty. */
export function madOfSorted(sorted: readonly number[]): number {
  const med = medianOfSorted(sorted);
  return medianOfSorted(sorted.map((v) => Math.abs(v - med)).sort((a, b) => a - b));
}

/**
 * Robust CV (1.4826 * MAD / |median|) of values already sorted ascending, or the reason it is
 * unavailable: fewer than 2 values (no spread can be seen), or a median of 0.
 */
export function robustCvOfSorted(sorted: readonly number[]): { robustCv: number | null; unavailable: RobustCvUnavailable | null } {
  if (sorted.length < 2) return { robustCv: null, unavailable: 'too-few-values' };
  const med = medianOfSorted(sorted);
  if (med === 0) return { robustCv: null, unavailable: 'median-is-zero' };
  return { robustCv: (MAD_TO_SIGMA * madOfSorted(sorted)) / Math.abs(med), unavailable: null };
}

/** Descriptive statistics of the finite values; null when there is none. */
export function describeSample(values: readonly (number | null | undefined)[]): Descriptive | null {
  const sorted = sortedFinite(values);
  const n = sorted.length;
  if (n === 0) return null;
  const mean = sorted.reduce((s, v) => s + v, 0) / n;
  const stddev = n < 2 ? null : Math.sqrt(sorted.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  const quartiles = quartilesOfSorted(sorted)!;
  const { robustCv, unavailable } = robustCvOfSorted(sorted);
  const percentiles: Record<string, number> = {};
  for (const pct of supportedPercentiles(n)) percentiles[String(pct)] = quantileOfSorted(sorted, pct / 100);
  return {
    n,
    min: sorted[0]!,
    max: sorted[n - 1]!,
    mean,
    stddev,
    median: quartiles.median,
    q1: quartiles.q1,
    q3: quartiles.q3,
    iqr: quartiles.iqr,
    mad: madOfSorted(sorted),
    robustCv,
    robustCvUnavailable: unavailable,
    percentiles,
  };
}
