import { describe, expect, it } from 'vitest';
import { titleLines } from '../../../reports/chart-kit.ts';
import { buildCharts, chartData, chartNotes, explanationsChart, type HistogramRow, refaultHistogramChart, summedRefaultHistogram } from '../../../reports/charts.ts';
import { renderHtml } from '../../../reports/html.ts';
import { renderMarkdown } from '../../../reports/markdown.ts';
import { measuredSamples } from '../../../reports/sample-stats.ts';
import { metricTable } from '../../../reports/tables.ts';
import { chartToSvg, compileToVega } from '../../../reports/render.ts';
import { fixtureRun, fixtureRunWithExplanations } from './fixture.ts';

/** The width a rendered SVG declares. */
function svgWidth(svg: string): number {
  const m = /^<svg[^>]*\bwidth="([\d.]+)"/.exec(svg);
  if (m === null) throw new Error('svg without width');
  return Number(m[1]);
}

describe('explanations chart', () => {
  it('has one dot per measured hinted sample with the counters, medians beside them, and a title stating the comparison', () => {
    const run = fixtureRunWithExplanations();
    const chart = explanationsChart(run)!;
    expect(chart).not.toBeNull();
    expect(chart.title).toBe('During the hint, TLB shootdown IPIs and caller off-CPU time: process_madvise vs ptrace, PAGEOUT and COLD, sleeping and running targets');
    const rows = chartData(chart);
    const ipiDots = rows.filter((r) => r.kind === 'sample' && r.panel.startsWith('TLB shootdown IPIs'));
    const expected = run.scenarios.filter((r) => r.scenario.mechanism !== 'none').flatMap((r) => measuredSamples(r).map((s) => s.tlbRemoteIpiSends));
    expect(ipiDots.map((r) => r.value).sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => a! - b!));
    expect(rows.some((r) => r.mechanism === 'no hint')).toBe(false);
    expect(rows.filter((r) => r.kind === 'median').length).toBeGreaterThan(0);
  });

  it('leaves out warm-up samples and samples whose counters are null', () => {
    const run = fixtureRunWithExplanations();
    const first = run.scenarios[0]!;
    (first.samples[0] as { warmUp?: boolean }).warmUp = true;
    first.samples[1]!.tlbRemoteIpiSends = null;
    const dots = chartData(explanationsChart(run)!).filter((r) => r.kind === 'sample' && r.scenario === first.scenario.id && r.panel.startsWith('TLB shootdown IPIs'));
    expect(dots.map((r) => r.repetition)).toEqual([first.samples[2]!.repetition]);
  });

  it('draws nothing when the probes did not run, and the report says why in one line', () => {
    const run = fixtureRun();
    expect(explanationsChart(run)).toBeNull();
    expect(refaultHistogramChart(run)).toBeNull();
    const notes = chartNotes(run);
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/^No explanations chart: the TLB, IPI and scheduling probes did not run/);
    expect(notes[1]).toMatch(/^No refault-latency histogram: /);
    expect(renderMarkdown(run, [])).toContain('No explanations chart');
    expect(renderHtml(run, [], '')).toContain('<p class="none chart-note">No refault-latency histogram:');
    expect(chartNotes(fixtureRunWithExplanations())).toEqual([]);
  });
});

