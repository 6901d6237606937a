import { describe, expect, it } from 'vitest';
import { binomialCdf, binomialMasses } from '../../../../core/stats/binomial.ts';
import { expectRelClose } from './fixtures.ts';

const close = (actual: number, expected: number, rel = 1e-11): void => expectRelClose(actual, expected, rel);

describe('binomial distribution', () => {
  it('cdf matches R pbinom, including the far tail and n = 2000', () => {
    // R: options(digits=17); pbinom(c(3, 10, 20), 30, 0.5); pbinom(c(0, 5, 12), 40, 0.1); pbinom(950, 2000, 0.5)
    close(binomialCdf(3, 30, 0.5), 4.2151659727096608e-6);
    close(binomialCdf(10, 30, 0.5), 4.936857335269447e-2);
    close(binomialCdf(20, 30, 0.5), 9.7861302737146616e-1);
    close(binomialCdf(0, 40, 0.1), 0.014780882941434594);
    close(binomialCdf(5, 40, 0.1), 0.79372733128716044);
    close(binomialCdf(12, 40, 0.1), 0.99991155238774654);
    close(binomialCdf(950, 2000, 0.5), 0.013412073120140309, 1e-9);
  });
  it('masses match R dbinom and the edges are exact', () => {
    // R: dbinom(0:3, 3, 0.3) -> 0.343 0.441 0.189 0.027
    for (const [i, m] of binomialMasses(3, 0.3).entries()) close(m, [0.343, 0.441, 0.189, 0.027][i]!);
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
