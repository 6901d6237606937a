/**
 * report.html: one self-contained file that opens offline. Key findings first, then charts,
 * tables, methodology, warnings and the environment. vega's browser build and the compiled
 * Vega specs (data inlined) are embedded, and every chart's SVG, rendered in Node, is inlined
 * as the picture a reader without JavaScript sees; no request leaves the page (a
 * Content-Security-Policy forbids any). Every string from results.json is escaped.
 */
import type { Spec as VegaSpec } from 'vega';
import type { RunResult } from '../core/types.ts';
import { chartNotes } from './charts.ts';
import { environmentFacts, runFacts, runWarnings, suiteDefinitionLines } from './environment.ts';
import { familySections, familyFindings } from './family-views.ts';
import { findingsFootnote, keyFindings } from './findings.ts';
import { CLAIM_HEADERS, claimCells, claimsTable } from './claims/table.ts';
import { methodology } from './methodology.ts';
import { ciFootnote, constantMetricLines, type GroupedTable, metricTable, overviewTable } from './tables.ts';
import { REPORT_CONFIDENCE, varyingFields } from './sample-stats.ts';

/** A chart as the HTML report embeds it: compiled to Vega in Node, so the page needs no vega-lite. */
export interface HtmlChart {
  /** Chart name (element id `chart-<name>`). */
  name: string;
  /** Human title. */
  title: string;
  /** Compiled Vega spec with its data inlined. */
  vegaSpec: VegaSpec;
  /** The chart rendered to SVG in Node: shown until vega draws it, and all a reader without JavaScript sees. */
  svg: string;
}

/** The page's Content-Security-Policy: inline code only, no network of any kind. */
/**
 * The start of a self-contained page, to its <h1>: doctype, the CSP that keeps it offline,
 * the viewport, `title` (escaped) and its style sheet.
 */