describe('refault-latency histogram', () => {
  const run = fixtureRunWithExplanations();
  const chart = refaultHistogramChart(run)!;
  const rows = chartData(chart) as unknown as HistogramRow[];

  it('per scenario, sums the log2 buckets of the measured samples: bucket totals equal the refaultsTimed totals', () => {
    const withRefaults = run.scenarios.filter((r) => measuredSamples(r).some((s) => (s.refaultsTimed ?? 0) > 0));
    expect(withRefaults.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.scenario))).toEqual(new Set(withRefaults.map((r) => r.scenario.id)));
    for (const r of withRefaults) {
      const timed = measuredSamples(r).reduce((n, s) => n + (s.refaultsTimed ?? 0), 0);
      const drawn = rows.filter((row) => row.scenario === r.scenario.id).reduce((n, row) => n + row.faults, 0);
      expect(drawn, r.scenario.id).toBe(timed);
      expect(summedRefaultHistogram(r)!.reduce((a, b) => a + b, 0)).toBe(timed);
    }
  });

  it('draws buckets as bars [2^i, 2^(i+1)) ns and leaves out empty buckets, warm-up samples and scenarios without refaults', () => {
    for (const row of rows) {
      expect(row.lowerNs).toBe(2 ** row.bucket);
      expect(row.upperNs).toBe(2 ** (row.bucket + 1));
      expect(row.faults).toBeGreaterThan(0);
    }
    const changed = fixtureRunWithExplanations();
    const first = changed.scenarios[0]!;
    const warm = first.samples[0]!;
    (warm as { warmUp?: boolean }).warmUp = true;
    const hist = summedRefaultHistogram(first)!;
    const timed = measuredSamples(first).reduce((n, s) => n + (s.refaultsTimed ?? 0), 0);
    expect(hist.reduce((a, b) => a + b, 0)).toBe(timed);
    expect(timed).toBeLessThan(first.samples.reduce((n, s) => n + (s.refaultsTimed ?? 0), 0));
    for (const r of changed.scenarios) for (const s of r.samples) s.refaultLatencyLog2Hist = s.refaultLatencyLog2Hist?.map(() => 0) ?? null;
    expect(refaultHistogramChart(changed)).toBeNull();
  });

  it('compiles and renders: a log-2 time axis with SI labels, a title stating the comparison, under 800 px', async () => {
    expect(chart.title).toBe('Refault latency of the re-touch (swap-in per page), per scenario: process_madvise vs ptrace, PAGEOUT, sleeping target');
    const spec = chart.spec as unknown as { vconcat: { encoding: { x: { scale: { type: string; base: number } } } }[] };
    expect(spec.vconcat.length).toBe(new Set(rows.map((r) => r.panel)).size);
    expect(spec.vconcat[0]!.encoding.x.scale).toMatchObject({ type: 'log', base: 2 });
    expect(() => compileToVega(chart.spec)).not.toThrow();
    const svg = await chartToSvg(chart.spec);
    for (const line of titleLines(chart.title)) expect(svg).toContain(line.replace(/&/g, '&amp;'));
    // Buckets 11-15 span 2 µs to 32 µs: ticks in µs, never raw nanoseconds.
    expect(svg).toMatch(/>10 µs</);
    expect(svg).toMatch(/>5 µs</);
    expect(svg).not.toMatch(/>10000</);
    expect(svgWidth(svg)).toBeLessThanOrEqual(800);
    const explanations = await chartToSvg(explanationsChart(run)!.spec);
    expect(svgWidth(explanations)).toBeLessThanOrEqual(800);
  });

  it('comes after the other charts, so every report (html, md, SVG files) gets both', () => {
    expect(buildCharts(run).map((c) => c.name)).toEqual(['hint-latency', 'reclaim-throughput', 'refaults-retouch', 'stall-cpu', 'explanations', 'refault-latency']);
    const md = renderMarkdown(run, buildCharts(run));
    expect(md).toContain('(explanations.svg)');
    expect(md).toContain('(refault-latency.svg)');
  });
});

describe('explanation counters in the tables', () => {
  it('appear with their human labels', () => {
    const run = fixtureRunWithExplanations();
    const labels = metricTable(run, ['tlbRemoteIpiSends', 'callerOffCpuNs', 'refaultsTimed']).groups.flatMap((g) => g.rows.map((r) => r[0]));
    expect(labels).toContain('TLB shootdown IPIs sent');
    expect(labels).toContain('caller off-CPU');
    expect(labels).toContain('refaults timed');
  });
});
