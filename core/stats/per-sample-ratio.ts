/**
 * Ratio metrics (throughput = bytes / time, cost per page = time / pages) summarised from
 * per-sample values: the ratio is formed within each sample first, and the statistics are
 * taken over those ratios. Dividing two medians instead would pair the numerator of one
 * sample with the denominator of another and give no spread, no interval and no test.
 */

import { describeSample, type Descriptive } from './descriptive.ts';
import { medianCi, type MedianCi } from './median-ci.ts';

/** Per-sample ratios and the samples left out. */
export interface PerSampleRatios {
  /** scale * numerator / denominator of every usable sample, in sample order. */
  values: number[];
  /** Indices of the samples left out: a missing or non-finite part, or a zero denominator. */
  skippedIndices: number[];
}

/**
 * scale * numerator[i] / denominator[i] for every sample i (e.g. scale 1e9 turns bytes per ns
 * into bytes per second). Both arrays are indexed by sample and must have the same length.
 */
export function perSampleRatios(numerators: readonly (number | null | undefined)[], denominators: readonly (number | null | undefined)[], scale = 1): PerSampleRatios {
  if (numerators.length !== denominators.length) {
    throw new RangeError(`per-sample ratio needs one numerator per denominator, got ${numerators.length} and ${denominators.length}`);
  }
  const values: number[] = [];
  const skippedIndices: number[] = [];
  numerators.forEach((num, i) => {
    const den = denominators[i];
    if (typeof num !== 'number' || typeof den !== 'number' || !Number.isFinite(num) || !Number.isFinite(den) || den === 0) {
      skippedIndices.push(i);
      return;
    }
    values.push((scale * num) / den);
  });
  return { values, skippedIndices };
}

/** Summary of a ratio metric over its per-sample values. */
export interface RatioSummary {
  /** Descriptive statistics of the per-sample ratios; null when no sample was usable. */
  descriptive: Descriptive | null;
  /** Median confidence interval of the per-sample ratios; null when no sample was usable. */
  medianCi: MedianCi | null;
  /** The per-sample values and the samples left out. */
  ratios: PerSampleRatios;
}

/** Per-sample ratios, then their descriptive statistics and median confidence interval. */
export function summarizePerSampleRatio(
  numerators: readonly (number | null | undefined)[],
  denominators: readonly (number | null | undefined)[],
  options: { scale?: number; confidence?: number } = {},
): RatioSummary {
  const ratios = perSampleRatios(numerators, denominators, options.scale ?? 1);
  return { descriptive: describeSample(ratios.values), medianCi: medianCi(ratios.values, options.confidence ?? 0.95), ratios };
}
