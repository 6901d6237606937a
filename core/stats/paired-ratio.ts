/**
 * Ratio of medians of two paired series (measured alternately, pair i side by side) with a
 * percentile-bootstrap confidence interval that resamples whole pairs, so that load changes
 * hitting both members of a pair stay together. Pure; seeded for reproducible intervals.
 */

import { medianOfSorted } from './quantiles.ts';
import { mulberry32 } from './random.ts';

/** A ratio with its confidence interval. */
export interface RatioCI {
  /** median(a) / median(b). */
  ratio: number;
  /** Lower and upper bounds of the interval. */
  lo: number;
  hi: number;
  /** Confidence level of [lo, hi] (e.g. 0.95). */
  level: number;
  /** Pairs used. */
  pairs: number;
}

/** Median of a series (sorts a copy). */
function median(values: Float64Array): number {
  return medianOfSorted(Float64Array.from(values).sort());
}

/**
 * median(a) / median(b) over paired samples and its bootstrap interval (`iterations`
 * resamples of the pair indices). Throws RangeError when the series differ in length or are empty.
 */
export function pairedMedianRatio(a: readonly number[], b: readonly number[], opts: { level?: number; iterations?: number; seed?: number } = {}): RatioCI {
  if (a.length !== b.length || a.length === 0) throw new RangeError(`paired series need equal, non-zero lengths (got ${a.length} and ${b.length})`);
  const level = opts.level ?? 0.95;
  const iterations = opts.iterations ?? 2000;
  const random = mulberry32(opts.seed ?? 1);
  const n = a.length;
  const ra = new Float64Array(n);
  const rb = new Float64Array(n);
  const ratios = new Float64Array(iterations);
  for (let k = 0; k < iterations; k++) {
    for (let i = 0; i < n; i++) {
      const j = Math.floor(random() * n);
      ra[i] = a[j]!;
      rb[i] = b[j]!;
    }
    ratios[k] = median(ra) / median(rb);
  }
  ratios.sort();
  const tail = (1 - level) / 2;
  return {
    ratio: median(Float64Array.from(a)) / median(Float64Array.from(b)),
    lo: ratios[Math.floor(tail * (iterations - 1))]!,
    hi: ratios[Math.ceil((1 - tail) * (iterations - 1))]!,
    level,
    pairs: n,
  };
}
