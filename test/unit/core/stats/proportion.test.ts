import { describe, expect, it } from 'vitest';
import { clopperPearson } from '../../../../core/stats/proportion.ts';

describe('clopperPearson', () => {
  it("matches R's binom.test intervals", () => {
    // binom.test(3, 10)$conf.int: 0.06673951 0.65245285
    const a = clopperPearson(3, 10);
    expect(a.lower).toBeCloseTo(0.06673951, 6);
    expect(a.upper).toBeCloseTo(0.65245285, 6);
    // binom.test(6, 6)$conf.int: 0.5407419 1
    const b = clopperPearson(6, 6);
    expect(b.lower).toBeCloseTo(0.5407419, 6);
    expect(b.upper).toBe(1);
    expect(clopperPearson(0, 4).lower).toBe(0);
  });

  it('refuses impossible counts', () => {
    expect(() => clopperPearson(3, 2)).toThrow(RangeError);
    expect(() => clopperPearson(0, 0)).toThrow(RangeError);
  });
});
