import { describe, expect, it } from 'vitest';
import { DISPLAYED_METRICS } from '../../../core/metrics.ts';
import { SCENARIO_COLUMNS, SUMMARY_COLUMNS, formatMetric, sampleFieldOfHeader, snakeCase, summaryRows, tabulate } from '../../../reports/columns.ts';
import { fixtureRun } from './fixture.ts';

describe('column lists', () => {
  it('snake_cases field names keeping units', () => {
    expect(snakeCase('userLatencyNs')).toBe('user_latency_ns');
    expect(snakeCase('sizeMiB')).toBe('size_mib');
    expect(snakeCase('retouchMajorFaultsProbe')).toBe('retouch_major_faults_probe');
    expect(sampleFieldOfHeader('pswpout_delta_pages')).toBe('pswpoutDeltaPages');
    expect(sampleFieldOfHeader('scenario_id')).toBeNull();
  });

  it('has one summary row per scenario and key metric present in its summary', () => {
    const run = fixtureRun();
    const rows = summaryRows(run);
    const expected = run.scenarios.reduce((n, s) => n + DISPLAYED_METRICS.filter((m) => s.summary[m.field] !== undefined).length, 0);
    expect(rows).toHaveLength(expected);
    expect(rows.some((r) => r.result.status === 'failed')).toBe(false);
    const table = tabulate(SUMMARY_COLUMNS, rows);
    expect(table.headers).toEqual(['scenario_id', 'metric', 'n', 'median', 'ci_low', 'ci_high', 'ci_coverage_pct', 'min', 'max', 'robust_cv_pct']);
    const pm = run.scenarios[0]!;
    const i = rows.findIndex((r) => r.result === pm && r.metric.field === 'userLatencyNs');
    const s = pm.summary.userLatencyNs!;
    expect(table.rows[i]).toEqual([
      pm.scenario.id,
      'user latency (µs)',
      String(s.n),
      formatMetric(s.median, { divisor: 1e3, decimals: 1 }),
      formatMetric(s.ci!.lower, { divisor: 1e3, decimals: 1 }),
      formatMetric(s.ci!.upper, { divisor: 1e3, decimals: 1 }),
      (s.ci!.coverage * 100).toFixed(1),
      formatMetric(s.min, { divisor: 1e3, decimals: 1 }),
      formatMetric(s.max, { divisor: 1e3, decimals: 1 }),
      (s.robustCv! * 100).toFixed(1),
    ]);
    expect(table.numeric.slice(2)).toEqual([true, true, true, true, true, true, true, true]);
  });

  it('leaves the robust CV empty when the median is 0, never 0 %', () => {
    const run = fixtureRun();
    const result = run.scenarios[0]!;
    const summary = { ...result.summary.userLatencyNs!, median: 0, robustCv: null, robustCvUnavailable: 'median-is-zero' as const };
    const metric = DISPLAYED_METRICS.find((m) => m.field === 'userLatencyNs')!;
    const table = tabulate(SUMMARY_COLUMNS, [{ result, metric, summary }]);
    expect(table.rows[0]![table.headers.indexOf('robust_cv_pct')]).toBe('');
  });

  it('formats display units with separators', () => {
    expect(formatMetric(52_431_870, { divisor: 1e3, decimals: 1 })).toBe('52,431.9');
    expect(formatMetric(3_104_572, { divisor: 1e6, decimals: 2 })).toBe('3.10');
  });

  it('scenario overview: empty cells where a metric was not measured, status last', () => {
    const run = fixtureRun();
    const table = tabulate(SCENARIO_COLUMNS, run.scenarios);
    const baseline = table.rows[run.scenarios.findIndex((s) => s.scenario.mechanism === 'none')]!;
    expect(baseline[table.headers.indexOf('median user latency (µs)')]).toBe('');
    expect(baseline[table.headers.indexOf('median re-touch major faults')]).toBe('0');
    const failed = table.rows[run.scenarios.findIndex((s) => s.status === 'failed')]!;
    expect(failed.at(-1)).toBe('failed');
    expect(failed[1]).toBe('0');
  });
});
