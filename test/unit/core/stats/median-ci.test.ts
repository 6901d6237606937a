import { describe, expect, it } from 'vitest';
import { medianCi, medianIntervalCoverage, medianIntervalRank, minimumNForMedianCi, relativeHalfWidth } from '../../../../core/stats/median-ci.ts';
import { N30 } from './fixtures.ts';

describe('binomial coverage of order-statistic intervals for the median', () => {
  it('chooses the largest k reaching 95 % and reports its exact coverage, for n = 1..100', () => {
    // R: for each n, ks <- 1:floor((n+1)/2); cov <- 1 - 2*pbinom(ks-1, n, 0.5);
    //    k <- max(which(cov >= 0.95)) (1 when none); print(n, k, cov[k])
    const table: [number, number, number][] = [
      [1, 1, 0],
      [2, 1, 0.5],
      [3, 1, 0.75],
      [4, 1, 0.875],
      [5, 1, 0.9375],
      [6, 1, 0.96875],
      [7, 1, 0.984375],
      [8, 1, 0.9921875],
      [9, 2, 0.9609375],
      [10, 2, 0.978515625],
      [15, 4, 0.96484375],
      [20, 6, 0.95861053466796875],
      [30, 10, 0.95722605474293232],
      [50, 18, 0.96716086243573141],
      [100, 40, 0.96479979978229513],
    ];
    for (const [n, k, coverage] of table) {
      const got = medianIntervalRank(n, 0.95);
      expect({ n, k: got.k }).toEqual({ n, k });
      expect(got.coverage).toBeCloseTo(coverage, 13);
      expect(medianIntervalCoverage(n, k)).toBeCloseTo(coverage, 13);
    }
  });
  it('gives 0 coverage for an empty interval', () => {
    expect(medianIntervalCoverage(5, 0)).toBe(0);
    expect(medianIntervalCoverage(5, 4)).toBe(0);
  });
  it('smallest n for a confidence: 1 - 2 * 0.5^n >= c', () => {
    // 0.5^4 * 2 = 0.125; 0.5^5 * 2 = 0.0625; 0.5^6 * 2 = 0.03125; 0.5^8 * 2 = 0.0078125
    expect(minimumNForMedianCi(0.8)).toBe(4);
    expect(minimumNForMedianCi(0.9)).toBe(5);
    expect(minimumNForMedianCi(0.95)).toBe(6);
    expect(minimumNForMedianCi(0.99)).toBe(8);
    expect(minimumNForMedianCi(0.9375)).toBe(5);
  });
});

describe('medianCi', () => {
  it('n = 5 gives [min, max] at 93.75 %, short of 95 %', () => {
    const ci = medianCi([12.1, 9.8, 11.5, 10.2, 30.4], 0.95)!;
    expect(ci).toMatchObject({ lower: 9.8, upper: 30.4, lowerRank: 1, upperRank: 5, coverage: 0.9375, meetsConfidence: false, median: 11.5 });
    expect(relativeHalfWidth(ci)).toBeNull();
  });
  it('matches SciPy quantile_test(x, q=median, p=0.5).confidence_interval() for n = 30', () => {
    // SciPy 1.17: confidence_interval(0.95) -> (98.45, 106.12); (0.99) -> (95.33, 107.66); (0.90) -> (99.44, 105.93)
    expect(medianCi(N30, 0.95)).toMatchObject({ lower: 98.45, upper: 106.12, lowerRank: 10, upperRank: 21, meetsConfidence: true });
    expect(medianCi(N30, 0.99)).toMatchObject({ lower: 95.33, upper: 107.66 });
    expect(medianCi(N30, 0.9)).toMatchObject({ lower: 99.44, upper: 105.93 });
  });
  it('matches SciPy for n = 10 with ties and for n = 6', () => {
    // SciPy 1.17: x = [2,4,4,4,5,5,7,9,1,3]: CI(0.95) -> (2, 7), CI(0.99) -> (1, 9), CI(0.90) -> (2, 7)
    const x10 = [2, 4, 4, 4, 5, 5, 7, 9, 1, 3];
    expect(medianCi(x10, 0.95)).toMatchObject({ lower: 2, upper: 7, coverage: 0.978515625 });
    expect(medianCi(x10, 0.99)).toMatchObject({ lower: 1, upper: 9 });
    expect(medianCi(x10, 0.9)).toMatchObject({ lower: 2, upper: 7 });
    // SciPy: x = [3.3,1.2,5.5,2.8,4.1,0.7]: CI(0.95) -> (0.7, 5.5); CI(0.99) -> (nan, nan): not reachable
    expect(medianCi([3.3, 1.2, 5.5, 2.8, 4.1, 0.7], 0.95)).toMatchObject({ lower: 0.7, upper: 5.5, coverage: 0.96875, meetsConfidence: true });
    expect(medianCi([3.3, 1.2, 5.5, 2.8, 4.1, 0.7], 0.99)!.meetsConfidence).toBe(false);
  });
  it('n = 1, 2, 3 give a real coverage short of 95 %', () => {
    expect(medianCi([7], 0.95)).toMatchObject({ lower: 7, upper: 7, coverage: 0, meetsConfidence: false });
    expect(medianCi([7, 3], 0.95)).toMatchObject({ lower: 3, upper: 7, coverage: 0.5 });
    expect(medianCi([7, 3, 5], 0.95)).toMatchObject({ lower: 3, upper: 7, coverage: 0.75 });
    expect(medianCi([], 0.95)).toBeNull();
  });
  it('relative half-width for a --target-ci rule, null when the median is 0', () => {
    // (106.12 - 98.45) / 2 / 102.6
    expect(relativeHalfWidth(medianCi(N30, 0.95)!)).toBeCloseTo((106.12 - 98.45) / 2 / 102.6, 12);
    expect(relativeHalfWidth(medianCi([0, 0, 0, 0, 0, 1, 2], 0.95)!)).toBeNull();
  });
  it('rejects a confidence outside (0, 1)', () => {
    expect(() => medianCi([1, 2, 3], 95)).toThrow(RangeError);
  });
});
