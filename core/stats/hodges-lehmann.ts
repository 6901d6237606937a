/**
 * Hodges–Lehmann estimate of the shift between two samples, with the confidence interval
 * obtained by inverting the Mann–Whitney test, as R's wilcox.test(x, y, conf.int = TRUE)
 * (with exact = TRUE for sizes from 50 to 200 without ties; see mann-whitney.ts).
 *
 * The m * n pairwise differences d = x_i - y_j are sorted. The estimate is their median. The
 * interval is a pair of order statistics [d(k), d(mn - k + 1)] (1-based):
 * - exact (no ties in the pooled sample, both sizes at most 200, as mann-whitney.ts):
 *   k = qwilcox(alpha / 2, m, n), raised to 1 when it is 0; its achieved confidence
 *   1 - 2 * P(U <= k - 1) is exact and reported (it is at least the requested one unless k
 *   had to be raised);
 * - otherwise the normal approximation R inverts numerically, solved here in closed form:
 *   with sigma the standard deviation of U with the correction for ties within each sample
 *   and z = qnorm(1 - alpha / 2), the lower bound is d(floor(mn/2 + 1/2 - z sigma)) and the
 *   upper bound d(floor(mn/2 + 3/2 + z sigma)) (indices clamped to 1..mn); these are the
 *   differences at which R's continuity-corrected statistic crosses -z and z. The achieved
 *   confidence is the normal approximation's, 1 - 2 * Phi((k - 1/2 - mn/2) / sigma).
 * The interval is distribution-free under the location-shift model (y + shift has the
 * distribution of x); it is invariant to how the samples are ordered.
 */

import { EXACT_MAX_N, averageRanks, exactUCdf, exactUQuantile, uSigma } from './mann-whitney.ts';
import { normalCdf, normalQuantile } from './normal.ts';
import { medianOfSorted } from './quantiles.ts';

/** A shift estimate of x - y with its confidence interval. */
export interface ShiftCi {
  /** Hodges–Lehmann estimate: median of the pairwise differences x_i - y_j. */
  estimate: number;
  /** Lower confidence bound of the shift. */
  lower: number;
  /** Upper confidence bound of the shift. */
  upper: number;
  /** Confidence the interval achieves (exact, or by the normal approximation), fraction. */
  achievedConfidence: number;
  /** Confidence that was asked for, fraction. */
  requestedConfidence: number;
  /** Whether achievedConfidence reaches requestedConfidence. */
  meetsConfidence: boolean;
  /** How the order statistics were chosen. */
  method: 'exact' | 'normal-approximation';
  /** 1-based rank of the lower bound among the m * n sorted differences. */
  lowerRank: number;
  /** 1-based rank of the upper bound among the m * n sorted differences. */
  upperRank: number;
}

/** All pairwise differences x_i - y_j, sorted ascending. */
export function sortedPairwiseDifferences(x: readonly number[], y: readonly number[]): Float64Array {
  const d = new Float64Array(x.length * y.length);
  let k = 0;
  for (const a of x) for (const b of y) d[k++] = a - b;
  return d.sort();
}

/** Hodges–Lehmann shift of x relative to y (x - y) with its confidence interval; see the module doc. */
export function hodgesLehmann(x: readonly number[], y: readonly number[], confidence = 0.95): ShiftCi {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be a fraction in (0, 1), got ${confidence}`);
  const m = x.length;
  const n = y.length;
  if (m === 0 || n === 0) throw new RangeError('a shift estimate needs at least one value in each sample');
  if (![...x, ...y].every((v) => Number.isFinite(v))) throw new RangeError('a shift estimate needs finite values');
  const diffs = sortedPairwiseDifferences(x, y);
  const mn = m * n;
  const estimate = medianOfSorted(diffs as unknown as readonly number[]);
  const alpha = 1 - confidence;
  const pooledTies = averageRanks([...x, ...y]).tieGroupSizes.some((t) => t > 1);
  let lowerRank: number;
  let upperRank: number;
  let achievedConfidence: number;
  let method: ShiftCi['method'];
  if (m <= EXACT_MAX_N && n <= EXACT_MAX_N && !pooledTies) {
    method = 'exact';
    const qu = Math.max(1, exactUQuantile(alpha / 2, m, n));
    lowerRank = qu;
    upperRank = mn - qu + 1;
    achievedConfidence = 1 - 2 * exactUCdf(qu - 1, m, n);
  } else {
    method = 'normal-approximation';
    // Ties within each sample survive every shift; ties across samples happen only at the
    // differences themselves, where the bounds sit, so they do not enter sigma.
    const sigma = uSigma(m, n, [...averageRanks(x).tieGroupSizes, ...averageRanks(y).tieGroupSizes]);
    const z = normalQuantile(1 - alpha / 2);
    lowerRank = Math.min(mn, Math.max(1, Math.floor(mn / 2 + 0.5 - z * sigma)));
    upperRank = Math.max(1, Math.min(mn, Math.floor(mn / 2 + 1.5 + z * sigma)));
    achievedConfidence = sigma > 0 ? Math.max(0, 1 - 2 * normalCdf((lowerRank - 0.5 - mn / 2) / sigma)) : 0;
  }
  return {
    estimate,
    lower: diffs[lowerRank - 1]!,
    upper: diffs[upperRank - 1]!,
    achievedConfidence,
    requestedConfidence: confidence,
    meetsConfidence: achievedConfidence >= confidence - 1e-9,
    method,
    lowerRank,
    upperRank,
  };
}
