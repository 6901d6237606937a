import { describe, expect, it } from 'vitest';
import { hodgesLehmann, sortedPairwiseDifferences } from '../../../../core/stats/hodges-lehmann.ts';
import { A30, A55, B30, B30_NO_TIE, B60, TIES_X10, TIES_Y10, X10, Y10 } from './fixtures.ts';

// Expected values: R 4.2, r <- wilcox.test(x, y, conf.int = TRUE, conf.level = c); r$estimate, r$conf.int
// (exact = TRUE for sizes from 50 to 200 without ties, where R's default would approximate).
// In the normal-approximation cases R finds the bounds with uniroot(tol = 1e-4), so they are
// compared to 1e-3; the bounds here are the exact differences R's root brackets.
describe('Hodges–Lehmann shift and its interval', () => {
  it('exact intervals match R for n = 1, 2 v 3, 3, 5, 10, 30', () => {
    const cases: [number[], number[], number, number, number][] = [
      [[5.2], [4.1], 1.1000000000000005, 1.1000000000000005, 1.1000000000000005],
      [[3.1, 4.7], [2.2, 5.4, 1.9], 1.05, -2.3000000000000003, 2.8000000000000003],
      [[1.1, 2.3, 3.7], [0.4, 0.9, 1.8], 1.4, -0.7, 3.3],
      [[10.2, 11.5, 9.8, 12.1, 10.9], [9.1, 9.7, 8.8, 10.0, 9.3], 1.5, 0.2, 2.8],
      [X10, Y10, 1.85, 0.5, 3.5],
      [B30_NO_TIE, A30, 9.695, 4.51, 13.97],
    ];
    for (const [x, y, estimate, lower, upper] of cases) {
      const r = hodgesLehmann(x, y, 0.95);
      expect(r.method).toBe('exact');
      expect(r.estimate).toBeCloseTo(estimate, 10);
      expect(r.lower).toBeCloseTo(lower, 10);
      expect(r.upper).toBeCloseTo(upper, 10);
    }
  });
  it('reports the achieved confidence, below 95 % where n is too small', () => {
    // R: 1 - 2 * pwilcox(qwilcox(0.025, m, n) - 1, m, n) for (5, 5), (10, 10), (30, 30); (3, 3): qwilcox is 0, raised to 1
    expect(hodgesLehmann([10.2, 11.5, 9.8, 12.1, 10.9], [9.1, 9.7, 8.8, 10.0, 9.3]).achievedConfidence).toBeCloseTo(0.9682539682539683, 13);
    expect(hodgesLehmann(X10, Y10).achievedConfidence).toBeCloseTo(0.9567429474550218, 13);
    expect(hodgesLehmann(B30_NO_TIE, A30).achievedConfidence).toBeCloseTo(0.9503800000353438, 13);
    const small = hodgesLehmann([1.1, 2.3, 3.7], [0.4, 0.9, 1.8]);
    expect(small.achievedConfidence).toBeCloseTo(0.9, 13);
    expect(small.meetsConfidence).toBe(false);
    expect(small).toMatchObject({ lowerRank: 1, upperRank: 9 });
  });
  it('other confidence levels match R', () => {
    // R: wilcox.test(B30_NO_TIE, A30, conf.int = TRUE, conf.level = 0.9)$conf.int -> 5.44 13.42
    const r = hodgesLehmann(B30_NO_TIE, A30, 0.9);
    expect(r.lower).toBeCloseTo(5.44, 10);
    expect(r.upper).toBeCloseTo(13.42, 10);
  });
  it('normal-approximation intervals with ties match R', () => {
    // R: wilcox.test(c(1,2,2,3,4,4,4,5), c(2,3,3,5,6,6,7), conf.int = TRUE) -> -1.5, [-3.99992, 0.99996]
    const t1 = hodgesLehmann([1, 2, 2, 3, 4, 4, 4, 5], [2, 3, 3, 5, 6, 6, 7]);
    expect(t1).toMatchObject({ method: 'normal-approximation', estimate: -1.5, lower: -4, upper: 1 });
    expect(t1.lower).toBeCloseTo(-3.999922091218798, 3);
    // R: wilcox.test(TIES_X10, TIES_Y10, conf.int = TRUE) -> 2.99998, [-1.00006, 7.99999]; median(outer(x, y, "-")) -> 3
    expect(hodgesLehmann(TIES_X10, TIES_Y10)).toMatchObject({ estimate: 3, lower: -1, upper: 8 });
    // R: wilcox.test(B30, A30, conf.int = TRUE) -> 9.65793, [4.5099775, 13.979916]; median(outer(B30, A30, "-")) -> 9.695
    const t3 = hodgesLehmann(B30, A30);
    expect(t3.method).toBe('normal-approximation');
    expect(t3.estimate).toBeCloseTo(9.695, 10);
    expect(t3.lower).toBeCloseTo(4.509977499027539, 3);
    expect(t3.upper).toBeCloseTo(13.979915987981714, 3);
    expect(t3.meetsConfidence).toBe(true);
  });
  it('exact intervals for 60 v 55 match R with exact = TRUE (95 % and 99 %)', () => {
    // R: wilcox.test(B60, A55, conf.int = TRUE, exact = TRUE) -> 5.5035, [2.138, 8.818]; conf.level = 0.99 -> [0.938, 9.892]
    const r = hodgesLehmann(B60, A55);
    expect(r.method).toBe('exact');
    expect(r.estimate).toBeCloseTo(5.5035, 10);
    expect(r.lower).toBeCloseTo(2.138, 10);
    expect(r.upper).toBeCloseTo(8.818, 10);
    const r99 = hodgesLehmann(B60, A55, 0.99);
    expect(r99.lower).toBeCloseTo(0.938, 10);
    expect(r99.upper).toBeCloseTo(9.892, 10);
  });
  it('normal-approximation interval above 200 values per sample matches R', () => {
    // R: x <- ((1:250) * 7919) %% 1009 / 10; y <- ((1:230) * 7907) %% 1013 / 10 + 2.05
    //    wilcox.test(y, x, conf.int = TRUE) -> 3.2500095, [-2.0500411, 8.6500091]; median(outer(y, x, "-")) -> 3.25
    const x = Array.from({ length: 250 }, (_, i) => (((i + 1) * 7919) % 1009) / 10);
    const y = Array.from({ length: 230 }, (_, i) => (((i + 1) * 7907) % 1013) / 10 + 2.05);
    const r = hodgesLehmann(y, x);
    expect(r.method).toBe('normal-approximation');
    expect(r.estimate).toBeCloseTo(3.25, 10);
    expect(r.lower).toBeCloseTo(-2.0500410983228967, 3);
    expect(r.upper).toBeCloseTo(8.650009058792518, 3);
  });
  it('counts with many zeros: R gives [0, 2] (to its root tolerance)', () => {
    // R: x <- c(0,0,1,0,2,0,0,3); y <- c(0,1,0,0,0,0,1,0); wilcox.test(x, y, conf.int = TRUE)$conf.int
    //    -> -4.4434e-05 1.99996; median(outer(x, y, "-")) -> 0
    expect(hodgesLehmann([0, 0, 1, 0, 2, 0, 0, 3], [0, 1, 0, 0, 0, 0, 1, 0])).toMatchObject({ estimate: 0, lower: 0, upper: 2 });
  });
  it('all values equal: a zero shift with a zero-width interval', () => {
    expect(hodgesLehmann([4, 4, 4], [4, 4, 4])).toMatchObject({ estimate: 0, lower: 0, upper: 0 });
  });
  it('sorted pairwise differences', () => {
    expect([...sortedPairwiseDifferences([1, 5], [2, 3])]).toEqual([-2, -1, 2, 3]);
  });
  it('rejects empty samples and bad confidence', () => {
    expect(() => hodgesLehmann([], [1])).toThrow(RangeError);
    expect(() => hodgesLehmann([1], [1], 1)).toThrow(RangeError);
  });
});
