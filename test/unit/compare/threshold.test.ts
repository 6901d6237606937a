/** --threshold parsing. */
import { describe, expect, it } from 'vitest';
import { HintbenchError } from '../../../core/errors.ts';
import { parseThresholds, thresholdFor } from '../../../reports/compare/threshold.ts';

describe('parseThresholds', () => {
  it('default 5 %, a new default, per-metric overrides, later items win', () => {
    expect(parseThresholds([])).toEqual({ defaultFraction: 0.05, perMetric: {} });
    const t = parseThresholds(['2.5%', 'retouchNs=10%,userLatencyNs=7,retouchNs=12%']);
    expect(t.defaultFraction).toBe(0.025);
    expect(thresholdFor(t, 'retouchNs')).toBe(0.12);
    expect(thresholdFor(t, 'userLatencyNs')).toBe(0.07);
    expect(thresholdFor(t, 'kernelLatencyNs')).toBe(0.025);
  });

  it.each([
    ['five', /--threshold 'five' is not a percentage/],
    ['-5%', /--threshold '-5%' is not a percentage/],
    ['rssAfterBytes=5%', /'rssAfterBytes', which is not a metric compare judges/],
    ['nosuch=5%', /'nosuch', which is not a metric compare judges/],
    ['retouchNs=', /is not a percentage/],
  ])('%s is a usage error (exit 2) naming the item', (value, message) => {
    try {
      parseThresholds([value]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(HintbenchError);
      expect((e as HintbenchError).exitCode).toBe(2);
      expect((e as HintbenchError).message).toMatch(message);
    }
  });
});
