import { describe, expect, it } from 'vitest';
import { percentileOfSorted, summarize, summarizeFields } from '../../../../core/stats/summary.ts';

describe('summarize', () => {
  it('computes hand-checked statistics of an odd-sized sample', () => {
    // values 2, 4, 4, 4, 5, 5, 7, 9, 1: sorted 1 2 4 4 4 5 5 7 9, mean 41/9
    const s = summarize([2, 4, 4, 4, 5, 5, 7, 9, 1])!;
    expect(s.n).toBe(9);
    expect(s.median).toBe(4);
    expect(s.min).toBe(1);
    expect(s.max).toBe(9);
    expect(s.mean).toBeCloseTo(41 / 9, 12);
    // sum of squared deviations = 233 - 41^2/9 = 46.2222...; / 8
    expect(s.stddev).toBeCloseTo(Math.sqrt((233 - 1681 / 9) / 8), 12);
    expect(s.spread).toBe(8);
    expect(s.relSpread).toBe(2);
    expect(s.p99).toBe(9);
  });
  it('takes the mean of the middle pair for an even count and skips nulls and NaN', () => {
    const s = summarize([10, null, 30, Number.NaN, 20, 40])!;
    expect(s.n).toBe(4);
    expect(s.median).toBe(25);
    expect(s.stddev).toBeCloseTo(Math.sqrt(500 / 3), 12);
  });
  it('gives zero spread and stddev for one value, and null for none', () => {
    const s = summarize([7])!;
    expect([s.median, s.stddev, s.spread, s.relSpread, s.p99]).toEqual([7, 0, 0, 0, 7]);
    expect(summarize([null, Number.NaN])).toBeNull();
    expect(summarize([0, 0])!.relSpread).toBe(0);
  });
  it('uses nearest rank for percentiles', () => {
    const sorted = Array.from({ length: 200 }, (_, i) => i + 1);
    expect(percentileOfSorted(sorted, 99)).toBe(198);
    expect(percentileOfSorted(sorted, 50)).toBe(100);
    expect(percentileOfSorted([5], 99)).toBe(5);
  });
  it('summarises named numeric fields and leaves out all-null ones', () => {
    const rows = [
      { a: 1, b: null as number | null },
      { a: 3, b: null },
    ];
    const out = summarizeFields(rows, ['a', 'b']);
    expect(Object.keys(out)).toEqual(['a']);
    expect(out.a!.median).toBe(2);
  });
});
