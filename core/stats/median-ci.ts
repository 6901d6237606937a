/**
 * Distribution-free confidence interval for the median, from order statistics.
 *
 * For n independent values from any continuous distribution, the number B of values below
 * the true median is Binomial(n, 1/2). The interval [x(k), x(n-k+1)] between the k-th smallest
 * and k-th largest value therefore covers the median with probability exactly
 * 1 - 2 * P(B <= k - 1). For a requested confidence the largest k whose coverage reaches it is
 * chosen; that coverage (never the requested figure) is reported. When even [min, max] falls
 * short (coverage 1 - 2 * 0.5^n, e.g. 93.75 % at n = 5), [min, max] is returned with its
 * coverage and meetsConfidence = false. This is the interval of SciPy's
 * quantile_test(x, q, p=0.5).confidence_interval() and of the sign test.
 */

import { binomialMasses } from './binomial.ts';
import { medianOfSorted } from './quantiles.ts';

/** A median confidence interval with its actual coverage. */
export interface MedianCi {
  /** Sample median. */
  median: number;
  /** Lower bound: the lowerRank-th smallest value. */
  lower: number;
  /** Upper bound: the upperRank-th smallest value. */
  upper: number;
  /** 1-based rank of the lower bound in the sorted sample. */
  lowerRank: number;
  /** 1-based rank of the upper bound in the sorted sample. */
  upperRank: number;
  /** Probability that the interval covers the true median (fraction, e.g. 0.9375). */
  coverage: number;
  /** Confidence that was asked for (fraction). */
  requestedConfidence: number;
  /** Whether coverage >= requestedConfidence. */
  meetsConfidence: boolean;
  /** Number of values. */
  n: number;
}

function checkConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be a fraction in (0, 1), got ${confidence}`);
}

/** Coverage of [x(k), x(n-k+1)] for the median: 1 - 2 * P(Binomial(n, 1/2) <= k - 1); 0 when the interval is empty. */
export function medianIntervalCoverage(n: number, k: number): number {
  if (k < 1 || 2 * k > n + 1) return 0;
  const masses = binomialMasses(n, 0.5);
  let tail = 0;
  for (let i = 0; i <= k - 1; i++) tail += masses[i]!;
  return Math.max(0, 1 - 2 * tail);
}

/** The k (1-based rank of the lower bound) and coverage chosen for n and a confidence; see the module doc. */
export function medianIntervalRank(n: number, confidence: number): { k: number; coverage: number } {
  checkConfidence(confidence);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, got ${n}`);
  const masses = binomialMasses(n, 0.5);
  // tail(k) = P(B <= k - 1) grows with k; find the largest k with 1 - 2 tail(k) >= confidence.
  let k = 1;
  let tail = masses[0]!; // P(B <= k - 1) for k = 1
  while (2 * (k + 1) <= n + 1) {
    const nextTail = tail + masses[k]!;
    if (1 - 2 * nextTail < confidence - 1e-12) break;
    tail = nextTail;
    k++;
  }
  return { k, coverage: Math.max(0, 1 - 2 * tail) };
}

/** Median confidence interval of values already sorted ascending; null when empty. */
export function medianCiOfSorted(sorted: readonly number[], confidence = 0.95): MedianCi | null {
  checkConfidence(confidence);
  const n = sorted.length;
  if (n === 0) return null;
  const { k, coverage } = medianIntervalRank(n, confidence);
  return {
    median: medianOfSorted(sorted),
    lower: sorted[k - 1]!,
    upper: sorted[n - k]!,
    lowerRank: k,
    upperRank: n - k + 1,
    coverage,
    requestedConfidence: confidence,
    meetsConfidence: coverage >= confidence - 1e-12,
    n,
  };
}

/** Median confidence interval of values in any order (non-finite values left out); null when none is left. */
export function medianCi(values: readonly number[], confidence = 0.95): MedianCi | null {
  return medianCiOfSorted(
    values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b),
    confidence,
  );
}

/**
 * Smallest n whose widest interval [min, max] reaches the confidence: 1 - 2 * 0.5^n >= c, i.e.
 * n >= log2(2 / (1 - c)). 95 % needs 6, 99 % needs 8, 90 % needs 5.
 */
export function minimumNForMedianCi(confidence: number): number {
  checkConfidence(confidence);
  let n = 1;
  while (1 - 2 * 0.5 ** n < confidence - 1e-12) n++;
  return n;
}

/**
 * Half-width of the interval relative to the median: (upper - lower) / (2 * |median|), a
 * fraction (0.05 = +/- 5 %). It is the figure a "--target-ci 5%" stopping rule compares with.
 * null when it cannot stand for precision: the interval does not reach its confidence (n too
 * small) or the median is 0.
 */
export function relativeHalfWidth(ci: MedianCi): number | null {
  if (!ci.meetsConfidence || ci.median === 0) return null;
  return (ci.upper - ci.lower) / (2 * Math.abs(ci.median));
}
