import { describe, expect, it } from 'vitest';
import { MARKS_SUBTITLE, buildCharts, chartData, scenarioSeries } from '../../../reports/charts.ts';
import { reclaimThroughputGiBps } from '../../../reports/derived.ts';
import { chartToSvg, compileToVega } from '../../../reports/render.ts';
import { fixtureRun } from './fixture.ts';

describe('chart specs', () => {
  const run = fixtureRun();
  const charts = buildCharts(run);
  const byName = new Map(charts.map((c) => [c.name, c]));

  it('builds the five charts for the fixture', () => {
    expect(charts.map((c) => c.name)).toEqual(['hint-latency', 'reclaim-throughput', 'pages-reclaimed', 'refaults-retouch', 'stall-cpu']);
  });

  it('compiles each with vega-lite and renders SVG with its title, subtitle and axis titles', async () => {
    for (const chart of charts) {
      expect(() => compileToVega(chart.spec)).not.toThrow();
      const svg = await chartToSvg(chart.spec);
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain(chart.title.replace(/&/g, '&amp;'));
      expect(svg).toContain(MARKS_SUBTITLE);
      expect(svg).toContain('memory, target state');
    }
    const latencySvg = await chartToSvg(byName.get('hint-latency')!.spec);
    expect(latencySvg).toContain('hint latency (µs, log scale)');
    const cpuSvg = await chartToSvg(byName.get('stall-cpu')!.spec);
    for (const t of ['target stall (µs)', 'caller CPU time (µs)', 'target CPU time (µs)']) expect(cpuSvg).toContain(t);
  });

  it('has one dot per sample and medians taken from the summaries', () => {
    const latency = chartData(byName.get('hint-latency')!);
    const hinted = run.scenarios.filter((s) => s.scenario.mechanism !== 'none');
    const userDots = latency.filter((r) => r.kind === 'sample' && r.panel.startsWith('user'));
    expect(userDots).toHaveLength(hinted.reduce((n, s) => n + s.samples.length, 0));
    const pm = run.scenarios[0]!;
    const median = latency.find((r) => r.kind === 'median' && r.scenario === pm.scenario.id && r.panel.startsWith('kernel'))!;
    expect(median.value).toBeCloseTo(pm.summary.kernelLatencyNs!.median / 1e3, 9);
  });

  it('shows the baseline where meaningful (re-touch, faults) and not in hint charts', () => {
    const baselineSeries = 'none (baseline)';
    expect(chartData(byName.get('refaults-retouch')!).filter((r) => r.series === baselineSeries && r.kind === 'sample')).toHaveLength(6);
    for (const name of ['hint-latency', 'reclaim-throughput', 'pages-reclaimed', 'stall-cpu']) {
      expect(
        chartData(byName.get(name)!).some((r) => r.series === baselineSeries),
        name,
      ).toBe(false);
    }
  });

  it('throughput dots are the derived per-sample figures', () => {
    const rows = chartData(byName.get('reclaim-throughput')!).filter((r) => r.kind === 'sample');
    const pm = run.scenarios[0]!;
    const expected = pm.samples.map((s) => reclaimThroughputGiBps(s, run.environment.pageSizeBytes));
    expect(rows.filter((r) => r.scenario === pm.scenario.id).map((r) => r.value)).toEqual(expected);
    expect(expected[0]).toBeGreaterThan(1);
    expect(expected[0]).toBeLessThan(1.5);
  });

  it('gives each series the same colour domain in every chart', () => {
    const domains = charts.map((c) => JSON.stringify(compileToVega(c.spec).scales?.find((s) => s.name === 'color')?.domain));
    expect(new Set(domains).size).toBe(1);
    expect(domains[0]).toContain(scenarioSeries(run.scenarios[0]!.scenario));
  });

  it('leaves out charts without samples', () => {
    const empty = fixtureRun();
    empty.scenarios = empty.scenarios.filter((s) => s.status === 'failed');
    expect(buildCharts(empty)).toEqual([]);
    const baselineOnly = fixtureRun();
    baselineOnly.scenarios = baselineOnly.scenarios.filter((s) => s.scenario.mechanism === 'none');
    expect(buildCharts(baselineOnly).map((c) => c.name)).toEqual(['refaults-retouch']);
  });
});
