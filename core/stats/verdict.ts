/**
 * Verdict for one metric compared between a base run and a new run.
 *
 * Inputs: the base and new samples, the metric's direction (lower-is-better or
 * higher-is-better), a practical threshold t (fraction; 0.05 = 5 %), alpha, the interval's
 * confidence (default 95 %), and the Holm-adjusted p-value of this comparison's Mann–Whitney
 * test within its family. From the relative shift r = new / base - 1 and its confidence
 * interval [lo, hi] (relative-shift.ts) the "badness" interval is [lo, hi] when lower is
 * better and [-hi, -lo] when higher is better. The rules, applied in this order:
 * 1. inconclusive ("too-few-samples") when either sample has fewer than minN values;
 * 2. inconclusive ("interval-short-of-confidence") when no interval of the requested
 *    confidence exists at these sizes (e.g. 3 against 3: the widest reaches 90 %);
 * 3. inconclusive ("no-relative-figure") when the base median is 0 and something moved;
 * 4. regressed when the adjusted p-value is below alpha AND the whole badness interval lies
 *    above +t (the change is real and, at the interval's confidence, larger than t);
 * 5. improved when the adjusted p-value is below alpha AND the whole badness interval lies
 *    below -t;
 * 6. unchanged when the whole interval lies within [-t, +t] (whatever the p-value: a change
 *    smaller than the threshold does not matter, and the interval shows it is smaller);
 * 7. otherwise inconclusive: "not-significant-after-correction" when the interval lies beyond
 *    the threshold but the corrected test is not significant, else
 *    "interval-straddles-threshold" (more samples would decide it).
 * A false "regressed" on two samples of one distribution needs the corrected test to reject,
 * so the family-wise rate of false regressions and improvements is at most alpha.
 */

import { mannWhitneyU, type MannWhitneyResult } from './mann-whitney.ts';
import { holmAdjust } from './holm.ts';
import { relativeShift, type RelativeShift } from './relative-shift.ts';

/** Which way a metric is better. */
export type Direction = 'lower-is-better' | 'higher-is-better';

/** Verdict of one metric comparison. */
export type Verdict = 'regressed' | 'improved' | 'unchanged' | 'inconclusive';

/** Why a verdict was reached (one per rule of the module doc). */
export type VerdictReason =
  | 'too-few-samples'
  | 'interval-short-of-confidence'
  | 'no-relative-figure'
  | 'significant-and-beyond-threshold'
  | 'interval-within-threshold'
  | 'not-significant-after-correction'
  | 'interval-straddles-threshold';

/**
 * Smallest sample size per side for a verdict other than inconclusive, by default: from 6
 * values on, each run's own median has a 95 % interval (minimumNForMedianCi(0.95)) and the
 * shift interval reaches 95 % (it does from 4 against 4). Below it the simulations
 * (simulation.ts) decide little anyway: with 5 % noise a 10 % shift is called regressed in
 * 18.5 % of draws at n = 5 and 28 % at n = 6.
 */
export const DEFAULT_MIN_N = 6;

/**
 * Samples per scenario recommended for runs meant to be compared, from simulations of this
 * rule (simulation.ts; log-normal noise, threshold 5 %, alpha 0.05, 1000 draws per cell):
 * with 5 % noise, n = 30 calls a 10 % shift regressed in 94 % of draws (86 % when 5 % of
 * values are slowed 1.5-3x), also with Holm over 20 metrics; calls a 1 % shift unchanged in
 * 82 % (70 %); and calls A/A draws regressed or improved in 0.0 %. With 10 % noise the same
 * detection needs about n = 80 (83 %). With 20 % and 30 % noise n = 80 detects 32 % and 17 %;
 * scaling the interval width by 1 / sqrt(n), about 460 and 1000 samples would be needed.
 */
export const RECOMMENDED_N = 30;

/**
 * A median-interval relative half-width (median-ci.ts relativeHalfWidth) to stop sampling at:
 * in the same simulations the detection rate of a 10 % shift under a 5 % threshold followed
 * the half-width more than n or the noise: 80-83 % at a half-width near 3 % (5 % noise and
 * n = 20, or 10 % noise and n = 80), 86-94 % at 2.4-2.5 %, 41-46 % at 4.7-5 %.
 */
export const RECOMMENDED_TARGET_HALF_WIDTH = 0.025;

/** Options of the verdict rule. */
export interface VerdictOptions {
  /** Which way the metric is better. */
  direction: Direction;
  /** Practical threshold as a fraction (0.05 = 5 %). */
  thresholdFraction: number;
  /** Significance level for the Holm-adjusted p-value. */
  alpha: number;
  /** Confidence of the shift interval (fraction; 0.95 by default). */
  confidence: number;
  /** Smallest size of each sample for a decided verdict. */
  minN: number;
}

