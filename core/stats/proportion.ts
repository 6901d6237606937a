/**
 * Exact (Clopper–Pearson) confidence interval of a proportion: k successes in n trials. The
 * bounds are the success probabilities at which observing k (or more, resp. fewer) has
 * probability alpha / 2, found by bisection on the binomial CDF (binomial.ts). Conservative:
 * its coverage is at least the requested confidence for every true proportion.
 */
import { binomialCdf } from './binomial.ts';

/** A proportion with its confidence interval (fractions). */
export interface ProportionCi {
  /** k / n. */
  estimate: number;
  lower: number;
  upper: number;
  successes: number;
  trials: number;
  confidence: number;
}

/** Smallest p in [0, 1] with f(p) true, for f false then true as p grows (60 bisections: below 1e-18). */
function bisect(f: (p: number) => boolean): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Clopper–Pearson interval of k successes in n trials; n must be at least 1. */
export function clopperPearson(successes: number, trials: number, confidence = 0.95): ProportionCi {
  if (!Number.isInteger(trials) || trials < 1) throw new RangeError(`trials must be a positive integer, got ${trials}`);
  if (!Number.isInteger(successes) || successes < 0 || successes > trials) throw new RangeError(`successes must be an integer in [0, ${trials}], got ${successes}`);
  const alpha = 1 - confidence;
  // Lower: P(B >= k | p) = alpha / 2, i.e. 1 - cdf(k - 1) rises with p.
  const lower = successes === 0 ? 0 : bisect((p) => 1 - binomialCdf(successes - 1, trials, p) >= alpha / 2);
  // Upper: P(B <= k | p) = alpha / 2, cdf(k) falls with p.
  const upper = successes === trials ? 1 : bisect((p) => binomialCdf(successes, trials, p) <= alpha / 2);
  return { estimate: successes / trials, lower, upper, successes, trials, confidence };
}
