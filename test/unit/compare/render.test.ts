/** The renderers of a comparison: terminal width, Markdown table, self-contained HTML. */
import { describe, expect, it } from 'vitest';
import { RECOMMENDED_N } from '../../../core/stats/verdict.ts';
import { buildComparison } from '../../../reports/compare/compare.ts';
import { renderComparisonHtml } from '../../../reports/compare/html.ts';
import { renderComparisonMarkdown } from '../../../reports/compare/markdown.ts';
import { COMPARE_FORMATS, renderComparison } from '../../../reports/compare/output.ts';
import { TERMINAL_WIDTH, renderTerminal, wrapLine } from '../../../reports/compare/terminal.ts';
import { REPORT_CSP } from '../../../reports/html.ts';
import { loaded, syntheticRun } from './synthetic.ts';

const n = RECOMMENDED_N;

/** A comparison made to stress the layout: long ids, long paths, three new runs, environment differences, every verdict. */
function wideComparison() {
  const base = syntheticRun({ n, seed: 1, scenarios: [0, 1, 2] });
  const long = 'process_madvise/pageout/anon-mixed-65536MiB-1024vma/running-with-a-very-long-suffix-for-layout';
  base.scenarios[2]!.scenario.id = long;
  const mk = (seed: number, scale: Parameters<typeof syntheticRun>[0]['scale']) => {
    const r = syntheticRun({ n, seed, scale, scenarios: [0, 1, 2] });
    r.scenarios[2]!.scenario.id = long;
    return r;
  };
  const a = mk(2, { userLatencyNs: 1.3, retouchNs: 0.7, callerCpuNs: 1.01 });
  a.environment.swapDevices[0]!.zramCompressor = 'lz4';
  a.environment.kernelRelease = `6.19.0-rc1-${'x'.repeat(120)}`;
  const b = mk(3, { kernelLatencyNs: 1.06 });
  const c = mk(4, {});
  const dir = `/very/long/results/directory/${'d'.repeat(90)}`;
  return {
    comparison: buildComparison(loaded(base, `${dir}/base`), [loaded(a, `${dir}/a`), loaded(b, `${dir}/b`), loaded(c, `${dir}/c`)]),
    runs: [base, a, b, c],
  };
}

describe('compare renderers', () => {
  it(`terminal output: no line wider than ${TERMINAL_WIDTH} columns, environment differences before the tables, every cell listed`, () => {
    const { comparison } = wideComparison();
    const text = renderTerminal(comparison);
    const lines = text.split('\n');
    for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(TERMINAL_WIDTH);
    const env = lines.findIndex((l) => l.startsWith('Environments differ'));
    const firstTable = lines.findIndex((l) => l.startsWith('  metric'));
    expect(env).toBeGreaterThan(-1);
    expect(env).toBeLessThan(firstTable);
    expect(text).toContain('swapDevices[0].zramCompressor: lzo-rle -> lz4');
    const rows = lines.filter((l) => /^ {2}(userLatencyNs|kernelLatencyNs|reclaimedPages|retouchNs|stallNs|injectorStopNs|callerCpuNs) /.test(l));
    expect(rows).toHaveLength(comparison.cells.length);
    expect(text).toMatch(/userLatencyNs .* regressed \(beyond ±5%\)/);
    expect(text).toMatch(/retouchNs .* improved \(beyond ±5%\)/);
    expect(text).toMatch(/^REGRESSION: /m);
  });

  it('wrapLine breaks at spaces and never exceeds the width, even for a word longer than the width', () => {
    const lines = wrapLine(`short ${'y'.repeat(250)} tail`, 40);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(40);
    expect(lines.join('').replace(/\s+/g, '')).toBe(`short${'y'.repeat(250)}tail`);
  });

  it('Markdown: one table row per cell, the conclusion first, pipes in ids escaped', () => {
    const { comparison } = wideComparison();
    comparison.cells[0]!.scenarioId = 'a|b';
    const md = renderComparisonMarkdown(comparison);
    expect(md.split('\n')[0]).toBe('## hintbench compare: regression');
    expect(md).toMatch(/^\*\*REGRESSION: /m);
    const rows = md.split('\n').filter((l) => /^\| .* \| (userLatencyNs|kernelLatencyNs|reclaimedPages|retouchNs|stallNs|injectorStopNs|callerCpuNs) \|/.test(l));
    expect(rows).toHaveLength(comparison.cells.length);
    expect(md).toContain('| a\\|b |');
    expect(md).toContain('| swapDevices[0].zramCompressor | lzo-rle | lz4 |');
    expect(md).toMatch(/\*\*regressed\*\* \(beyond ±5%\)/);
  });

  it('HTML: self-contained (CSP, no external reference), one inline SVG chart per scenario and new run, chart data parses', async () => {
    const { comparison, runs } = wideComparison();
    const html = await renderComparisonHtml(comparison, runs, '/* vega */');
    expect(html).toContain(`content="${REPORT_CSP}"`);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b|<script\s+src|@import/i);
    const figures = html.match(/<figure class="chart">/g) ?? [];
    expect(figures).toHaveLength(3 * 3);
    const svgs = html.match(/<svg\b/g) ?? [];
    expect(svgs.length).toBeGreaterThanOrEqual(9);
    const data = /<script type="application\/json" id="compare-charts">([\s\S]*?)<\/script>/.exec(html)![1]!;
    const charts = JSON.parse(data) as { id: string }[];
    expect(charts.map((c) => c.id)).toEqual(expect.arrayContaining(['chart-0-0', 'chart-2-2']));
    expect(html).toContain('regressed (beyond ±5%)');
  });

  it('HTML escapes strings from the results', async () => {
    const base = syntheticRun({ n, seed: 1, scenarios: [0] });
    const next = syntheticRun({ n, seed: 2, scenarios: [0] });
    for (const r of [base, next]) r.scenarios[0]!.scenario.id = '<script>alert(1)</script>';
    const html = await renderComparisonHtml(buildComparison(loaded(base, '/b'), [loaded(next, '/n')]), [base, next], '');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('every format renders; JSON is the comparison itself', async () => {
    const base = syntheticRun({ n, seed: 5 });
    const next = syntheticRun({ n, seed: 6 });
    const c = buildComparison(loaded(base, '/b'), [loaded(next, '/n')]);
    for (const f of COMPARE_FORMATS) expect((await renderComparison(c, [base, next], f)).length).toBeGreaterThan(100);
    expect(JSON.parse(await renderComparison(c, [base, next], 'json'))).toEqual(c);
  });
});
