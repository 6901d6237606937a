/**
 * The summary results.json stores per metric. Expected figures are worked by hand from the
 * definitions the statistics modules cite (R's quantile type 7 and mad(constant = 1), the
 * binomial order-statistic interval of SciPy's quantile_test, Iglewicz and Hoaglin's modified
 * z-score); each comment shows the arithmetic.
 */
import { describe, expect, it } from 'vitest';
import { nearestRankPercentile, summarize, summarizeFields } from '../../../../core/stats/summary.ts';

describe('summarize', () => {
  it('gives the descriptive statistics, the median interval with its coverage, and no outliers for n = 9', () => {
    // sorted 1 2 4 4 4 5 5 7 9; mean 41/9
    const s = summarize([2, 4, 4, 4, 5, 5, 7, 9, 1])!;
    expect(s.n).toBe(9);
    expect([s.min, s.median, s.max]).toEqual([1, 4, 9]);
    expect(s.mean).toBeCloseTo(41 / 9, 12);
    expect(s.stddev).toBeCloseTo(Math.sqrt((233 - 1681 / 9) / 8), 12);
    // type 7: q1 at h = 2 -> 4, q3 at h = 6 -> 5
    expect([s.q1, s.q3, s.iqr]).toEqual([4, 5, 1]);
    // |x - 4| sorted 0 0 0 1 1 2 3 3 5 -> MAD 1; robust CV 1.4826 / 4
    expect(s.mad).toBe(1);
    expect(s.robustCv).toBeCloseTo(1.4826 / 4, 12);
    // Binomial(9, 1/2): P(B <= 1) = 10/512 -> [x(2), x(8)] = [2, 7] covers 1 - 20/512; P(B <= 2) = 46/512 would fall below 95 %
    expect(s.ci).toEqual({ lower: 2, upper: 7, coverage: 1 - 20 / 512, confidence: 0.95, meetsConfidence: true, relativeHalfWidth: (7 - 2) / (2 * 4) });
    // the 9 is 0.6745 * 5 / 1 = 3.37 from the median: below 3.5
    expect(s.outliers).toEqual([]);
    // n = 9 supports the quartiles and the median only (p10 needs 10 values, p99 needs 100)
    expect(Object.keys(s.percentiles).sort()).toEqual(['25', '50', '75']);
    expect(s).not.toHaveProperty('p99');
  });

  it('n = 5: the interval is [min, max] at 93.75 %, short of 95 %, so it has no relative half-width', () => {
    const s = summarize([10, 12, 11, 13, 14])!;
    expect(s.ci).toEqual({ lower: 10, upper: 14, coverage: 0.9375, confidence: 0.95, meetsConfidence: false, relativeHalfWidth: null });
  });

  it('flags outliers by position in the input, nulls included', () => {
    // median 10, MAD 0 for 10 10 10 10 10 ... the fallback scale; 100 is far out
    const s = summarize([null, 10, 11, 10, 9, 10, 100, 10])!;
    expect(s.n).toBe(7);
    expect(s.outliers).toEqual([6]);
  });

  it('a median of 0 has no robust CV (not 0 %) and no relative half-width', () => {
    const s = summarize([0, 0, 0, 0, 5, 7, 0])!;
    expect(s.median).toBe(0);
    expect(s.robustCv).toBeNull();
    expect(s.robustCvUnavailable).toBe('median-is-zero');
    expect(s.ci!.relativeHalfWidth).toBeNull();
    expect(summarize([null, Number.NaN])).toBeNull();
  });

  it('takes another confidence when asked', () => {
    // 99 % needs n >= 8: at n = 7 [min, max] covers 1 - 2/128
    const s = summarize([1, 2, 3, 4, 5, 6, 7], 0.99)!;
    expect(s.ci).toMatchObject({ lower: 1, upper: 7, coverage: 1 - 2 / 128, confidence: 0.99, meetsConfidence: false });
  });
});

describe('summarizeFields', () => {
  it('summarises named numeric fields, leaves out all-null ones and the records not included', () => {
    const rows = [
      { a: 100, b: null as number | null, warm: true },
      { a: 1, b: null, warm: false },
      { a: 3, b: null, warm: false },
    ];
    const out = summarizeFields(rows, ['a', 'b'], { include: (r) => !r.warm });
    expect(Object.keys(out)).toEqual(['a']);
    expect(out.a!.n).toBe(2);
    expect(out.a!.median).toBe(2);
    expect(out.a!.max).toBe(3);
  });
});

describe('nearestRankPercentile', () => {
  it('uses nearest rank and is the maximum for small n', () => {
    const values = Array.from({ length: 200 }, (_, i) => 200 - i);
    expect(nearestRankPercentile(values, 99)).toBe(198);
    expect(nearestRankPercentile(values, 50)).toBe(100);
    expect(nearestRankPercentile([5, null, 3], 99)).toBe(5);
    expect(nearestRankPercentile([], 99)).toBeNull();
  });
});
