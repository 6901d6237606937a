import { describe, expect, it } from 'vitest';
import { RunResultSchema } from '../../../core/schema/results.ts';
import { buildCharts } from '../../../reports/charts.ts';
import { familyFindings, familySections } from '../../../reports/family-views.ts';
import { keyFindings } from '../../../reports/findings.ts';
import { renderHtml } from '../../../reports/html.ts';
import { kindFindings, kindPairs, kindsTable } from '../../../reports/kinds.ts';
import { renderMarkdown } from '../../../reports/markdown.ts';
import { chartToSvg } from '../../../reports/render.ts';
import { pressureTimelineChart, strategyCostChart, type StrategyCostRow, type TimelineRow } from '../../../reports/strategy-charts.ts';
import { bestProtector, pressureGroups, strategyFindings, strategyLabel, strategyTable } from '../../../reports/strategy.ts';
import { formatTextSummary } from '../../../reports/summary-table.ts';
import { mechanismAdvice, overviewTable } from '../../../reports/tables.ts';
import { fixtureRun } from './fixture.ts';
import { kindsRun, pressureRun } from './pressure-fixture.ts';

const rowsOf = <T>(spec: unknown): T[] => (spec as { data: { values: T[] } }).data.values;

describe('pressure fixtures', () => {
  it('validate against the results schema and carry pressure specs and timelines', () => {
    const run = pressureRun();
    expect(() => RunResultSchema.parse(run)).not.toThrow();
    expect(() => RunResultSchema.parse(kindsRun())).not.toThrow();
    expect(run.scenarios.every((r) => r.scenario.pressure !== undefined && r.samples.every((s) => (s.pressureTimeline?.length ?? 0) > 0))).toBe(true);
  });
});

describe('strategy table', () => {
  it('one group per pressure configuration, one row per strategy, costs with their median CI', () => {
    const t = strategyTable(pressureRun());
    expect(t.groups.map((g) => g.title)).toEqual(['64 MiB hot anon + 192 MiB cold anon, limit 176 MiB']);
    expect(t.groups[0]!.rows.map((r) => r[0])).toEqual([
      'no hint',
      'COLD of the cold set via process_madvise',
      'PAGEOUT of the cold set via process_madvise',
      'PAGEOUT of everything via process_madvise',
    ]);
    expect(t.headers.slice(0, 4)).toEqual(['strategy', 'n', 'freed by the hint', 'hot-set refaults']);
    const refaults = t.headers.indexOf('hot-set refaults');
    expect(t.groups[0]!.rows[0]![refaults]).toMatch(/^16,\d{3} \(16,\d{3}–16,\d{3}\)$/);
    expect(t.groups[0]!.rows[2]![refaults]).toBe('0');
  });

  it('has no target-stall column when no sample measured one (process_madvise only), and has one with ptrace', () => {
    expect(strategyTable(pressureRun()).headers.some((h) => /stall/.test(h))).toBe(false);
    expect(strategyTable(pressureRun(6, ['process_madvise', 'ptrace'])).headers.some((h) => /target stall/.test(h))).toBe(true);
  });

  it('labels who delivered the hint', () => {
    const s = pressureRun().scenarios[1]!.scenario;
    expect(strategyLabel({ ...s, pressure: { ...s.pressure!, delivery: 'self_madvise' } })).toBe('COLD of the cold set, self madvise');
    // The overview tables: a self-delivered hint has mechanism `none` but is no baseline.
    expect(mechanismAdvice({ ...s, mechanism: 'none', pressure: { ...s.pressure!, delivery: 'self_process_madvise' } })).toBe('self process_madvise COLD');
    expect(mechanismAdvice({ ...s, mechanism: 'none', advice: 'none', pressure: { ...s.pressure!, strategy: 'none' } })).toBe('no hint (baseline)');
  });
});

