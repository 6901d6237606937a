import { describe, expect, it } from 'vitest';
import { holmAdjust } from '../../../../core/stats/holm.ts';

describe('holmAdjust', () => {
  it('matches R p.adjust(method = "holm"), with tied p-values', () => {
    // R: p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.2, 0.04), method = "holm") -> 0.05 0.12 0.12 0.03 0.2 0.12
    const got = holmAdjust([0.01, 0.04, 0.03, 0.005, 0.2, 0.04]);
    for (const [i, e] of [0.05, 0.12, 0.12, 0.03, 0.2, 0.12].entries()) expect(got[i]).toBeCloseTo(e, 15);
    // R: p.adjust(c(0.0001, 0.5, 0.012, 0.013, 0.9), method = "holm") -> 0.0005 1 0.048 0.048 1
    const got2 = holmAdjust([0.0001, 0.5, 0.012, 0.013, 0.9]);
    for (const [i, e] of [0.0005, 1, 0.048, 0.048, 1].entries()) expect(got2[i]).toBeCloseTo(e, 15);
  });
  it('leaves non-finite entries out of the family', () => {
    // R: p.adjust(c(0.01, NA, 0.02), method = "holm") -> 0.02 NA 0.02
    const got = holmAdjust([0.01, Number.NaN, 0.02]);
    expect(got[0]).toBeCloseTo(0.02, 15);
    expect(got[1]).toBeNaN();
    expect(got[2]).toBeCloseTo(0.02, 15);
    expect(holmAdjust([])).toEqual([]);
  });
  it('rejects a p-value outside [0, 1]', () => {
    expect(() => holmAdjust([0.5, 1.5])).toThrow(RangeError);
  });
});