/** Defaults: 5 % threshold, alpha 0.05, 95 % intervals, at least DEFAULT_MIN_N values per side. */
export const DEFAULT_VERDICT_OPTIONS: Omit<VerdictOptions, 'direction'> = {
  thresholdFraction: 0.05,
  alpha: 0.05,
  confidence: 0.95,
  minN: DEFAULT_MIN_N,
};

/** The statistics of one base-versus-new comparison, before the family correction. */
export interface MetricComparison {
  /** Number of finite base values. */
  nBase: number;
  /** Number of finite new values. */
  nNew: number;
  /** Mann–Whitney test of new against base; null when a sample is empty. */
  test: MannWhitneyResult | null;
  /** Relative shift with its interval; null when a sample is empty. */
  shift: RelativeShift | null;
}

/** A decided comparison. */
export interface MetricVerdict {
  verdict: Verdict;
  reason: VerdictReason;
  /** Holm-adjusted p-value used (NaN when the test could not run). */
  adjustedPValue: number;
  comparison: MetricComparison;
}

/** Statistics of new against base, the shift interval at the given confidence (non-finite values left out). */
export function compareSamples(base: readonly number[], next: readonly number[], confidence = 0.95): MetricComparison {
  const b = base.filter((v) => Number.isFinite(v));
  const x = next.filter((v) => Number.isFinite(v));
  if (b.length === 0 || x.length === 0) return { nBase: b.length, nNew: x.length, test: null, shift: null };
  return { nBase: b.length, nNew: x.length, test: mannWhitneyU(x, b), shift: relativeShift(b, x, confidence) };
}

function checkOptions(o: VerdictOptions): void {
  if (!(o.thresholdFraction >= 0)) throw new RangeError(`threshold must be a non-negative fraction, got ${o.thresholdFraction}`);
  if (!(o.alpha > 0 && o.alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${o.alpha}`);
  if (!(o.confidence > 0 && o.confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${o.confidence}`);
  if (!(Number.isInteger(o.minN) && o.minN >= 1)) throw new RangeError(`minN must be a positive integer, got ${o.minN}`);
}

/** Verdict for one comparison given its Holm-adjusted p-value; the rules are in the module doc. */
export function decideVerdict(comparison: MetricComparison, adjustedPValue: number, options: VerdictOptions): MetricVerdict {
  checkOptions(options);
  const done = (verdict: Verdict, reason: VerdictReason): MetricVerdict => ({ verdict, reason, adjustedPValue, comparison });
  const { shift } = comparison;
  if (comparison.nBase < options.minN || comparison.nNew < options.minN || shift === null) return done('inconclusive', 'too-few-samples');
  if (shift.interval.requestedConfidence !== options.confidence) {
    throw new RangeError(`comparison interval has confidence ${shift.interval.requestedConfidence}, options ask for ${options.confidence}`);
  }
  if (!shift.interval.meetsConfidence) return done('inconclusive', 'interval-short-of-confidence');
  if (shift.lower === null || shift.upper === null) return done('inconclusive', 'no-relative-figure');
  const [badLo, badHi] = options.direction === 'lower-is-better' ? [shift.lower, shift.upper] : [-shift.upper, -shift.lower];
  const t = options.thresholdFraction;
  const significant = adjustedPValue < options.alpha;
  if (badLo > t) return significant ? done('regressed', 'significant-and-beyond-threshold') : done('inconclusive', 'not-significant-after-correction');
  if (badHi < -t) return significant ? done('improved', 'significant-and-beyond-threshold') : done('inconclusive', 'not-significant-after-correction');
  if (badLo >= -t && badHi <= t) return done('unchanged', 'interval-within-threshold');
  return done('inconclusive', 'interval-straddles-threshold');
}

/** One metric comparison of a family: its samples and options. */
export interface FamilyMember {
  base: readonly number[];
  next: readonly number[];
  options: VerdictOptions;
}

/**
 * Verdicts for a family of comparisons (e.g. every scenario and key metric of one compare):
 * each comparison's p-value is Holm-adjusted across the family, then decided. Comparisons
 * whose test could not run are left out of the family and come back inconclusive.
 */
export function judgeFamily(members: readonly FamilyMember[]): MetricVerdict[] {
  const comparisons = members.map((m) => compareSamples(m.base, m.next, m.options.confidence));
  const adjusted = holmAdjust(comparisons.map((c) => c.test?.pValue ?? Number.NaN));
  return comparisons.map((c, i) => decideVerdict(c, adjusted[i]!, members[i]!.options));
}