export function pageHead(title: string, style: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>`;
}

export const REPORT_CSP = "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:; font-src data:";

/** Escape text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * JSON safe to place inside a <script> element: `<`, `>` and `&` become \u escapes (so no
 * `</script` or `<!--` can appear), as do U+2028/U+2029. JSON.parse gives the same value back.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Script source made safe to inline: no `</script` or `<!--` can end or confuse the element. */
export function inlineScriptSource(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** An HTML table of titled row groups; numeric columns right-aligned. */
function groupedHtmlTable(table: GroupedTable, cssClass: string): string {
  const align = (i: number): string => (table.numeric[i] ? ' class="num"' : '');
  const head = table.headers.map((h, i) => `<th${align(i)}>${escapeHtml(h)}</th>`).join('');
  const body = table.groups
    .map(
      (g) =>
        `<tr class="group"><th colspan="${table.headers.length}">${escapeHtml(g.title)}</th></tr>\n` +
        g.rows.map((row) => `<tr>${row.map((cell, i) => `<td${align(i)}>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('\n') +
        (g.note === undefined ? '' : `\n<tr class="note"><td colspan="${table.headers.length}">${escapeHtml(g.note)}</td></tr>`),
    )
    .join('\n');
  return `<div class="table-wrap"><table class="${cssClass}"><thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table></div>`;
}

/** A paragraph of plain text, or nothing for null. */
function para(text: string | null, cssClass = 'note'): string {
  return text === null ? '' : `<p class="${cssClass}">${escapeHtml(text)}</p>`;
}

/** A definition list of label/value facts. */
function factList(facts: readonly [string, string][]): string {
  return `<dl class="facts">${facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

/** A bullet list, or a line saying there is nothing. */
function bulletList(items: readonly string[], empty: string): string {
  if (items.length === 0) return `<p class="none">${escapeHtml(empty)}</p>`;
  return `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
}

const STYLE = `
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 1rem; color: #222; max-width: 1000px; }
h1 { font-size: 1.4rem; margin-bottom: .2rem; overflow-wrap: anywhere; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
table { border-collapse: collapse; font-size: .8rem; margin: .5rem 0; }
th, td { border: 1px solid #ccc; padding: .2rem .4rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.group th { background: #e8eef5; text-align: left; overflow-wrap: anywhere; }
tr.note td { font-size: .75rem; color: #555; }
.table-wrap { max-width: 100%; overflow-x: auto; }
dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .2rem 1rem; font-size: .85rem; }
dl.facts dt { font-weight: bold; } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
section.findings { background: #f4f8fc; border-left: 4px solid #0072B2; padding: .3rem 1rem; }
section.findings li { margin: .3rem 0; }
figure.chart { margin: 1rem 0 2rem; max-width: 100%; } figure.chart figcaption { font-size: .8rem; color: #666; }
.chart-view svg { max-width: 100%; height: auto; }
.failed { background: #fff0f0; border-left: 4px solid #c33; padding: .5rem 1rem; }
.failed code { white-space: pre-wrap; overflow-wrap: anywhere; } .none { color: #666; font-style: italic; } .note { font-size: .85rem; color: #444; }
li { overflow-wrap: anywhere; }
.chart-error { color: #c33; }
`;

/** Renders every chart with vega once the page has loaded; marks each figure when done. */
const BOOTSTRAP = `
(function () {
  var charts = JSON.parse(document.getElementById('hintbench-charts').textContent);
  var done = charts.map(function (chart) {
    var el = document.getElementById('chart-' + chart.name);
    try {
      el.textContent = '';
      var view = new vega.View(vega.parse(chart.spec), { renderer: 'svg', container: el, hover: true });
      return view.runAsync().then(function () { el.setAttribute('data-rendered', 'true'); });
    } catch (e) {
      return Promise.reject(e);
    }
  }).map(function (p, i) {
    return p.catch(function (e) {
      var el = document.getElementById('chart-' + charts[i].name);
      el.className += ' chart-error';
      el.textContent = 'This chart could not be drawn: ' + (e && e.message ? e.message : e);
      console.error(e);
    });
  });
  Promise.all(done).then(function () { document.body.setAttribute('data-charts-done', String(charts.length)); });
})();
`;

/** The claims table (docs/claims.md), or nothing when the run has no claim rows. */
function claimsHtml(run: RunResult): string {
  const t = claimsTable(run);
  if (t === null) return '';
  const head = CLAIM_HEADERS.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = t.rows
    .map(
      (r) =>
        `<tr data-claim="${escapeHtml(r.id)}">${claimCells(r)
          .map((c, i) => (i === 3 ? `<td class="verdict"><strong>${escapeHtml(c)}</strong></td>` : `<td>${escapeHtml(c)}</td>`))
          .join('')}</tr>`,
    )
    .join('\n');
  return `<h2 id="claims">Claims</h2>\n${para(t.holdsFor)}\n<div class="table-wrap"><table class="claims"><thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table></div>`;
}

/** The key findings as a list (the hint family's, then the other families'), with the note on what was left out. */
function findingsHtml(run: RunResult): string {
  const f = keyFindings(run);
  const sentences = [...f.findings.map((x) => x.sentence), ...familyFindings(run)];
  const list =
    sentences.length === 0
      ? '<p class="none">No pair of scenarios differing in one dimension showed a clear difference (or there were too few samples).</p>'
      : `<ul>${sentences.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>`;
  return `<section class="findings" id="key-findings"><h2>Key findings</h2>${list}${para(findingsFootnote(f))}</section>`;
}

/** The methodology sections. */
function methodologyHtml(run: RunResult): string {
  return methodology(run)
    .map((m) => `<h3>${escapeHtml(m.title)}</h3>${m.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('')}${m.bullets.length === 0 ? '' : bulletList(m.bullets, '')}`)
    .join('\n');
}

/** The suite definition, when the results carry it. */
function suiteHtml(run: RunResult): string {
  const def = suiteDefinitionLines(run.environment);
  if (def === null) return '<p class="none">Not recorded in these results.</p>';
  return `<p>${escapeHtml(def.description)}</p>${bulletList(def.scenarios, 'No scenario.')}`;
}

/** The overview of the hint-family scenarios; nothing when the run has none (a pressure-only run). */
function overviewHtml(run: RunResult): string {
  const table = overviewTable(run);
  if (table.groups.length === 0) return '';
  return `<h2 id="overview">Overview</h2>
<p class="note">Medians over the measured samples; the interval is the ${REPORT_CONFIDENCE * 100} % CI of the median hint latency.</p>
${groupedHtmlTable(table, 'overview')}
${para(ciFootnote(run, ['userLatencyNs']))}`;
}

/** The whole report page. `vegaSource` is vega's UMD build (render.ts: vegaUmdSource). */
export function renderHtml(run: RunResult, charts: readonly HtmlChart[], vegaSource: string): string {
  const failed = run.scenarios.filter((s) => s.status === 'failed' || s.status === 'interrupted');
  const failedHtml =
    failed.length === 0
      ? '<p class="none">No scenario failed.</p>'
      : `<div class="failed"><ul>${failed
          .map(
            (s) =>
              `<li><strong>${escapeHtml(s.scenario.id)}</strong>${s.status === 'interrupted' ? ' (interrupted)' : ''}: <code>${escapeHtml(s.error ?? 'no error recorded')}</code></li>`,
          )
          .join('')}</ul></div>`;
  const chartsHtml =
    charts.length === 0
      ? '<p class="none">No scenario produced samples, so there is nothing to chart.</p>'
      : charts
          .map(
            (c) =>
              `<figure class="chart"><div class="chart-view" id="chart-${escapeHtml(c.name)}" role="img" aria-label="${escapeHtml(c.title)}">${c.svg}</div>` +
              `<figcaption>${escapeHtml(c.title)} (<a href="${escapeHtml(encodeURI(`${c.name}.svg`))}">${escapeHtml(c.name)}.svg</a>)</figcaption></figure>`,
          )
          .join('\n');
  const chartData = charts.map((c) => ({ name: c.name, spec: c.vegaSpec }));
  const title = `hintbench report: ${run.suite}, ${run.startedAt}`;
  const fields = varyingFields(run);
  const constants = constantMetricLines(run);
  return `${pageHead(title, STYLE)}
${factList(runFacts(run))}
${findingsHtml(run)}
${claimsHtml(run)}
<h2 id="failed">Failed scenarios</h2>
${failedHtml}
<h2 id="charts">Charts</h2>
${chartsHtml}
${chartNotes(run)
  .map((n) => para(n, 'none chart-note'))
  .join('\n')}
${overviewHtml(run)}
${familySections(run, 'wide')
  .map((x) => `<h2 id="${x.id}">${escapeHtml(x.title)}</h2>\n${para(x.note)}\n${groupedHtmlTable(x.table, x.id)}`)
  .join('\n')}
<h2 id="methodology">Methodology</h2>
${methodologyHtml(run)}
<h2 id="metrics">Every metric, per scenario</h2>
<p class="note">Only metrics that vary in this run; robust CV = 1.4826 × MAD / median.${constants.length === 0 ? '' : ` The same in every sample: ${escapeHtml(constants.join('; '))}.`}</p>
${groupedHtmlTable(metricTable(run, fields), 'metrics')}
${para(ciFootnote(run, fields))}
<h2 id="warnings">Warnings</h2>
${bulletList(runWarnings(run), 'No warnings.')}
<h2 id="environment">Environment</h2>
${factList(environmentFacts(run.environment))}
<h2 id="suite">Suite definition</h2>
${suiteHtml(run)}
<h2 id="host-changes">Host changes</h2>
${bulletList(run.hostChanges, 'Host preparation changed nothing.')}
<script>${inlineScriptSource(vegaSource)}</script>
<script type="application/json" id="hintbench-charts">${jsonForScript(chartData)}</script>
<script>${BOOTSTRAP}</script>
</body>
</html>
`;
}
