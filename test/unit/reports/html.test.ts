import { describe, expect, it } from 'vitest';
import { buildCharts } from '../../../reports/charts.ts';
import { REPORT_CSP, escapeHtml, inlineScriptSource, jsonForScript, renderHtml, type HtmlChart } from '../../../reports/html.ts';
import { compileToVega, vegaToSvg, vegaUmdSource } from '../../../reports/render.ts';
import { fixtureRun } from './fixture.ts';

const VEGA = vegaUmdSource();

async function page(run = fixtureRun()): Promise<{ html: string; charts: HtmlChart[] }> {
  const charts: HtmlChart[] = [];
  for (const c of buildCharts(run)) {
    const vegaSpec = compileToVega(c.spec);
    charts.push({ name: c.name, title: c.title, vegaSpec, svg: await vegaToSvg(vegaSpec) });
  }
  return { html: renderHtml(run, charts, VEGA), charts };
}

/** Text of every <script> element, in order. */
function scripts(html: string): string[] {
  return [...html.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
}

describe('report.html', () => {
  it('inlines the vega build and loads nothing from outside', async () => {
    const { html } = await page();
    expect(VEGA.length).toBeGreaterThan(100_000);
    expect(html).toContain(VEGA.slice(0, 2000));
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/@import|url\(\s*['"]?https?:/i);
    expect(html).toContain(`content="${REPORT_CSP}"`);
    expect(REPORT_CSP).toContain("default-src 'none'");
  });

  it('has key findings first, a view with the inline SVG for every chart, the tables, methodology, environment and host changes', async () => {
    const run = fixtureRun();
    const { html, charts } = await page(run);
    const embedded = JSON.parse(scripts(html)[1]!) as { name: string; spec: unknown }[];
    expect(embedded.map((c) => c.name)).toEqual(charts.map((c) => c.name));
    expect(embedded[0]!.spec).toEqual(JSON.parse(JSON.stringify(charts[0]!.vegaSpec)));
    for (const c of charts) {
      const view = new RegExp(`<div class="chart-view" id="chart-${c.name}"[^>]*><svg[\\s\\S]*?</svg></div>`).exec(html);
      expect(view, c.name).not.toBeNull();
      expect(view![0]).toContain('mark-symbol');
      expect(html).toContain(`href="${c.name}.svg"`);
    }
    const findings = html.indexOf('id="key-findings"');
    expect(findings).toBeGreaterThan(0);
    expect(findings).toBeLessThan(html.indexOf('id="charts"'));
    expect(html).toMatch(/<section class="findings" id="key-findings"><h2>Key findings<\/h2><ul><li>64 MiB random, sleeping target: re-touch /);
    // Overview: one heading row per memory layout and target state, one row per scenario.
    const overview = html.match(/<table class="overview">[\s\S]*?<\/table>/)![0];
    expect(overview.match(/<tr class="group">/g)).toHaveLength(3);
    expect(overview.match(/<tr>/g)).toHaveLength(run.scenarios.length + 1);
    expect(html).toContain('<table class="metrics">');
    for (const h of ['One sample', 'Order and warm-up', 'Probes', 'Attribution', 'Statistics', 'Noise sources present']) expect(html).toContain(`<h3>${h}</h3>`);
    expect(html).toContain(escapeHtml(run.environment.kernelRelease));
    expect(html).toContain('zram lzo-rle');
    expect(html).toContain(escapeHtml(run.hostChanges[0]!));
    expect(html).toContain(escapeHtml(run.scenarios.find((s) => s.status === 'failed')!.error!));
    expect(html).toContain('1 EINTR seen by the target');
  });

  it('escapes hostile scenario names and errors everywhere', async () => {
    const run = fixtureRun();
    const failed = run.scenarios.find((s) => s.status === 'failed')!;
    failed.error = 'boom </script><b>bold</b><script>alert(1)</script>';
    run.scenarios[0]!.scenario.id = 'evil</script><img src=x onerror=alert(2)>';
    run.scenarios[0]!.warnings.push('<!-- <script>');
    const { html } = await page(run);
    expect(html).not.toContain('<b>bold</b>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('boom &lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;');
    // Only the three script elements of the page itself exist, and each closes where it should.
    expect(html.match(/<script\b/gi)).toHaveLength(3);
    expect(html.match(/<\/script/gi)).toHaveLength(3);
    const data = scripts(html)[1]!;
    expect(data).not.toMatch(/<|>/);
    expect(JSON.stringify(JSON.parse(data))).toContain('evil</script><img src=x onerror=alert(2)>');
  });

  it('escaping helpers', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const tricky = { s: '</script><!-- \u2028 & >' };
    const json = jsonForScript(tricky);
    expect(json).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(json)).toEqual(tricky);
    expect(inlineScriptSource('var a = "</SCRIPT>"; // <!--')).toBe('var a = "<\\/SCRIPT>"; // <\\!--');
  });

  it('says so when nothing could be charted', async () => {
    const run = fixtureRun();
    run.scenarios = run.scenarios.filter((s) => s.status === 'failed');
    const { html, charts } = await page(run);
    expect(charts).toEqual([]);
    expect(html).toContain('nothing to chart');
  });
});
