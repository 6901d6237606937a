import { describe, expect, it } from 'vitest';
import { medianCi } from '../../../core/stats/median-ci.ts';
import { logTicks, titleLines, wantsLogScale } from '../../../reports/chart-kit.ts';
import { ADVICE_SHAPES, MARKS_SUBTITLE, MECHANISM_COLOURS, buildCharts, chartData } from '../../../reports/charts.ts';
import { reclaimThroughputGiBps } from '../../../reports/derived.ts';
import { chartToSvg, compileToVega } from '../../../reports/render.ts';
import { fixtureRun } from './fixture.ts';

/** The width and height a rendered SVG declares. */
function svgSize(svg: string): { width: number; height: number } {
  const m = /^<svg[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"/.exec(svg);
  if (m === null) throw new Error('svg without width and height');
  return { width: Number(m[1]), height: Number(m[2]) };
}

describe('chart specs', () => {
  const run = fixtureRun();
  const charts = buildCharts(run);
  const byName = new Map(charts.map((c) => [c.name, c]));

  it('builds the four charts for the fixture, titles naming the compared mechanisms, advices and target states', () => {
    expect(charts.map((c) => c.name)).toEqual(['hint-latency', 'reclaim-throughput', 'refaults-retouch', 'stall-cpu']);
    expect(byName.get('hint-latency')!.title).toBe('Hint latency: process_madvise vs ptrace, PAGEOUT and COLD, sleeping and running targets');
    expect(byName.get('refaults-retouch')!.title).toContain('vs no hint');
    expect(byName.get('reclaim-throughput')!.title).toContain('PAGEOUT, sleeping target');
  });

  it('compiles each, renders SVG with title, subtitle and SI time labels, and fits an 800 px page', async () => {
    for (const chart of charts) {
      expect(() => compileToVega(chart.spec)).not.toThrow();
      const svg = await chartToSvg(chart.spec);
      expect(svg.startsWith('<svg')).toBe(true);
      for (const line of titleLines(chart.title)) {
        expect(svg).toContain(line.replace(/&/g, '&amp;'));
        expect(line.length, line).toBeLessThanOrEqual(72);
      }
      expect(svg).toContain(MARKS_SUBTITLE);
      expect(svgSize(svg).width, chart.name).toBeLessThanOrEqual(800);
    }
    const latencySvg = await chartToSvg(byName.get('hint-latency')!.spec);
    // 0.3 ms to 55 ms: more than 20x, so a log axis with SI time labels, never raw nanoseconds.
    expect(latencySvg).toContain('hint latency (log scale)');
    expect(latencySvg).toMatch(/>1 ms</);
    expect(latencySvg).toMatch(/>10 ms</);
    expect(latencySvg).not.toMatch(/>\d{1,3}(,\d{3}){2,}</);
  });

  it('has one dot per measured sample and medians with CIs computed from the samples, not the summaries', () => {
    const changed = fixtureRun();
    for (const r of changed.scenarios) for (const s of Object.values(r.summary)) s.median = -1;
    const pm = changed.scenarios[0]!;
    (pm.samples[2] as Record<string, unknown>).warmUp = true;
    const latency = chartData(buildCharts(changed).find((c) => c.name === 'hint-latency')!);
    const hinted = changed.scenarios.filter((s) => s.scenario.mechanism !== 'none');
    const callerDots = latency.filter((r) => r.kind === 'sample' && r.panel.startsWith('caller'));
    expect(callerDots).toHaveLength(hinted.reduce((n, s) => n + s.samples.length, 0) - 1);
    expect(callerDots.some((r) => r.scenario === pm.scenario.id && r.repetition === pm.samples[2]!.repetition)).toBe(false);
    const median = latency.find((r) => r.kind === 'median' && r.scenario === pm.scenario.id && r.panel.startsWith('kernel'))!;
    const ci = medianCi(pm.samples.slice(0, 2).map((s) => s.kernelLatencyNs!))!;
    expect([median.value, median.lower, median.upper]).toEqual([ci.median, ci.lower, ci.upper]);
    expect(median.slot).not.toBe(callerDots.find((r) => r.scenario === pm.scenario.id)!.slot);
  });

  it('shows the baseline only where it means something (re-touch, faults), COLD not in throughput', () => {
    expect(chartData(byName.get('refaults-retouch')!).filter((r) => r.mechanism === 'no hint' && r.kind === 'sample')).toHaveLength(6);
    for (const name of ['hint-latency', 'reclaim-throughput', 'stall-cpu']) {
      expect(
        chartData(byName.get(name)!).some((r) => r.mechanism === 'no hint'),
        name,
      ).toBe(false);
    }
    expect(chartData(byName.get('reclaim-throughput')!).some((r) => r.advice === 'COLD')).toBe(false);
  });

  it('throughput dots are the derived per-sample figures', () => {
    const rows = chartData(byName.get('reclaim-throughput')!).filter((r) => r.kind === 'sample');
    const pm = run.scenarios[0]!;
    const expected = pm.samples.map((s) => reclaimThroughputGiBps(s, run.environment.pageSizeBytes));
    expect(rows.filter((r) => r.scenario === pm.scenario.id).map((r) => r.value)).toEqual(expected);
  });

  it('colour = mechanism, shape = advice, legends list only what has marks, in a colour-blind-safe palette', () => {
    const scales = (name: string) => compileToVega(byName.get(name)!.spec).scales ?? [];
    const domain = (name: string, scale: string) => scales(name).find((s) => s.name === scale)?.domain;
    const range = (name: string, scale: string) => (scales(name).find((s) => s.name === scale) as { range?: unknown } | undefined)?.range;
    expect(domain('hint-latency', 'color')).toEqual(['process_madvise', 'ptrace']);
    expect(range('hint-latency', 'color')).toEqual([MECHANISM_COLOURS.process_madvise, MECHANISM_COLOURS.ptrace]);
    expect(domain('hint-latency', 'shape')).toEqual(['COLD', 'PAGEOUT']);
    expect(range('hint-latency', 'shape')).toEqual([ADVICE_SHAPES.COLD, ADVICE_SHAPES.PAGEOUT]);
    expect(domain('stall-cpu', 'color')).toEqual(['process_madvise', 'ptrace']);
    expect(domain('reclaim-throughput', 'shape')).toEqual(['PAGEOUT']);
    expect(domain('refaults-retouch', 'color')).toContain('no hint');
    // Okabe-Ito blue and orange: no red/green pair.
    expect(Object.values(MECHANISM_COLOURS)).not.toContain('#FF0000');
  });

  it('chooses a log scale only beyond a 20x range, with decade ticks (2x and 5x when narrow)', () => {
    expect(wantsLogScale([1, 10])).toBe(false);
    expect(wantsLogScale([1, 21])).toBe(true);
    expect(wantsLogScale([0, 100])).toBe(false);
    expect(logTicks(0.8e6, 3e9)).toEqual([1e6, 1e7, 1e8, 1e9]);
    expect(logTicks(3, 90)).toEqual([5, 10, 20, 50]);
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
