import { describe, expect, it } from 'vitest';
import { normalCdf, normalQuantile, normalSurvival } from '../../../../core/stats/normal.ts';
import { expectRelClose } from './fixtures.ts';

const close = (actual: number, expected: number, rel = 1e-12): void => expectRelClose(actual, expected, rel);

describe('normalCdf', () => {
  it('matches R pnorm to 12 significant digits across the range', () => {
    // R: options(digits=17); pnorm(c(-8,-5,-3.2,-1.96,-0.5,0,0.3,1,2.5,3.7,6))
    const z = [-8, -5, -3.2, -1.96, -0.5, 0, 0.3, 1, 2.5, 3.7, 6];
    const r = [
      6.2209605742717849e-16, 2.8665157187919391e-7, 6.8713793791584806e-4, 2.4997895148220428e-2, 3.0853753872598694e-1, 0.5, 6.1791142218895267e-1, 8.4134474606854293e-1,
      9.9379033467422384e-1, 9.9989220026652259e-1, 9.999999990134123e-1,
    ];
    for (const [i, v] of z.entries()) close(normalCdf(v), r[i]!);
  });
  it('keeps relative precision in the upper tail', () => {
    // R: pnorm(c(3.7, 6, 8), lower.tail = FALSE)
    close(normalSurvival(3.7), 1.0779973347738828e-4);
    close(normalSurvival(6), 9.8658764503769809e-10);
    close(normalSurvival(8), 6.2209605742717849e-16);
  });
  it('handles infinities and NaN', () => {
    expect(normalCdf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(normalCdf(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(normalCdf(Number.NaN)).toBeNaN();
  });
});

describe('normalQuantile', () => {
  it('matches R qnorm', () => {
    // R: options(digits=17); qnorm(c(1e-10, 0.001, 0.01, 0.025, 0.05, 0.3, 0.5, 0.8, 0.975, 0.999))
    const p = [1e-10, 0.001, 0.01, 0.025, 0.05, 0.3, 0.8, 0.975, 0.999];
    const r = [
      -6.3613409024040557, -3.0902323061678132, -2.3263478740408408, -1.9599639845400538, -1.6448536269514726, -0.52440051270804067, 0.84162123357291441, 1.9599639845400536,
      3.0902323061678132,
    ];
    for (const [i, v] of p.entries()) close(normalQuantile(v), r[i]!, 1e-12);
    expect(normalQuantile(0.5)).toBe(0);
  });
  it('returns infinities at 0 and 1 and NaN outside', () => {
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normalQuantile(1.2)).toBeNaN();
  });
});
