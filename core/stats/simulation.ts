/**
 * Monte Carlo check of the verdict rule (verdict.ts) on synthetic samples with a known
 * shift: how often it reports regressed / improved / unchanged / inconclusive. Used to choose
 * sample sizes and to measure the false-positive rate on A/A draws. Deterministic for a seed.
 *
 * Samples are log-normal with a given coefficient of variation (timings on a busy machine are
 * right-skewed with noise proportional to their level), optionally contaminated: with
 * probability outlierProbability a value is multiplied by a factor drawn uniformly from
 * outlierFactorRange (a repetition hit by background reclaim or a descheduled CPU).
 */

import { SeededRandom } from './random.ts';
import { compareSamples, decideVerdict, type Verdict, type VerdictOptions } from './verdict.ts';
import { holmAdjust } from './holm.ts';

/** A synthetic distribution of one metric. */
export interface SyntheticDistribution {
  /** Median of the log-normal part (any unit, e.g. ms). */
  median: number;
  /** Coefficient of variation of the log-normal part, fraction (0.1 = 10 %). */
  cv: number;
  /** Probability that a value is an outlier. */
  outlierProbability: number;
  /** [low, high] multiplicative factor of an outlier. */
  outlierFactorRange: readonly [number, number];
}

/** One value drawn from a synthetic distribution, multiplied by scale. */
export function drawValue(rng: SeededRandom, dist: SyntheticDistribution, scale = 1): number {
  const sigmaLog = Math.sqrt(Math.log1p(dist.cv * dist.cv));
  let v = dist.median * Math.exp(sigmaLog * rng.nextGaussian());
  if (dist.outlierProbability > 0 && rng.nextFloat() < dist.outlierProbability) {
    const [lo, hi] = dist.outlierFactorRange;
    v *= lo + (hi - lo) * rng.nextFloat();
  }
  return v * scale;
}

/** n values drawn from a synthetic distribution, each multiplied by scale. */
export function drawSample(rng: SeededRandom, dist: SyntheticDistribution, n: number, scale = 1): number[] {
  return Array.from({ length: n }, () => drawValue(rng, dist, scale));
}

/** One simulation setting. */
export interface SimulationConfig {
  distribution: SyntheticDistribution;
  /** Values per sample, both sides. */
  n: number;
  /** True relative shift of the new sample (0.10 = new is 10 % higher); 0 for A/A. */
  trueShiftFraction: number;
  /** Verdict options (direction, threshold, alpha, minN). */
  options: VerdictOptions;
  /**
   * Comparisons per family, Holm-corrected together. The first carries the shift; the others
   * are A/A draws from the same distribution (a compare where one metric of many moved).
   */
  familySize: number;
  /** Number of simulated families. */
  repetitions: number;
  seed: number;
}

/** Verdict counts of a simulation. */
export interface SimulationResult {
  /** Verdict counts of the first comparison of each family (the shifted one). */
  first: Record<Verdict, number>;
  /** Among the A/A comparisons (all when trueShiftFraction is 0, else the family's others): regressed or improved. */
  nullDecisive: number;
  /** Number of A/A comparisons. */
  nullComparisons: number;
  /** Families with at least one regressed or improved A/A comparison. */
  familiesWithFalsePositive: number;
  repetitions: number;
}

/** Runs the simulation described by config. */
export function simulateVerdicts(config: SimulationConfig): SimulationResult {
  const rng = new SeededRandom(config.seed);
  const first: Record<Verdict, number> = { regressed: 0, improved: 0, unchanged: 0, inconclusive: 0 };
  let nullDecisive = 0;
  let nullComparisons = 0;
  let familiesWithFalsePositive = 0;
  const isDecisive = (v: Verdict): boolean => v === 'regressed' || v === 'improved';
  for (let rep = 0; rep < config.repetitions; rep++) {
    const comparisons = Array.from({ length: config.familySize }, (_, i) => {
      const base = drawSample(rng, config.distribution, config.n);
      const next = drawSample(rng, config.distribution, config.n, i === 0 ? 1 + config.trueShiftFraction : 1);
      return compareSamples(base, next, config.options.confidence);
    });
    const adjusted = holmAdjust(comparisons.map((c) => c.test?.pValue ?? Number.NaN));
    let familyFalse = false;
    comparisons.forEach((c, i) => {
      const v = decideVerdict(c, adjusted[i]!, config.options).verdict;
      if (i === 0) first[v]++;
      if (i > 0 || config.trueShiftFraction === 0) {
        nullComparisons++;
        if (isDecisive(v)) {
          nullDecisive++;
          familyFalse = true;
        }
      }
    });
    if (familyFalse) familiesWithFalsePositive++;
  }
  return { first, nullDecisive, nullComparisons, familiesWithFalsePositive, repetitions: config.repetitions };
}
