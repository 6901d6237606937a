import { describe, expect, it } from 'vitest';
import { pairedMedianRatio } from '../../../core/stats/paired-ratio.ts';

describe('paired median ratio', () => {
  it('is exact on constant series and its interval collapses', () => {
    const r = pairedMedianRatio([30, 30, 30, 30], [20, 20, 20, 20]);
    expect(r).toMatchObject({ ratio: 1.5, lo: 1.5, hi: 1.5, pairs: 4, level: 0.95 });
  });
  it('brackets the ratio of medians and is reproducible for a seed', () => {
    const a = Array.from({ length: 200 }, (_, i) => 100 + (i % 17) * 3);
    const b = Array.from({ length: 200 }, (_, i) => 50 + (i % 13) * 2);
    const r = pairedMedianRatio(a, b, { seed: 3 });
    expect(r.lo).toBeLessThanOrEqual(r.ratio);
    expect(r.hi).toBeGreaterThanOrEqual(r.ratio);
    expect(r.hi - r.lo).toBeLessThan(0.3);
    expect(pairedMedianRatio(a, b, { seed: 3 })).toEqual(r);
  });
  it('refuses unpaired input', () => {
    expect(() => pairedMedianRatio([1, 2], [1])).toThrow(RangeError);
    expect(() => pairedMedianRatio([], [])).toThrow(RangeError);
  });
});
