/**
 * Quantiles of a sample, and which of them a sample of a given size can honestly name.
 *
 * Definition used throughout: Hyndman & Fan type 7, the default of R's quantile(), NumPy's
 * percentile() and SciPy: for sorted values x[0..n-1] and probability p, h = (n - 1) * p and
 * Q(p) = x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]).
 */

/** Median of values already sorted ascending (mean of the middle pair for an even count); NaN when empty. */
export function medianOfSorted(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median of values in any order; NaN when empty. */
export function median(values: readonly number[]): number {
  return medianOfSorted([...values].sort((a, b) => a - b));
}

/** Type-7 quantile (p in [0, 1]) of values already sorted ascending; NaN when empty. */
export function quantileOfSorted(sorted: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile probability must be in [0, 1], got ${p}`);
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Lower quartile, median and upper quartile (type 7) and the interquartile range. */
export interface Quartiles {
  q1: number;
  median: number;
  q3: number;
  /** q3 - q1. */
  iqr: number;
}

/** Type-7 quartiles of values already sorted ascending; null when empty. */
export function quartilesOfSorted(sorted: readonly number[]): Quartiles | null {
  if (sorted.length === 0) return null;
  const q1 = quantileOfSorted(sorted, 0.25);
  const q3 = quantileOfSorted(sorted, 0.75);
  return { q1, median: quantileOfSorted(sorted, 0.5), q3, iqr: q3 - q1 };
}

/**
 * Smallest sample size at which the p-quantile (0 < p < 1) may be reported under its name:
 * n >= 1 / min(p, 1 - p), rounded up. Below that, fewer than one observation is expected beyond
 * the quantile on its short side, so the estimate is the sample minimum or maximum (or an
 * interpolation toward it) and naming it "p99" would misname the maximum. Examples: median 2,
 * quartiles 4, p90 10, p95 20, p99 100, p99.9 1000.
 */
export function minimumNForQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`quantile probability must be in (0, 1), got ${p}`);
  const tail = Math.min(p, 1 - p);
  // Round away binary noise (1 / 0.01 is 100.00000000000001).
  return Math.ceil(Math.round((1 / tail) * 1e9) / 1e9);
}

/** Percentiles commonly reported, in percent. */
export const STANDARD_PERCENTILES: readonly number[] = [1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9];

/** Whether a sample of size n supports the percentile pct (0 < pct < 100); see minimumNForQuantile. */
export function supportsPercentile(n: number, pct: number): boolean {
  return n >= minimumNForQuantile(pct / 100);
}

/** The standard percentiles (in percent) that a sample of size n supports. */
export function supportedPercentiles(n: number): number[] {
  return STANDARD_PERCENTILES.filter((pct) => supportsPercentile(n, pct));
}
