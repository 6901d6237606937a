import { describe, expect, it } from 'vitest';
import { HYPERFINE_THRESHOLD, detectOutliers } from '../../../../core/stats/outliers.ts';

// Expected scores: R 4.2, mz <- function(x) 0.6745 * (x - median(x)) / mad(x, constant = 1)
describe('modified z-score outliers (Iglewicz and Hoaglin, threshold 3.5)', () => {
  it('scores and flags match R for n = 5 with one slow repetition', () => {
    // R: mz(c(12.1, 9.8, 11.5, 10.2, 30.4)) -> 0.3113077 -0.8820385 0 -0.6745 9.8061923
    const r = detectOutliers([12.1, 9.8, 11.5, 10.2, 30.4]);
    const expected = [0.31130769230769195, -0.88203846153846066, 0, -0.6745, 9.8061923076923012];
    for (const [i, s] of r.scores.entries()) expect(s).toBeCloseTo(expected[i]!, 12);
    expect(r.isOutlier).toEqual([false, false, false, false, true]);
    expect(r).toMatchObject({ count: 1, scale: 'mad', threshold: 3.5 });
  });
  it('flags both planted values among 12 (hyperfine test data), by R scores', () => {
    // R: mz(c(2.33269488, 1.42195907, -0.57527698, -0.31293437, 2.2948158, 0.75813273, -1.0712388,
    //        -0.96394741, -1.15897446, 1.10976285, 20.0, -500.0))
    const x = [2.33269488, 1.42195907, -0.57527698, -0.31293437, 2.2948158, 0.75813273, -1.0712388, -0.96394741, -1.15897446, 1.10976285, 20, -500];
    const expected = [
      1.1417140747436945, 0.64894026706753116, -0.43170859111956483, -0.28976230392415664, 1.1212187584533753, 0.28976230392415664, -0.7000597329324687, -0.6420073469379306,
      -0.74753105751690707, 0.48001957856237065, 10.70100132332457, -270.65653088088828,
    ];
    const r = detectOutliers(x);
    for (const [i, s] of r.scores.entries()) expect(s).toBeCloseTo(expected[i]!, 10);
    expect(r.count).toBe(2);
    expect(r.isOutlier.slice(10)).toEqual([true, true]);
  });
  it('with threshold 10 reproduces hyperfine test_detect_outliers where the MAD is not 0', () => {
    // hyperfine src/outlier_detection.rs, test_detect_outliers: expected outlier counts
    expect(detectOutliers([], HYPERFINE_THRESHOLD).count).toBe(0);
    expect(detectOutliers([50], HYPERFINE_THRESHOLD).count).toBe(0);
    expect(detectOutliers([1000, 0], HYPERFINE_THRESHOLD).count).toBe(0);
    expect(detectOutliers([-0.2, 0, 0.2], HYPERFINE_THRESHOLD).count).toBe(0);
    expect(detectOutliers([-0.2, 0, 0.2, 4], HYPERFINE_THRESHOLD).count).toBe(1);
    expect(detectOutliers([0.5, 0.3, 0.29, 0.31, 0.3], HYPERFINE_THRESHOLD).count).toBe(1);
    const normal = [2.33269488, 1.42195907, -0.57527698, -0.31293437, 2.2948158, 0.75813273, -1.0712388, -0.96394741, -1.15897446, 1.10976285];
    expect(detectOutliers(normal, HYPERFINE_THRESHOLD).count).toBe(0);
    expect(detectOutliers([...normal, 20, -500], HYPERFINE_THRESHOLD).count).toBe(2);
    // R: mz(c(0.5, 0.30, 0.29, 0.31, 0.30))[1] -> 13.49
    expect(detectOutliers([0.5, 0.3, 0.29, 0.31, 0.3]).scores[0]).toBeCloseTo(13.49, 10);
  });
  it('falls back to 1.253314 * mean absolute deviation when the MAD is 0', () => {
    // R: x <- c(10, 10, 10, 10, 10, 10, 10, 100); (x - median(x)) / (1.253314 * mean(abs(x - median(x))))
    //    -> 0 ... 0 6.3830771857650994
    const r = detectOutliers([10, 10, 10, 10, 10, 10, 10, 100]);
    expect(r.scale).toBe('mean-absolute-deviation');
    expect(r.scores[7]).toBeCloseTo(6.3830771857650994, 12);
    expect(r.count).toBe(1);
    // hyperfine (epsilon instead of 0) would flag 100 at threshold 10 too; this fallback does not:
    expect(detectOutliers([10, 10, 10, 10, 10, 10, 10, 100], HYPERFINE_THRESHOLD).count).toBe(0);
    // R: x <- c(0, 0, 0, 0, 1); same formula -> 3.9894232411031871 for the 1
    const counts = detectOutliers([0, 0, 1, 0, 0]);
    expect(counts.scores[2]).toBeCloseTo(3.9894232411031871, 12);
    expect(counts.isOutlier).toEqual([false, false, true, false, false]);
  });
  it('flags nothing when every value is equal or when n < 3, and skips non-finite values', () => {
    expect(detectOutliers([5, 5, 5, 5])).toMatchObject({ count: 0, scale: 'none' });
    expect(detectOutliers([1, 1000])).toMatchObject({ count: 0, scale: 'none' });
    const r = detectOutliers([12.1, Number.NaN, 9.8, 11.5, 10.2, 30.4]);
    expect(r.scores[1]).toBeNaN();
    expect(r.isOutlier).toEqual([false, false, false, false, false, true]);
    expect(() => detectOutliers([1, 2, 3], 0)).toThrow(RangeError);
  });
});