describe('strategy findings', () => {
  it('name the strategy that protected the hot set best, its difference from no hint with the interval, and its cost', () => {
    const run = pressureRun();
    const groups = pressureGroups(run);
    expect(strategyLabel(bestProtector(groups[0]!.results)!.scenario)).toBe('PAGEOUT of the cold set via process_madvise');
    const [best, most] = strategyFindings(run);
    expect(best).toMatch(/PAGEOUT of the cold set via process_madvise protected the hot set best, 0 hot-set refaults/);
    expect(best).toMatch(/16,\d{3} fewer than no hint \(95 % CI of the difference 16,\d{3} to 16,\d{3}\)/);
    // COLD also kept every hot page: no clear difference, said so.
    expect(best).toMatch(/no clear difference from COLD of the cold set via process_madvise/);
    expect(best).toMatch(/Its cost: freed 192 MiB before the pressure, hot access p99 \d+ ns \(\d+–\d+ ns\) under pressure against/);
    expect(most).toMatch(/PAGEOUT of everything via process_madvise freed the most memory, 256 MiB, at 16,\d{3} \(/);
  });

  it('report every OOM kill', () => {
    const run = pressureRun();
    run.scenarios[3]!.samples[2]!.oomKills = 1;
    expect(strategyFindings(run).at(-1)).toMatch(/PAGEOUT of everything via process_madvise ended in 1 OOM kill over 6 samples/);
  });

  it('leave pressure scenarios out of the hint findings and the overview', () => {
    const run = pressureRun();
    expect(keyFindings(run).findings).toEqual([]);
    expect(overviewTable(run).groups).toEqual([]);
  });
});

describe('strategy charts', () => {
  it('cost chart: one dot per sample with both figures, one median cross per strategy and panel with both CIs; no stall panel without stall figures', async () => {
    const run = pressureRun();
    const chart = strategyCostChart(run)!;
    const rows = rowsOf<StrategyCostRow>(chart.spec);
    const panels = [...new Set(rows.map((r) => r.panel))];
    expect(panels).toHaveLength(2);
    expect(panels.some((p) => /stall/.test(p))).toBe(false);
    for (const p of panels) {
      expect(rows.filter((r) => r.panel === p && r.kind === 'sample')).toHaveLength(24);
      const medians = rows.filter((r) => r.panel === p && r.kind === 'median');
      expect(medians).toHaveLength(4);
      for (const m of medians) {
        expect(m.freedLower!).toBeLessThanOrEqual(m.freedMiB);
        expect(m.freedUpper!).toBeGreaterThanOrEqual(m.freedMiB);
        expect(m.costLower!).toBeLessThanOrEqual(m.cost);
        expect(m.costUpper!).toBeGreaterThanOrEqual(m.cost);
      }
    }
    const svg = await chartToSvg(chart.spec);
    expect(svg).toContain('memory freed by the hint (MiB)');
  });

  it('timeline chart: a panel per strategy, every point of every sample, and no reclaim series when the probe did not run', async () => {
    const run = pressureRun();
    const rows = rowsOf<TimelineRow>(pressureTimelineChart(run)!.spec);
    expect(new Set(rows.map((r) => r.panel)).size).toBe(4);
    expect(rows.filter((r) => r.series === 'reclaim passes')).toHaveLength(4 * 6 * 10);
    for (const r of run.scenarios) for (const s of r.samples) for (const p of s.pressureTimeline!) p.reclaimEvents = null;
    const without = pressureTimelineChart(run)!;
    expect(rowsOf<TimelineRow>(without.spec).some((r) => r.series === 'reclaim passes')).toBe(false);
    expect(await chartToSvg(without.spec)).toContain('time since the pressure began (ms)');
  });

  it('are part of the report charts of a pressure run, and absent from a hint-only run', () => {
    expect(buildCharts(pressureRun()).map((c) => c.name)).toEqual(['strategy-cost', 'pressure-timeline']);
    const hintOnly = buildCharts(fixtureRun()).map((c) => c.name);
    expect(hintOnly).not.toContain('strategy-cost');
    expect(hintOnly).not.toContain('pressure-timeline');
  });
});

describe('COLD and PAGEOUT per memory kind', () => {
  it('pairs COLD and PAGEOUT per kind only when the run has several kinds', () => {
    expect(kindPairs(kindsRun()).map((p) => p.kind)).toEqual(['anon', 'file_private', 'file_shared', 'shmem']);
    expect(kindPairs(fixtureRun())).toEqual([]);
    expect(kindsTable(kindsRun()).groups[1]!.rows.map((r) => r[0])).toEqual(['COLD', 'PAGEOUT']);
  });

  it('says where PAGEOUT dropped pages without swap and where it swapped them, against COLD', () => {
    const f = kindFindings(kindsRun());
    expect(f[0]).toMatch(/^anon, 32 MiB random, process_madvise, sleeping target: PAGEOUT swapped its pages out .*COLD dropped .* clearly different/);
    expect(f[1]).toMatch(/^file_private, .*PAGEOUT dropped its pages without swap \(RSS drop 31\.9 MiB .*, 0 pages swapped out\)/);
    // shmem: the process's VmSwap does not grow, pswpout does
    expect(f[3]).toMatch(/^shmem, .*PAGEOUT swapped its pages out/);
  });

  it('a partial swap is given as a share', () => {
    const run = kindsRun(['anon', 'file_private']);
    for (const s of run.scenarios[1]!.samples) s.pswpoutDeltaPages = Math.round((s.rssBeforeBytes - s.rssAfterBytes) / 2 / 4096);
    expect(kindFindings(run)[0]).toMatch(/PAGEOUT sent 50 % of what it freed to swap/);
  });
});

describe('reports of each family', () => {
  it('a hint-only run grows no pressure section, column or chart', () => {
    const run = fixtureRun();
    expect(familyFindings(run)).toEqual([]);
    expect(familySections(run, 'wide')).toEqual([]);
    const html = renderHtml(run, [], '');
    const md = renderMarkdown(run, []);
    for (const text of [html, md, formatTextSummary(run)]) {
      expect(text).not.toMatch(/Strategies under pressure|hot-set refaults|freed by the hint|reclaim passes|COLD and PAGEOUT per memory kind/);
    }
  });

  it('a pressure run: findings, the strategy table and no hint overview in HTML, Markdown and text', () => {
    const run = pressureRun();
    const html = renderHtml(run, [], '');
    expect(html).toContain('<h2 id="strategies">Strategies under pressure</h2>');
    expect(html).not.toContain('<h2 id="overview">');
    expect(html).toMatch(/<li>64 MiB hot anon \+ 192 MiB cold anon, limit 176 MiB: PAGEOUT of the cold set via process_madvise protected the hot set best/);
    const md = renderMarkdown(run, []);
    expect(md).toContain('## Strategies under pressure');
    expect(md).toMatch(/\| PAGEOUT cold set, process\\_madvise \| 6 \| 192 MiB \| 0 \|/);
    const text = formatTextSummary(run);
    expect(text).toContain('Strategies under pressure:');
    expect(text).toMatch(/protected the hot set best/);
    // no overview table, so no words about its hint and re-touch columns
    expect(text).not.toMatch(/re-touch =|hint = caller/);
    expect(formatTextSummary(fixtureRun()).replace(/\s+/g, ' ')).toContain('hint = caller wall time of the hint system calls; re-touch =');
  });

  it('a kinds run: the per-kind table and findings', () => {
    const run = kindsRun();
    expect(renderHtml(run, [], '')).toContain('<h2 id="kinds">COLD and PAGEOUT per memory kind</h2>');
    expect(renderMarkdown(run, []).replace(/\s+/g, ' ')).toMatch(/- file\\_private, 32 MiB random, process\\_madvise, sleeping target: PAGEOUT dropped its pages without swap/);
  });
});
