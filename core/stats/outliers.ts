/**
 * Outlier flags by the modified z-score (B. Iglewicz and D. Hoaglin, "How to Detect and
 * Handle Outliers", ASQC 1993): M_i = 0.6745 * (x_i - median) / MAD, where MAD is the
 * unscaled median absolute deviation and 0.6745 ~ 1 / 1.4826 makes M comparable with a
 * normal z-score. A value is flagged when |M_i| > 3.5, their recommended threshold.
 *
 * hyperfine (src/outlier_detection.rs) computes the same score without the 0.6745 factor and
 * flags |x - median| / MAD > 1.4826 * 10, which is |M| > 10 in the units here: pass
 * threshold = HYPERFINE_THRESHOLD to reproduce its far more lenient rule.
 *
 * When the MAD is 0 (more than half the values equal the median, common for counters) the
 * score is undefined. hyperfine then divides by machine epsilon, which flags every value that
 * differs from the median at all. Here the MAD is replaced by the mean absolute deviation from
 * the median, scaled by 1.253314 (= sqrt(pi / 2), the ratio of the standard deviation to the
 * mean absolute deviation of a normal distribution): M_i = (x_i - median) / (1.253314 * meanAD).
 * When that is 0 too, every value equals the median and nothing is flagged. Samples of fewer
 * than 3 values are never flagged: with two values each is as far from the median as the other.
 */

import { madOfSorted, sortedFinite } from './descriptive.ts';
import { medianOfSorted } from './quantiles.ts';

/** Iglewicz and Hoaglin's threshold on |M|. */
export const IGLEWICZ_HOAGLIN_THRESHOLD = 3.5;
/** hyperfine's threshold expressed on the same |M| scale (10 standard deviations). */
export const HYPERFINE_THRESHOLD = 10;
/** 0.6745, Iglewicz and Hoaglin's constant (~ 1 / 1.4826). */
export const MODIFIED_Z_FACTOR = 0.6745;
/** sqrt(pi / 2): standard deviation over mean absolute deviation, for a normal distribution. */
export const MEAN_AD_TO_SIGMA = 1.253314;

/** How the scale of the modified z-scores was obtained. */
export type OutlierScale = 'mad' | 'mean-absolute-deviation' | 'none';

/** Modified z-scores and outlier flags, in the order of the input values. */
export interface OutlierReport {
  /** Modified z-score of each input value; NaN for a non-finite input value. */
  scores: number[];
  /** Whether each input value is an outlier (false for a non-finite input value). */
  isOutlier: boolean[];
  /** Number of flagged values. */
  count: number;
  /** Scale used: the MAD, the mean-absolute-deviation fallback, or none (fewer than 3 values, or all equal). */
  scale: OutlierScale;
  /** Threshold on |score| that was applied. */
  threshold: number;
}

/** Modified z-scores and outlier flags of the values; non-finite values get NaN and are not flagged. */
export function detectOutliers(values: readonly number[], threshold = IGLEWICZ_HOAGLIN_THRESHOLD): OutlierReport {
  if (!(threshold > 0)) throw new RangeError(`outlier threshold must be positive, got ${threshold}`);
  const sorted = sortedFinite(values);
  const none = (): OutlierReport => ({
    scores: values.map((v) => (Number.isFinite(v) ? 0 : Number.NaN)),
    isOutlier: values.map(() => false),
    count: 0,
    scale: 'none',
    threshold,
  });
  if (sorted.length < 3) return none();
  const med = medianOfSorted(sorted);
  const mad = madOfSorted(sorted);
  let sigma: number;
  let scale: OutlierScale;
  if (mad > 0) {
    sigma = mad / MODIFIED_Z_FACTOR;
    scale = 'mad';
  } else {
    const meanAd = sorted.reduce((s, v) => s + Math.abs(v - med), 0) / sorted.length;
    if (meanAd === 0) return none();
    sigma = MEAN_AD_TO_SIGMA * meanAd;
    scale = 'mean-absolute-deviation';
  }
  const scores = values.map((v) => (Number.isFinite(v) ? (v - med) / sigma : Number.NaN));
  const isOutlier = scores.map((m) => Math.abs(m) > threshold);
  return { scores, isOutlier, count: isOutlier.filter(Boolean).length, scale, threshold };
}
