import { describe, expect, it } from 'vitest';
import { DEFAULT_VERDICT_OPTIONS, compareSamples, decideVerdict, judgeFamily, type VerdictOptions } from '../../../../core/stats/verdict.ts';
import { A30, B30_NO_TIE } from './fixtures.ts';

const LOWER: VerdictOptions = { ...DEFAULT_VERDICT_OPTIONS, direction: 'lower-is-better' };
const HIGHER: VerdictOptions = { ...DEFAULT_VERDICT_OPTIONS, direction: 'higher-is-better' };

// The intervals these cases rest on, from R 4.2:
//   r <- wilcox.test(log(B30_NO_TIE), log(A30), conf.int = TRUE): p 0.00035361684442137057,
//     exp(c(r$estimate, r$conf.int)) - 1 -> +10.01 %, [+4.68 %, +14.63 %]
//   r <- wilcox.test(log(A30 * 1.01), log(A30), conf.int = TRUE): p 0.4761360286807751,
//     exp(...) - 1 -> +1.00 %, [-2.57 %, +4.70 %]
//   p.adjust(c(0.00035361684442137057, 0.5, 0.9), "holm")[1] -> 0.0010608505332641116
describe('decideVerdict', () => {
  const shifted = compareSamples(A30, B30_NO_TIE);
  it('straddling the 5 % threshold (+4.68 % .. +14.63 %) is inconclusive even though significant', () => {
    expect(shifted.test!.pValue).toBeCloseTo(0.00035361684442137057, 15);
    expect(shifted.shift!.lower).toBeCloseTo(0.04678252700798513, 12);
    expect(decideVerdict(shifted, shifted.test!.pValue, LOWER)).toMatchObject({ verdict: 'inconclusive', reason: 'interval-straddles-threshold' });
  });
  it('with a 4 % threshold the same shift is a regression when lower is better, an improvement when higher is', () => {
    const t4 = { thresholdFraction: 0.04 };
    expect(decideVerdict(shifted, shifted.test!.pValue, { ...LOWER, ...t4 })).toMatchObject({
      verdict: 'regressed',
      reason: 'significant-and-beyond-threshold',
    });
    expect(decideVerdict(shifted, shifted.test!.pValue, { ...HIGHER, ...t4 })).toMatchObject({ verdict: 'improved' });
    // and in the other order (new faster than base) the roles swap
    const reverse = compareSamples(B30_NO_TIE, A30);
    expect(decideVerdict(reverse, reverse.test!.pValue, { ...LOWER, ...t4 }).verdict).toBe('improved');
    expect(decideVerdict(reverse, reverse.test!.pValue, { ...HIGHER, ...t4 }).verdict).toBe('regressed');
  });
  it('an interval beyond the threshold but a corrected p-value above alpha is inconclusive', () => {
    expect(decideVerdict(shifted, 0.2, { ...LOWER, thresholdFraction: 0.04 })).toMatchObject({
      verdict: 'inconclusive',
      reason: 'not-significant-after-correction',
    });
  });
  it('a 1 % shift whose interval (-2.57 % .. +4.70 %) lies within +-5 % is unchanged', () => {
    const small = compareSamples(
      A30,
      A30.map((v) => v * 1.01),
    );
    expect(small.shift!.estimate).toBeCloseTo(0.009999999999999787, 12);
    expect(small.shift!.lower).toBeCloseTo(-0.025711146624051384, 12);
    expect(small.shift!.upper).toBeCloseTo(0.04702008697452875, 12);
    expect(decideVerdict(small, small.test!.pValue, LOWER)).toMatchObject({ verdict: 'unchanged', reason: 'interval-within-threshold' });
    expect(decideVerdict(small, small.test!.pValue, HIGHER).verdict).toBe('unchanged');
    // with a 3 % threshold the upper bound (+4.70 %) crosses it
    expect(decideVerdict(small, small.test!.pValue, { ...LOWER, thresholdFraction: 0.03 }).reason).toBe('interval-straddles-threshold');
  });
  it('fewer values than minN on either side is inconclusive', () => {
    const c = compareSamples([10, 11, 12, 13, 14], [20, 21, 22, 23, 24]);
    expect(decideVerdict(c, c.test!.pValue, LOWER)).toMatchObject({ verdict: 'inconclusive', reason: 'too-few-samples' });
    expect(decideVerdict(compareSamples([], [1, 2]), Number.NaN, LOWER).reason).toBe('too-few-samples');
  });
  it('an interval that cannot reach its confidence (3 v 3: 90 %) is inconclusive', () => {
    const c = compareSamples([0.4, 0.9, 1.8], [1.1, 2.3, 3.7]);
    expect(decideVerdict(c, c.test!.pValue, { ...LOWER, minN: 3 })).toMatchObject({ verdict: 'inconclusive', reason: 'interval-short-of-confidence' });
  });
  it('a base median of 0 with movement has no relative figure; nothing moving is unchanged', () => {
    const moved = compareSamples([0, 0, 0, 1, 0, 0], [0, 2, 3, 0, 4, 1]);
    expect(decideVerdict(moved, moved.test!.pValue, LOWER).reason).toBe('no-relative-figure');
    const still = compareSamples([0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]);
    expect(decideVerdict(still, still.test!.pValue, LOWER).verdict).toBe('unchanged');
  });
  it('rejects bad options and a comparison made at another confidence', () => {
    expect(() => decideVerdict(shifted, 0.01, { ...LOWER, alpha: 0 })).toThrow(RangeError);
    expect(() => decideVerdict(shifted, 0.01, { ...LOWER, minN: 0 })).toThrow(RangeError);
    expect(() => decideVerdict(shifted, 0.01, { ...LOWER, confidence: 0.9 })).toThrow(RangeError);
  });
});

describe('judgeFamily', () => {
  it('Holm-adjusts the p-values across the family before deciding', () => {
    const t4 = { ...LOWER, thresholdFraction: 0.04 };
    const verdicts = judgeFamily([
      { base: A30, next: B30_NO_TIE, options: t4 },
      { base: A30, next: A30.map((v) => v * 1.01), options: LOWER },
      { base: [1, 2, 3, 4, 5, 6], next: [1.5, 2.5, 3.5, 4.5, 5.5, 6.5], options: LOWER },
    ]);
    // the first p-value (R: 0.00035361684442137057) is the smallest of three, so Holm multiplies it by 3
    expect(verdicts[0]!.adjustedPValue).toBeCloseTo(3 * 0.00035361684442137057, 14);
    expect(verdicts.map((v) => v.verdict)).toEqual(['regressed', 'unchanged', 'inconclusive']);
  });
});
