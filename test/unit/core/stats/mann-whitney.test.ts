import { describe, expect, it } from 'vitest';
import { averageRanks, exactUCdf, exactUQuantile, mannWhitneyU } from '../../../../core/stats/mann-whitney.ts';
import { A30, A55, B30, B30_NO_TIE, B60, TIES_X10, TIES_Y10, X10, Y10, expectRelClose } from './fixtures.ts';

// Expected values: R 4.2, r <- wilcox.test(x, y, conf.int = TRUE); r$statistic, r$p.value
// (R's default: exact when both n < 50 and no ties, else normal with continuity correction;
// exact = TRUE where the switch here, at 200, differs).
const close = (actual: number, expected: number, rel = 1e-10): void => expectRelClose(actual, expected, rel);

describe('Mann–Whitney U against R wilcox.test', () => {
  it('exact p-values for n = 1, 2 v 3, 3, 5, 10, 30 without ties', () => {
    const cases: [number[], number[], number, number][] = [
      [[5.2], [4.1], 1, 1],
      [[3.1, 4.7], [2.2, 5.4, 1.9], 4, 0.79999999999999982],
      [[1.1, 2.3, 3.7], [0.4, 0.9, 1.8], 8, 0.2],
      [[10.2, 11.5, 9.8, 12.1, 10.9], [9.1, 9.7, 8.8, 10.0, 9.3], 24, 0.015873015873015872],
      [X10, Y10, 82, 0.014689644720604474],
      [B30_NO_TIE, A30, 686, 0.00035361684442137057],
    ];
    for (const [x, y, u, p] of cases) {
      const r = mannWhitneyU(x, y);
      expect(r).toMatchObject({ u, method: 'exact', ties: false });
      close(r.pValue, p);
      // the test is symmetric: swapping the samples mirrors U and keeps p
      expect(mannWhitneyU(y, x).u).toBe(x.length * y.length - u);
      close(mannWhitneyU(y, x).pValue, p);
    }
    // SciPy 1.17: mannwhitneyu(X10, Y10, method='exact') -> statistic 82, pvalue 0.014689644720604474
  });
  it('normal approximation with tie and continuity correction when there are ties', () => {
    const cases: [number[], number[], number, number][] = [
      [[1, 2, 2, 3, 4, 4, 4, 5], [2, 3, 3, 5, 6, 6, 7], 15.5, 0.15959894244264874],
      [TIES_X10, TIES_Y10, 68.5, 0.1726457227469966],
      [B30, A30, 686.5, 0.00048451769209295728],
    ];
    for (const [x, y, u, p] of cases) {
      const r = mannWhitneyU(x, y);
      expect(r).toMatchObject({ u, method: 'normal-approximation', ties: true });
      close(r.pValue, p);
    }
    // SciPy 1.17: mannwhitneyu([1,2,2,3,4,4,4,5], [2,3,3,5,6,6,7], method='asymptotic') -> 15.5, 0.15959894244264883
  });
  it('exact up to 200 values per sample without ties', () => {
    // R: wilcox.test(B60, A55, exact = TRUE) -> W 2217, p 0.0013613018322073313
    // (R's default normal approximation gives 0.0015150195771983315 here)
    const r = mannWhitneyU(B60, A55);
    expect(r).toMatchObject({ u: 2217, method: 'exact', ties: false });
    close(r.pValue, 0.0013613018322073313);
  });
  it('normal approximation above 200 values per sample, even without ties', () => {
    // R: x <- ((1:250) * 7919) %% 1009 / 10; y <- ((1:230) * 7907) %% 1013 / 10 + 2.05 (480 distinct values)
    //    wilcox.test(y, x) -> W 30594, p 0.22463178809501413
    const x = Array.from({ length: 250 }, (_, i) => (((i + 1) * 7919) % 1009) / 10);
    const y = Array.from({ length: 230 }, (_, i) => (((i + 1) * 7907) % 1013) / 10 + 2.05);
    const r = mannWhitneyU(y, x);
    expect(r).toMatchObject({ u: 30594, method: 'normal-approximation', ties: false });
    close(r.pValue, 0.22463178809501413);
  });
  it('gives p = 1 when every value is tied', () => {
    expect(mannWhitneyU([3, 3, 3], [3, 3])).toMatchObject({ u: 3, pValue: 1 });
  });
  it('rejects an empty sample or non-finite values', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(RangeError);
    expect(() => mannWhitneyU([1, Number.NaN], [1])).toThrow(RangeError);
  });
});

describe('exact null distribution of U', () => {
  it('cdf matches R pwilcox', () => {
    // R: pwilcox(2, 5, 5); pwilcox(10, 10, 10); pwilcox(300, 30, 30); pwilcox(0, 3, 3)
    close(exactUCdf(2, 5, 5), 0.015873015873015872);
    close(exactUCdf(10, 10, 10), 0.0007523436316005976);
    close(exactUCdf(300, 30, 30), 0.013165980151289721);
    close(exactUCdf(0, 3, 3), 0.05);
    // R: pwilcox(c(17000, 18500), 200, 200); exact rational arithmetic (Python fractions) agrees
    // to 7e-14: 0.004687461007550849, 0.0974289392960267
    close(exactUCdf(17000, 200, 200), 0.0046874610075505274, 1e-12);
    close(exactUCdf(18500, 200, 200), 0.09742893929601988, 1e-12);
    expect(exactUCdf(-1, 3, 3)).toBe(0);
    expect(exactUCdf(9, 3, 3)).toBe(1);
  });
  it('quantile matches R qwilcox', () => {
    // R: qwilcox(0.025, 5, 5); qwilcox(0.025, 10, 10); qwilcox(0.025, 30, 30); qwilcox(0.025, 3, 3); qwilcox(0.005, 7, 12)
    expect(exactUQuantile(0.025, 5, 5)).toBe(3);
    expect(exactUQuantile(0.025, 10, 10)).toBe(24);
    expect(exactUQuantile(0.025, 30, 30)).toBe(318);
    expect(exactUQuantile(0.025, 3, 3)).toBe(0);
    expect(exactUQuantile(0.005, 7, 12)).toBe(13);
    // R: qwilcox(0.0005, 200, 200)
    expect(exactUQuantile(0.0005, 200, 200)).toBe(16207);
  });
});

describe('averageRanks', () => {
  it('gives tied values the mean of their ranks, as R rank()', () => {
    // R: rank(c(10, 20, 10, 30, 20, 20)) -> 1.5 4.0 1.5 6.0 4.0 4.0
    expect(averageRanks([10, 20, 10, 30, 20, 20])).toEqual({ ranks: [1.5, 4, 1.5, 6, 4, 4], tieGroupSizes: [2, 3, 1] });
  });
});
