import { describe, expect, it } from 'vitest';
import { describeSample } from '../../../../core/stats/descriptive.ts';
import { N30 } from './fixtures.ts';

// Expected values: R 4.2, for each x:
//   quantile(x, c(.25, .5, .75), type = 7); IQR(x); mad(x, constant = 1); mean(x); sd(x);
//   mad(x) / abs(median(x))   (R's mad() default constant is 1.4826)
describe('describeSample', () => {
  it('n = 1: no stddev, no robust CV (too few values), no percentiles', () => {
    const d = describeSample([42])!;
    expect(d).toMatchObject({ n: 1, min: 42, max: 42, mean: 42, median: 42, q1: 42, q3: 42, iqr: 0, mad: 0, stddev: null });
    expect(d.robustCv).toBeNull();
    expect(d.robustCvUnavailable).toBe('too-few-values');
    expect(d.percentiles).toEqual({});
  });
  it('n = 2', () => {
    // R: x <- c(3, 7): sd 2.8284271247461903, mad(x)/median(x) 0.59304
    const d = describeSample([7, 3])!;
    expect(d).toMatchObject({ n: 2, median: 5, q1: 4, q3: 6, iqr: 2, mad: 2, mean: 5 });
    expect(d.stddev).toBeCloseTo(2.8284271247461903, 14);
    expect(d.robustCv).toBeCloseTo(0.59304, 14);
    expect(d.percentiles).toEqual({ '50': 5 });
  });
  it('n = 3', () => {
    // R: x <- c(5, 1, 9): quartiles 3 5 7, mad1 4, sd 4, robust CV 1.18608
    const d = describeSample([5, 1, 9])!;
    expect(d).toMatchObject({ n: 3, median: 5, q1: 3, q3: 7, iqr: 4, mad: 4, mean: 5, stddev: 4 });
    expect(d.robustCv).toBeCloseTo(1.18608, 14);
  });
  it('n = 5 with an outlier: median and MAD resist it, mean and sd do not', () => {
    // R: x <- c(12.1, 9.8, 11.5, 10.2, 30.4): quartiles 10.2 11.5 12.1, IQR 1.9, mad1 1.3,
    //    mean 14.8, sd 8.7706898246375111, robust CV 0.16759826086956531
    const d = describeSample([12.1, 9.8, 11.5, 10.2, 30.4])!;
    expect(d.median).toBe(11.5);
    expect(d.q1).toBeCloseTo(10.2, 12);
    expect(d.q3).toBeCloseTo(12.1, 12);
    expect(d.iqr).toBeCloseTo(1.9, 12);
    expect(d.mad).toBeCloseTo(1.3, 12);
    expect(d.mean).toBeCloseTo(14.8, 12);
    expect(d.stddev).toBeCloseTo(8.7706898246375111, 12);
    expect(d.robustCv).toBeCloseTo(0.16759826086956531, 12);
    expect([d.min, d.max]).toEqual([9.8, 30.4]);
    expect(Object.keys(d.percentiles).sort()).toEqual(['25', '50', '75']);
  });
  it('n = 10 with ties', () => {
    // R: x <- c(2, 4, 4, 4, 5, 5, 7, 9, 1, 3): quartiles 3.25 4 5, IQR 1.75, mad1 1, mean 4.4,
    //    sd 2.3190036174568114, robust CV 0.37065
    const d = describeSample([2, 4, 4, 4, 5, 5, 7, 9, 1, 3])!;
    expect(d).toMatchObject({ n: 10, median: 4, q1: 3.25, q3: 5, iqr: 1.75, mad: 1 });
    expect(d.mean).toBeCloseTo(4.4, 12);
    expect(d.stddev).toBeCloseTo(2.3190036174568114, 12);
    expect(d.robustCv).toBeCloseTo(0.37065, 12);
    expect(d.percentiles['10']).toBeCloseTo(1.9, 12); // R: quantile(x, .1) -> 1.9
  });
  it('n = 30', () => {
    // R: set.seed(1); x <- round(rlnorm(30, log(100), 0.1), 2)
    // R: quartiles 95.745 102.6 107.3425, IQR 11.5975, mad1 5.575, mean 101.236, sd 9.0573873830645315,
    //    robust CV 0.080560380116959096
    const d = describeSample(N30)!;
    expect(d.median).toBeCloseTo(102.6, 12);
    expect(d.iqr).toBeCloseTo(11.5975, 10);
    expect(d.mad).toBeCloseTo(5.575, 10);
    expect(d.mean).toBeCloseTo(101.236, 10);
    expect(d.stddev).toBeCloseTo(9.0573873830645315, 10);
    expect(d.robustCv).toBeCloseTo(0.080560380116959096, 12);
    expect(Object.keys(d.percentiles)).not.toContain('99');
  });
  it('a median of 0 gives no robust CV (never 0 % spread)', () => {
    // R: x <- c(0, 0, 0, 3, 5): median 0, mad 0, mad(x)/median(x) is NaN; sd 2.3021728866442674
    const d = describeSample([0, 3, 0, 5, 0])!;
    expect(d.median).toBe(0);
    expect(d.robustCv).toBeNull();
    expect(d.robustCvUnavailable).toBe('median-is-zero');
    expect(d.stddev).toBeCloseTo(2.3021728866442674, 12);
    expect(describeSample([0, 0, 0])!.robustCv).toBeNull();
  });
  it('negative values use |median| for the robust CV', () => {
    // R: x <- c(-4, -2, -3, -10, -2.5): mad(x) / abs(median(x)) -> 0.4942
    expect(describeSample([-4, -2, -3, -10, -2.5])!.robustCv).toBeCloseTo(0.4942, 12);
  });
  it('leaves out null, NaN and infinities, and returns null when nothing is left', () => {
    const d = describeSample([3, null, Number.NaN, 7, undefined, Number.POSITIVE_INFINITY])!;
    expect(d.n).toBe(2);
    expect(d.median).toBe(5);
    expect(describeSample([null, Number.NaN])).toBeNull();
  });
});
