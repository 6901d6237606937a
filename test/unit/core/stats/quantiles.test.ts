import { describe, expect, it } from 'vitest';
import { median, minimumNForQuantile, quantileOfSorted, quartilesOfSorted, supportedPercentiles, supportsPercentile } from '../../../../core/stats/quantiles.ts';
import { N30 } from './fixtures.ts';

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);

describe('type-7 quantiles', () => {
  it('match R quantile(type = 7) and numpy.percentile on 30 values', () => {
    // R: quantile(N30, c(.1, .25, .5, .75, .9), type = 7)
    // numpy: np.percentile(N30, [10, 25, 50, 75, 90]) -> [91.414 95.745 102.6 107.3425 110.101]
    const s = sorted(N30);
    const expected = [91.41400000000002, 95.745, 102.6, 107.3425, 110.10100000000001];
    for (const [i, p] of [0.1, 0.25, 0.5, 0.75, 0.9].entries()) expect(quantileOfSorted(s, p)).toBeCloseTo(expected[i]!, 10);
  });
  it('interpolate between order statistics for small n, with ties', () => {
    // R: quantile(c(3, 7), c(.25, .5, .75)) -> 4 5 6; quantile(c(5, 1, 9), ...) -> 3 5 7
    expect(quartilesOfSorted([3, 7])).toEqual({ q1: 4, median: 5, q3: 6, iqr: 2 });
    expect(quartilesOfSorted([1, 5, 9])).toEqual({ q1: 3, median: 5, q3: 7, iqr: 4 });
    // R: x <- c(2, 4, 4, 4, 5, 5, 7, 9, 1, 3); quantile(x, c(.25, .5, .75)) -> 3.25 4 5; IQR(x) -> 1.75
    expect(quartilesOfSorted(sorted([2, 4, 4, 4, 5, 5, 7, 9, 1, 3]))).toEqual({ q1: 3.25, median: 4, q3: 5, iqr: 1.75 });
    expect(quartilesOfSorted([42])).toEqual({ q1: 42, median: 42, q3: 42, iqr: 0 });
    expect(quartilesOfSorted([])).toBeNull();
  });
  it('match R at the extreme percentiles of 120 values', () => {
    // R: set.seed(2); y <- round(rlnorm(120, log(50), 0.2), 3); quantile(y, c(.01, .05, .95, .99), type = 7)
    const y = [
      41.789, 51.883, 68.689, 39.883, 49.204, 51.342, 57.605, 47.66, 74.36, 48.631, 54.356, 60.848, 46.223, 40.613, 71.412, 31.494, 59.605, 50.359, 61.227, 54.515, 75.958, 39.332,
      68.714, 73.918, 50.049, 30.621, 55.008, 44.377, 58.584, 52.982, 57.963, 53.294, 62.008, 47.238, 42.806, 44.385, 35.404, 41.742, 44.711, 47.595, 46.308, 33.791, 42.253,
      73.166, 56.629, 74.456, 47.037, 49.1, 48.192, 39.341, 42.282, 75.587, 44.682, 64.532, 40.549, 33.746, 46.872, 60.292, 62.795, 69.85, 34.966, 75.059, 43.441, 51.607, 55.327,
      42.437, 33.524, 45.43, 50.849, 41.801, 41.586, 53.416, 48.603, 54.543, 49.466, 41.704, 64.892, 58.345, 61.715, 37.713, 61.021, 35.619, 44.941, 37.999, 32.151, 71.984, 43.875,
      47.233, 46.276, 54.02, 68.862, 69.983, 39.461, 38.104, 36.947, 38.916, 73.987, 50.077, 42.246, 44.336, 61.986, 52.675, 46.954, 43.039, 42.08, 75.311, 60.341, 74.721, 45.959,
      46.612, 40.713, 47.557, 54.948, 65.615, 55.972, 54.774, 63.957, 62.894, 51.077, 42.75,
    ];
    const s = sorted(y);
    expect(quantileOfSorted(s, 0.01)).toBeCloseTo(31.61883, 10);
    expect(quantileOfSorted(s, 0.05)).toBeCloseTo(34.90725, 10);
    expect(quantileOfSorted(s, 0.95)).toBeCloseTo(74.3648, 10);
    expect(quantileOfSorted(s, 0.99)).toBeCloseTo(75.53456, 10);
    expect(supportedPercentiles(120)).toEqual([1, 5, 10, 25, 50, 75, 90, 95, 99]);
  });
  it('median of unsorted values, NaN when empty', () => {
    expect(median([5, 1, 9, 3])).toBe(4);
    expect(median([])).toBeNaN();
  });
  it('rejects probabilities outside [0, 1]', () => {
    expect(() => quantileOfSorted([1, 2], 1.5)).toThrow(RangeError);
  });
});

describe('which percentiles a sample size supports', () => {
  it('needs n >= 1 / min(p, 1 - p): p99 only from 100 values', () => {
    expect(minimumNForQuantile(0.99)).toBe(100);
    expect(minimumNForQuantile(0.01)).toBe(100);
    expect(minimumNForQuantile(0.95)).toBe(20);
    expect(minimumNForQuantile(0.9)).toBe(10);
    expect(minimumNForQuantile(0.75)).toBe(4);
    expect(minimumNForQuantile(0.5)).toBe(2);
    expect(minimumNForQuantile(0.999)).toBe(1000);
    expect(supportsPercentile(99, 99)).toBe(false);
    expect(supportsPercentile(100, 99)).toBe(true);
  });
  it('lists the supported standard percentiles for n = 1, 3, 5, 10, 30', () => {
    expect(supportedPercentiles(1)).toEqual([]);
    expect(supportedPercentiles(3)).toEqual([50]);
    expect(supportedPercentiles(5)).toEqual([25, 50, 75]);
    expect(supportedPercentiles(10)).toEqual([10, 25, 50, 75, 90]);
    expect(supportedPercentiles(30)).toEqual([5, 10, 25, 50, 75, 90, 95]);
  });
});
