import { describe, expect, it } from 'vitest';
import { describeSample } from '../../../core/stats/descriptive.ts';
import { constantFields, isWarmUp, measuredSamples, metricStats, varyingFields } from '../../../reports/sample-stats.ts';
import { ciText, groupedTableText, metricTable, overviewTable, wrapText } from '../../../reports/tables.ts';
import { fieldLabel, formatBytes, formatDurationNs, formatFieldRange, formatRatio } from '../../../reports/units.ts';
import { fixtureRun } from './fixture.ts';

describe('units', () => {
  it('times in SI units with 3 significant digits, bytes in binary units, ratios with ×', () => {
    expect(formatDurationNs(2_993_000_000)).toBe('2.99 s');
    expect(formatDurationNs(161_000_000)).toBe('161 ms');
    expect(formatDurationNs(415_300)).toBe('415 µs');
    expect(formatDurationNs(999_700)).toBe('1.00 ms');
    expect(formatDurationNs(850)).toBe('850 ns');
    expect(formatBytes(256 * 2 ** 20)).toBe('256 MiB');
    expect(formatRatio(18.61)).toBe('18.6×');
    expect(formatFieldRange('userLatencyNs', 952e6, 1.15e9)).toBe('0.95–1.15 s');
    expect(fieldLabel('userLatencyNs')).toBe('user latency');
    expect(fieldLabel('pswpoutDeltaPages')).toBe('pswpout delta (pages)');
  });
});

describe('statistics from raw samples', () => {
  it('ignore ScenarioResult.summary and leave warm-up samples out (results without the flag count every sample)', () => {
    const run = fixtureRun();
    const pm = run.scenarios[0]!;
    pm.summary = {};
    expect(measuredSamples(pm)).toHaveLength(3);
    (pm.samples[0] as Record<string, unknown>).warmUp = true;
    expect(isWarmUp(pm.samples[0]!)).toBe(true);
    const s = metricStats(pm, 'userLatencyNs')!;
    expect(s.values).toEqual(pm.samples.slice(1).map((x) => x.userLatencyNs));
    expect(s.describe).toEqual(describeSample(s.values));
    expect(s.ci!.meetsConfidence).toBe(false);
    expect(ciText(s)).toMatch(/\*$/);
  });

  it('tables show only metrics that vary; constant ones are named once', () => {
    const run = fixtureRun();
    const varying = varyingFields(run);
    expect(varying).toContain('userLatencyNs');
    const constant = constantFields(run).map((c) => c.field);
    for (const f of constant) expect(varying).not.toContain(f);
    const table = metricTable(run);
    const labels = new Set(table.groups.flatMap((g) => g.rows.map((r) => r[0])));
    for (const f of constant) expect(labels.has(fieldLabel(f))).toBe(false);
    expect(table.groups.map((g) => g.title)).toEqual(run.scenarios.filter((s) => s.samples.length > 0).map((s) => s.scenario.id));
    // Within a scenario, a metric whose samples are all equal is named in the note, not given a row.
    const pm = run.scenarios[0]!;
    pm.samples.forEach((x, i) => {
      x.swapAfterBytes = 64 * 2 ** 20;
      x.rssAfterBytes = 1000 + i;
    });
    const g = metricTable(run).groups[0]!;
    expect(g.rows.some((r) => r[0] === fieldLabel('swapAfterBytes'))).toBe(false);
    expect(g.note).toContain(`${fieldLabel('swapAfterBytes')} = 64.0 MiB`);
    expect(g.rows.some((r) => r[0] === fieldLabel('rssAfterBytes'))).toBe(true);
  });

  it('overview: groups by memory layout and target state, empty cells where nothing was measured', () => {
    const run = fixtureRun();
    const t = overviewTable(run);
    expect(t.groups.map((g) => g.title)).toEqual(['64 MiB random, sleeping target', '16 MiB zero, running target', '64 MiB random, frozen target']);
    const baseline = t.groups[0]!.rows.find((r) => r[0] === 'no hint (baseline)')!;
    expect(baseline[t.headers.indexOf('hint')]).toBe('');
    expect(baseline[t.headers.indexOf('maj. faults')]).toBe('0');
    expect(t.groups[2]!.rows[0]).toEqual(['ptrace PAGEOUT', '0', '', '', '', '', '', 'failed']);
    const text = groupedTableText(t);
    expect(text.every((l) => l === l.trimEnd())).toBe(true);
  });

  it('wraps prose at spaces and cuts words longer than a line', () => {
    expect(wrapText('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrapText('aaa bbb ccc', 9, '- ', '  ')).toEqual(['- aaa bbb', '  ccc']);
    expect(wrapText('aaa bbb ccc', 8, '- ', '  ')).toEqual(['- aaa', '  bbb', '  ccc']);
    expect(wrapText('x'.repeat(25), 10, '', '  ').every((l) => l.length <= 10)).toBe(true);
  });
});
