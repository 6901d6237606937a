/**
 * The comparison as one self-contained HTML page: conclusion, environment differences, the
 * table of verdicts, and per scenario a chart overlaying both runs' samples with the shift
 * and its interval. Each chart is inlined as SVG rendered in Node (readable with scripts
 * off); when scripts run, vega (inlined, no network: the page's Content-Security-Policy
 * forbids any request) redraws it with tooltips. Every string from the results is escaped.
 */
import type { RunResult } from '../../core/types.ts';
import { escapeHtml, inlineScriptSource, jsonForScript, pageHead } from '../html.ts';
import { compileToVega, vegaToSvg } from '../render.ts';
import { scenarioChart } from './chart.ts';
import type { Comparison } from './compare.ts';
import { conclusion, formatP, formatShift, formatThreshold, formatValue, reasonText } from './format.ts';

const STYLE = `
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 1.5rem 2rem; color: #222; max-width: 1600px; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: .85rem; margin: .5rem 0; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.verdict-regressed { background: #fde2e0; } .verdict-improved { background: #e2f5e7; } .verdict-inconclusive { background: #fff4dc; }
.conclusion { font-weight: bold; } .none { color: #666; font-style: italic; }
figure.chart { margin: 1rem 0 2rem; overflow-x: auto; } figure.chart figcaption { font-size: .8rem; color: #666; }
`;

/** Replaces each inlined SVG by an interactive vega view when scripts run; keeps the SVG if vega fails. */
const BOOTSTRAP = `
(function () {
  var charts = JSON.parse(document.getElementById('compare-charts').textContent);
  Promise.all(charts.map(function (chart) {
    var el = document.getElementById(chart.id);
    var holder = document.createElement('div');
    try {
      var view = new vega.View(vega.parse(chart.spec), { renderer: 'svg', container: holder, hover: true });
      return view.runAsync().then(function () { el.replaceChildren(holder); el.setAttribute('data-rendered', 'true'); });
    } catch (e) { console.error(e); return Promise.resolve(); }
  })).then(function () { document.body.setAttribute('data-charts-done', String(charts.length)); });
})();
`;

/**
 * The page. `runs[0]` is the base run and `runs[i + 1]` the new run of `c.news[i]`;
 * `vegaSource` is vega's browser build (reports/render.ts vegaUmdSource).
 */
export async function renderComparisonHtml(c: Comparison, runs: readonly RunResult[], vegaSource: string): Promise<string> {
  const base = runs[0]!;
  const sections: string[] = [];
  const charts: { id: string; spec: unknown }[] = [];
  for (const [i, n] of c.news.entries()) {
    const next = runs[i + 1]!;
    const tag = c.news.length > 1 ? ` #${i + 1}` : '';
    const env =
      n.environmentDifferences.length === 0
        ? '<p>Same environment as the base run.</p>'
        : `<p>The environments differ (compared anyway: the shifts include these differences).</p><table><thead><tr><th>field</th><th>base</th><th>new</th></tr></thead><tbody>${n.environmentDifferences
            .map((d) => `<tr><td>${escapeHtml(d.field)}</td><td>${escapeHtml(d.base)}</td><td>${escapeHtml(d.next)}</td></tr>`)
            .join('')}</tbody></table>`;
    const notes = [
      ...(n.onlyInBase.length > 0 ? [`Only in base, not compared: ${n.onlyInBase.join(', ')}`] : []),
      ...(n.onlyInNew.length > 0 ? [`Only in new, not compared: ${n.onlyInNew.join(', ')}`] : []),
      ...(n.warmUpSamples.base + n.warmUpSamples.next > 0 ? [`Warm-up samples left out: ${n.warmUpSamples.base} base, ${n.warmUpSamples.next} new.`] : []),
    ];
    const cells = c.cells.filter((x) => x.newIndex === i);
    const rows = cells
      .map(
        (x) =>
          `<tr class="verdict-${x.verdict}"><td>${escapeHtml(x.scenarioId)}</td><td>${escapeHtml(x.field)}</td><td class="num">${x.nBase}/${x.nNew}</td><td class="num">${escapeHtml(formatValue(x.field, x.baseMedian))}</td><td class="num">${escapeHtml(formatValue(x.field, x.newMedian))}</td><td class="num">${escapeHtml(formatShift(x))}</td><td class="num">${escapeHtml(formatP(x.adjustedPValue))}</td><td class="num">${escapeHtml(formatThreshold(x.thresholdFraction))}</td><td>${escapeHtml(x.verdict)} (${escapeHtml(reasonText(x, c.options.minN))})</td></tr>`,
      )
      .join('\n');
    const figures: string[] = [];
    for (const [k, id] of [...new Set(cells.map((x) => x.scenarioId))].entries()) {
      const spec = compileToVega(scenarioChart(c, i, id, base, next));
      const elId = `chart-${i}-${k}`;
      charts.push({ id: elId, spec });
      const svg = await vegaToSvg(spec);
      figures.push(`<figure class="chart"><div id="${elId}" role="img" aria-label="${escapeHtml(id)}">${svg}</div><figcaption>${escapeHtml(id)}</figcaption></figure>`);
    }
    sections.push(
      `<h2>New run${escapeHtml(tag)}: ${escapeHtml(n.run.dir)}</h2><p>suite ${escapeHtml(n.run.suite)}, started ${escapeHtml(n.run.startedAt)}, hintbench ${escapeHtml(n.run.hintbenchVersion)}</p>`,
      `<h3>Environment</h3>${env}${notes.map((t) => `<p>${escapeHtml(t)}</p>`).join('')}`,
      `<h3>Verdicts</h3><table><thead><tr><th>scenario</th><th>metric</th><th>n base/new</th><th>base median</th><th>new median</th><th>shift [${Math.round(c.options.confidence * 100)}% CI]</th><th>p (Holm)</th><th>threshold</th><th>verdict</th></tr></thead><tbody>\n${rows}\n</tbody></table>`,
      `<h3>Samples and shifts</h3>${figures.join('\n')}`,
    );
  }
  const title = `hintbench compare: ${c.regressed ? 'regression' : 'no regression'}`;
  return `${pageHead(title, STYLE)}
<p class="conclusion">${escapeHtml(conclusion(c))}</p>
<p>Base run: ${escapeHtml(c.base.dir)} (suite ${escapeHtml(c.base.suite)}, started ${escapeHtml(c.base.startedAt)}, hintbench ${escapeHtml(c.base.hintbenchVersion)})</p>
${sections.join('\n')}
<h2>Method</h2>
<p>Shift: Hodges–Lehmann estimate of new / base − 1 with its ${Math.round(c.options.confidence * 100)}% interval; p: two-sided Mann–Whitney U, Holm-adjusted over all ${c.options.familySize} tests. Regressed or improved: adjusted p below ${c.options.alpha} and the whole interval beyond the threshold; unchanged: the interval within it; otherwise inconclusive. At least ${c.options.minN} samples per side decide. Raw samples, warm-ups left out.</p>
<script>${inlineScriptSource(vegaSource)}</script>
<script type="application/json" id="compare-charts">${jsonForScript(charts)}</script>
<script>${BOOTSTRAP}</script>
</body>
</html>
`;
}
