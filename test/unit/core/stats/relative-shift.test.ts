import { describe, expect, it } from 'vitest';
import { relativeShift } from '../../../../core/stats/relative-shift.ts';
import { A30, A55, B30_NO_TIE, B60 } from './fixtures.ts';

// Expected values: R 4.2, r <- wilcox.test(log(new), log(base), conf.int = TRUE);
// exp(c(r$estimate, r$conf.int)) - 1
describe('relativeShift', () => {
  it('positive values: exponentiated Hodges–Lehmann shift of the logs, exact for n = 5', () => {
    // R: exp(...) - 1 -> 0.15909090909090873 0.019999999999999574 0.30681818181818143
    const r = relativeShift([9.1, 9.7, 8.8, 10.0, 9.3], [10.2, 11.5, 9.8, 12.1, 10.9]);
    expect(r.method).toBe('log-hodges-lehmann');
    expect(r.estimate).toBeCloseTo(0.15909090909090873, 12);
    expect(r.lower).toBeCloseTo(0.019999999999999574, 12);
    expect(r.upper).toBeCloseTo(0.30681818181818143, 12);
    // median(new) / median(base) = 10.9 / 9.3
    expect(r.ratioOfMedians).toBeCloseTo(10.9 / 9.3, 14);
    expect(r.absoluteShift.estimate).toBeCloseTo(1.5, 12);
    expect(r.interval.method).toBe('exact');
  });
  it('matches R for n = 30 and 60 v 55 (both exact)', () => {
    // R: -> 0.10014688110429959 0.04678252700798513 0.14629759168582024
    const r30 = relativeShift(A30, B30_NO_TIE);
    expect(r30.estimate).toBeCloseTo(0.10014688110429959, 12);
    expect(r30.lower).toBeCloseTo(0.04678252700798513, 12);
    expect(r30.upper).toBeCloseTo(0.14629759168582024, 12);
    // R: r <- wilcox.test(log(B60), log(A55), conf.int = TRUE, exact = TRUE); exp(c(r$estimate, r$conf.int)) - 1
    //    -> 0.1146183687261153 0.0430973112096813 0.1884713677236156
    const r60 = relativeShift(A55, B60);
    expect(r60.interval.method).toBe('exact');
    expect(r60.estimate).toBeCloseTo(0.1146183687261153, 12);
    expect(r60.lower).toBeCloseTo(0.0430973112096813, 12);
    expect(r60.upper).toBeCloseTo(0.1884713677236156, 12);
  });
  it('values with zeros: shift divided by the base median', () => {
    // R: wilcox.test(new, base, conf.int = TRUE) with new = c(12, 10, 0, 14, 11, 13), base = c(10, 9, 11, 8, 10, 12)
    //    -> conf.int -8.000034 3.999971 (uniroot's tolerance); median(outer(new, base, "-")) -> 1.5;
    //    median(base) = 10
    const r = relativeShift([10, 9, 11, 8, 10, 12], [12, 10, 0, 14, 11, 13]);
    expect(r.method).toBe('shift-over-base-median');
    expect(r.estimate).toBeCloseTo(0.15, 12);
    expect(r.lower).toBeCloseTo(-0.8, 12);
    expect(r.upper).toBeCloseTo(0.4, 12);
  });
  it('a base median of 0 gives no relative figure, unless nothing moved', () => {
    const moved = relativeShift([0, 0, 0, 1, 0, 0], [0, 2, 3, 0, 4, 1]);
    expect(moved).toMatchObject({ estimate: null, lower: null, upper: null, ratioOfMedians: null, unavailable: 'base-median-is-zero' });
    const still = relativeShift([0, 0, 0, 0], [0, 0, 0, 0]);
    expect(still).toMatchObject({ estimate: 0, lower: 0, upper: 0, unavailable: null });
  });
});
