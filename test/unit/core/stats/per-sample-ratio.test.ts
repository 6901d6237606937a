import { describe, expect, it } from 'vitest';
import { perSampleRatios, summarizePerSampleRatio } from '../../../../core/stats/per-sample-ratio.ts';

describe('per-sample ratio metrics', () => {
  it('forms the ratio in each sample, then summarises (R reference)', () => {
    // R: t <- c(41.2e6, 39.8e6, 45.1e6, 40.3e6, 52.9e6, 47.0e6); p <- c(16384, 15000, 16384, 12000, 16384, 0)
    //    ok <- p > 0; v <- t[ok] / p[ok]; median(v) -> 2752.685546875; quantile(v, c(.25, .75)) -> 2653.3333 3228.7598;
    //    mad(v) / median(v) -> 0.12820709534368072; whereas median(t) / median(p) -> 2749.8088197807801
    const latencyNs = [41.2e6, 39.8e6, 45.1e6, 40.3e6, 52.9e6, 47.0e6];
    const pages = [16384, 15000, 16384, 12000, 16384, 0];
    const s = summarizePerSampleRatio(latencyNs, pages);
    expect(s.ratios.skippedIndices).toEqual([5]);
    expect(s.ratios.values).toHaveLength(5);
    expect(s.descriptive!.median).toBeCloseTo(2752.685546875, 9);
    expect(s.descriptive!.q1).toBeCloseTo(2653.3333333333335, 9);
    expect(s.descriptive!.q3).toBeCloseTo(3228.759765625, 9);
    expect(s.descriptive!.robustCv).toBeCloseTo(0.12820709534368072, 12);
    expect(s.descriptive!.median).not.toBeCloseTo(2749.8088197807801, 3);
    expect(s.medianCi).toMatchObject({ n: 5, coverage: 0.9375, meetsConfidence: false });
  });
  it('applies a scale (bytes per ns to bytes per second)', () => {
    // R: 67108864 / 41.2e6 * 1e9 -> 1628855922.3300972
    const r = perSampleRatios([67108864], [41.2e6], 1e9);
    expect(r.values[0]).toBeCloseTo(1628855922.3300972, 3);
  });
  it('skips samples with a missing or non-finite part or a zero denominator', () => {
    const r = perSampleRatios([1, null, 3, 4, Number.NaN, 6], [2, 2, undefined, 0, 1, 3]);
    expect(r).toEqual({ values: [0.5, 2], skippedIndices: [1, 2, 3, 4] });
    expect(summarizePerSampleRatio([null], [1])).toMatchObject({ descriptive: null, medianCi: null });
  });
  it('rejects arrays of different lengths', () => {
    expect(() => perSampleRatios([1, 2], [1])).toThrow(RangeError);
  });
});
