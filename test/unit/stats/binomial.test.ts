import { describe, expect, it } from 'vitest';
import { binomialCdf, binomialMasses } from '../../../bench/stats/binomial.ts';

function expectRelClose(actual: number, expected: number, rel = 1e-11): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));
}

describe('binomial distribution', () => {
  it('cdf matches R pbinom, including the far tail and n = 2000', () => {
    // R: options(digits=17); pbinom(c(3, 10, 20), 30, 0.5); pbinom(c(0, 5, 12), 40, 0.1); pbinom(950, 2000, 0.5)
    expectRelClose(binomialCdf(3, 30, 0.5), 4.2151659727096608e-6);
    expectRelClose(binomialCdf(10, 30, 0.5), 4.936857335269447e-2);
    expectRelClose(binomialCdf(20, 30, 0.5), 9.7861302737146616e-1);
    expectRelClose(binomialCdf(0, 40, 0.1), 0.014780882941434594);
    expectRelClose(binomialCdf(5, 40, 0.1), 0.79372733128716044);
    expectRelClose(binomialCdf(12, 40, 0.1), 0.99991155238774654);
    expectRelClose(binomialCdf(950, 2000, 0.5), 0.013412073120140309, 1e-9);
  });
  it('masses match R dbinom and the edges are exact', () => {
    // R: dbinom(0:3, 3, 0.3) -> 0.343 0.441 0.189 0.027
    binomialMasses(3, 0.3).forEach((m, i) => expectRelClose(m, [0.343, 0.441, 0.189, 0.027][i]!));
    expect(binomialCdf(-1, 5, 0.5)).toBe(0);
    expect(binomialCdf(5, 5, 0.5)).toBe(1);
    expect(binomialMasses(4, 0)).toEqual([1, 0, 0, 0, 0]);
    expect(binomialMasses(4, 1)).toEqual([0, 0, 0, 0, 1]);
  });
  it('rejects a bad trial count or probability', () => {
    expect(() => binomialMasses(2.5, 0.5)).toThrow(RangeError);
    expect(() => binomialMasses(3, 1.5)).toThrow(RangeError);
  });
});
