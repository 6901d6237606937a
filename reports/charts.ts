/**
 * Vega-Lite chart specs built from a saved RunResult only (pure functions, no I/O).
 *
 * Every panel shows one dot per measured sample (warm-up samples left out) and, beside the
 * dots, the median with its 95 % confidence interval as a whisker, all computed from the raw
 * samples (sample-stats.ts). Colour is the mechanism (Okabe–Ito, colour-blind safe), shape the
 * advice; the legends list only what the chart draws. A metric whose values span more than
 * LOG_RANGE_RATIO is drawn on a log scale; time axes are labelled in SI units (1 ms, 10 ms,
 * 1 s). Panels are stacked, each PANEL_WIDTH_PX wide, so a chart fits an 800 px page.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { SampleFieldName } from '../core/metrics.ts';
import { medianCi } from '../core/stats/median-ci.ts';
import type { RunResult, Scenario, ScenarioResult } from '../core/types.ts';
import { reclaimThroughputGiBps } from './derived.ts';
import { memoryWords } from './findings.ts';
import { fieldValues, measuredSamples, metricStats, REPORT_CONFIDENCE } from './sample-stats.ts';
import { selfDeliveryLabel } from './tables.ts';
import { isHintScenario } from './families.ts';
import { pressureTimelineChart, strategyCostChart } from './strategy-charts.ts';
import { type AxisKind, type ChartSpec, labelExpr, logTicks, PANEL_WIDTH_PX, titleLines, wantsLogScale } from './chart-kit.ts';

/** One data row of a chart: a sample's value, or a median with its interval. */
export interface ChartRow {
  /** `sample` for a dot, `median` for a median with its CI. */
  kind: 'sample' | 'median';
  /** x group: memory layout and target state, e.g. `256 MiB random, running target`. */
  group: string;
  /** Colour: the mechanism (`no hint` for the baseline). */
  mechanism: string;
  /** Shape: the advice (`none` for the baseline). */
  advice: string;
  /** Mechanism and advice, e.g. `ptrace PAGEOUT`. */
  series: string;
  /** Slot within a group: the series' dots, then its median beside them. */
  slot: string;
  /** Panel the row belongs to. */
  panel: string;
  /** Value in the unit of the panel's axis (ns for times). */
  value: number;
  /** CI bounds of a median (null for samples). */
  lower: number | null;
  upper: number | null;
  /** Scenario identifier (tooltip). */
  scenario: string;
  /** Repetition index, or null for medians. */
  repetition: number | null;
}

/** The subtitle every chart carries, saying how to read its marks. */
export const MARKS_SUBTITLE = `dots: one per sample · bar and whisker beside them: median and its ${REPORT_CONFIDENCE * 100} % CI`;

/** Colour of each mechanism (Okabe–Ito palette: distinguishable with any colour-vision deficiency). */
export const MECHANISM_COLOURS: Readonly<Record<string, string>> = {
  process_madvise: '#0072B2',
  ptrace: '#E69F00',
  'no hint': '#555555',
};

/** Shape of each advice. */
export const ADVICE_SHAPES: Readonly<Record<string, string>> = {
  COLD: 'circle',
  PAGEOUT: 'triangle-up',
  none: 'square',
};

/** Fallback colours for mechanisms not listed above (rest of the Okabe–Ito palette). */
const MORE_COLOURS = ['#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#F0E442', '#000000'];

/** x group of a scenario: memory layout and target state. */
export function scenarioGroup(s: Scenario): string {
  return `${memoryWords(s)}, ${s.targetState} target`;
}

/** Mechanism label (colour). */
function mechanismOf(s: Scenario): string {
  return s.mechanism === 'none' ? 'no hint' : s.mechanism;
}

/** Advice label (shape). */
function adviceOf(s: Scenario): string {
  return s.advice === 'none' ? 'none' : s.advice.toUpperCase();
}

/** Colour series of a scenario: mechanism and advice (the baseline says so). */
export function scenarioSeries(s: Scenario): string {
  return selfDeliveryLabel(s) ?? (s.mechanism === 'none' ? 'no hint (baseline)' : `${s.mechanism} ${adviceOf(s)}`);
}

/** What one panel of a chart plots. */
interface PanelMetric {
  /** Panel title. */
  panel: string;
  /** Axis title. */
  axisTitle: string;
  axis: AxisKind;
  /** Per-sample values of a scenario, in sample order (null where a sample has none). */
  values: (result: ScenarioResult) => (number | null)[];
  /** Median and CI of a scenario; null when it has no value. */
  median: (result: ScenarioResult) => { median: number; lower: number; upper: number } | null;
}

/** A panel of a Sample field: values and median CI from the measured samples. */
function fieldPanel(panel: string, field: SampleFieldName, axis: AxisKind, axisTitle: string): PanelMetric {
  return {
    panel,
    axisTitle,
    axis,
    values: (r) => measuredSamples(r).map((s) => fieldValues([s], field)[0] ?? null),
    median: (r) => {
      const s = metricStats(r, field);
      return s?.ci == null ? null : { median: s.ci.median, lower: s.ci.lower, upper: s.ci.upper };
    },
  };
}

/** Rows of one panel for the given scenarios; values `keep` refuses (zeros on a log axis, say) are left out. */
function panelRows(results: readonly ScenarioResult[], metric: PanelMetric): ChartRow[] {
  const rows: ChartRow[] = [];
  for (const result of results) {
    const s = result.scenario;
    const series = scenarioSeries(s);
    const base = { group: scenarioGroup(s), mechanism: mechanismOf(s), advice: adviceOf(s), series, panel: metric.panel, scenario: s.id };
    const samples = measuredSamples(result);
    metric.values(result).forEach((value, i) => {
      if (value !== null && Number.isFinite(value))
        rows.push({ ...base, kind: 'sample', slot: `${series} samples`, value, lower: null, upper: null, repetition: samples[i]?.repetition ?? null });
    });
    const m = metric.median(result);
    if (m !== null) rows.push({ ...base, kind: 'median', slot: `${series} median`, value: m.median, lower: m.lower, upper: m.upper, repetition: null });
  }
  return rows;
}

/** The y encoding of a panel: log scale with explicit ticks when the values call for it, else linear from zero. */
function yEncoding(rows: readonly ChartRow[], metric: PanelMetric): object {
  const all = rows.flatMap((r) => [r.value, ...(r.lower === null ? [] : [r.lower]), ...(r.upper === null ? [] : [r.upper])]);
  const log = wantsLogScale(all);
  const axis = { labelExpr: labelExpr(metric.axis), title: `${metric.axisTitle}${log ? ' (log scale)' : ''}`, grid: true };
  if (!log) return { field: 'value', type: 'quantitative', scale: { zero: true }, axis: { ...axis, tickCount: 6 } };
  const lo = Math.min(...all) / 1.3;
  const hi = Math.max(...all) * 1.3;
  return { field: 'value', type: 'quantitative', scale: { type: 'log', domain: [lo, hi], nice: false }, axis: { ...axis, values: logTicks(lo, hi) } };
}

/** The distinct values, those named in `order` first in that order, then the others as they come. */
function inFixedOrder(values: readonly string[], order: readonly string[]): string[] {
  const present = new Set(values);
  return [...order.filter((v) => present.has(v)), ...[...present].filter((v) => !order.includes(v))];
}

/** Colour and shape scales listing only the mechanisms and advices the chart has marks for. */
function legendScales(rows: readonly ChartRow[]): { color: object; shape: object } {
  const mechanisms = inFixedOrder(
    rows.map((r) => r.mechanism),
    Object.keys(MECHANISM_COLOURS),
  );
  const advices = inFixedOrder(
    rows.map((r) => r.advice),
    Object.keys(ADVICE_SHAPES),
  );
  let spare = 0;
  const colour = (m: string): string => MECHANISM_COLOURS[m] ?? MORE_COLOURS[spare++ % MORE_COLOURS.length]!;
  return {
    color: {
      field: 'mechanism',
      type: 'nominal',
      title: 'mechanism',
      scale: { domain: mechanisms, range: mechanisms.map(colour) },
      legend: { orient: 'bottom', direction: 'horizontal' },
    },
    shape: {
      field: 'advice',
      type: 'nominal',
      title: 'advice',
      scale: { domain: advices, range: advices.map((a) => ADVICE_SHAPES[a] ?? 'diamond') },
      legend: { orient: 'bottom', direction: 'horizontal' },
    },
  };
}

/** One panel: sample dots (`rows`: this panel's; `allRows`: the chart's, which the shared legends list), and beside them the median tick with its CI whisker. */
function panelSpec(rows: readonly ChartRow[], metric: PanelMetric, multi: boolean, slots: readonly string[], allRows: readonly ChartRow[]): object {
  const scales = legendScales(allRows);
  const tooltip = [
    { field: 'scenario', type: 'nominal', title: 'scenario' },
    { field: 'kind', type: 'nominal', title: 'mark' },
    { field: 'repetition', type: 'quantitative', title: 'repetition' },
    { field: 'value', type: 'quantitative', title: metric.axisTitle, format: '~r' },
  ];
  return {
    ...(multi ? { title: { text: metric.panel, fontSize: 12, anchor: 'start' } } : {}),
    width: PANEL_WIDTH_PX,
    height: 220,
    transform: [{ filter: { field: 'panel', equal: metric.panel } }],
    encoding: {
      x: { field: 'group', type: 'nominal', title: null, axis: { labelAngle: 0, labelExpr: "split(datum.label, ', ')", labelLimit: 200 } },
      xOffset: { field: 'slot', type: 'nominal', scale: { domain: [...slots] } },
      y: yEncoding(rows, metric),
      color: scales.color,
    },
    layer: [
      {
        transform: [{ filter: "datum.kind === 'sample'" }],
        mark: { type: 'point', filled: true, size: 42, opacity: 0.75 },
        encoding: { shape: scales.shape, tooltip },
      },
      {
        transform: [{ filter: "datum.kind === 'median'" }],
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: { y2: { field: 'upper' }, y: { field: 'lower', type: 'quantitative' } },
      },
      { transform: [{ filter: "datum.kind === 'median'" }], mark: { type: 'tick', thickness: 2.5, size: 12 }, encoding: { tooltip } },
    ],
  };
}

/** A chart of one or more stacked panels; null when no panel has a sample. `title` is `what: compared`, drawn over two lines. */
function buildChart(name: string, title: string, results: readonly ScenarioResult[], metrics: readonly PanelMetric[]): ChartSpec | null {
  const panels = metrics.map((m) => ({ metric: m, rows: panelRows(results, m) })).filter((p) => p.rows.some((r) => r.kind === 'sample'));
  if (panels.length === 0) return null;
  const rows = panels.flatMap((p) => p.rows);
  const series = [...new Set(rows.map((r) => r.series))];
  const slots = series.flatMap((s) => [`${s} samples`, `${s} median`]);
  const multi = panels.length > 1;
  const specs = panels.map((p) => panelSpec(p.rows, p.metric, multi, slots, rows));
  const common = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: titleLines(title), subtitle: MARKS_SUBTITLE, anchor: 'start', fontSize: 14, subtitleFontSize: 11 },
    data: { values: rows },
    config: { font: 'DejaVu Sans, Helvetica, Arial, sans-serif', axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11 } },
  };
  const spec = multi ? { ...common, vconcat: specs, resolve: { scale: { color: 'shared', shape: 'shared', y: 'independent' } } } : { ...common, ...specs[0] };
  return { name, title, spec: spec as TopLevelSpec };
}

/** `a vs b` / `a and b` listings for titles. */
function listing(values: readonly string[], joiner: string): string {
  return values.length <= 1 ? (values[0] ?? '') : `${values.slice(0, -1).join(', ')}${joiner}${values.at(-1)}`;
}

/** Title part naming the compared mechanisms, advices and target states of some scenarios. */
function comparisonWords(results: readonly ScenarioResult[], withBaseline = false): string {
  const hinted = results.filter((r) => r.scenario.mechanism !== 'none').map((r) => r.scenario);
  const mechanisms = listing([...new Set(hinted.map((s) => s.mechanism))], ' vs ');
  const advices = listing([...new Set(hinted.map((s) => s.advice.toUpperCase()))], ' and ');
  const states = [...new Set(results.map((r) => r.scenario.targetState))];
  const stateWords = `${listing(states, ' and ')} target${states.length > 1 ? 's' : ''}`;
  const baseline = withBaseline && results.some((r) => r.scenario.mechanism === 'none') ? ' vs no hint' : '';
  return `${mechanisms}, ${advices}${baseline}, ${stateWords}`;
}

/** Hint-family scenarios with measured samples (pressure scenarios have charts of their own, strategy-charts.ts); `hintedOnly` drops the baseline. */
function withSamples(run: RunResult, hintedOnly: boolean): ScenarioResult[] {
  return run.scenarios.filter((r) => isHintScenario(r.scenario) && measuredSamples(r).length > 0 && (!hintedOnly || r.scenario.mechanism !== 'none'));
}

/** Hint latency, caller side and kernel side. */
export function hintLatencyChart(run: RunResult): ChartSpec | null {
  const results = withSamples(run, true);
  return buildChart('hint-latency', `Hint latency: ${comparisonWords(results)}`, results, [
    fieldPanel('caller side: wall time around the hint system calls', 'userLatencyNs', 'time', 'hint latency'),
    fieldPanel('kernel side: system call entry to exit', 'kernelLatencyNs', 'time', 'hint latency'),
  ]);
}

/** Reclaim throughput of PAGEOUT (COLD reclaims nothing by design, so it has no throughput to show): per-sample ratios (derived.ts). */
export function reclaimThroughputChart(run: RunResult): ChartSpec | null {
  const pageSizeBytes = run.environment.pageSizeBytes;
  const results = withSamples(run, true).filter((r) => r.scenario.advice === 'pageout');
  const values = (r: ScenarioResult): (number | null)[] => measuredSamples(r).map((s) => (s.reclaimedPages === 0 ? null : reclaimThroughputGiBps(s, pageSizeBytes)));
  const metric: PanelMetric = {
    panel: 'reclaim throughput',
    axisTitle: 'reclaim throughput',
    axis: 'rate',
    values,
    median: (r) => {
      const ci = medianCi(
        values(r).filter((v): v is number => v !== null),
        REPORT_CONFIDENCE,
      );
      return ci === null ? null : { median: ci.median, lower: ci.lower, upper: ci.upper };
    },
  };
  return buildChart('reclaim-throughput', `PAGEOUT reclaim throughput (reclaimed bytes / kernel-side latency): ${comparisonWords(results)}`, results, [metric]);
}

/** Re-touch time and major faults after the hint, against the no-hint baseline. */
export function refaultsChart(run: RunResult): ChartSpec | null {
  const results = withSamples(run, false);
  return buildChart('refaults-retouch', `Re-touch after the hint: ${comparisonWords(results, true)}`, results, [
    fieldPanel('time to touch every page again', 'retouchNs', 'time', 're-touch time'),
    fieldPanel('major faults during the re-touch', 'retouchMajorFaults', 'count', 'major faults'),
  ]);
}

/** Target stall and CPU paid by caller and target. */
export function stallCpuChart(run: RunResult): ChartSpec | null {
  const results = withSamples(run, true);
  return buildChart('stall-cpu', `Target stall and CPU cost: ${comparisonWords(results)}`, results, [
    fieldPanel('target stall: time in ptrace stops', 'stallNs', 'time', 'target stall'),
    fieldPanel('injector stop window: stop to detach', 'injectorStopNs', 'time', 'stop window'),
    fieldPanel('CPU time of the caller', 'callerCpuNs', 'time', 'caller CPU'),
    fieldPanel("CPU time of the target (a running target's own spinning included)", 'targetCpuNs', 'time', 'target CPU'),
  ]);
}

/** Fields of the explanation chart, in panel order; the chart exists only where some hinted sample has one of them non-null. */
export const EXPLANATION_FIELDS: readonly SampleFieldName[] = ['tlbRemoteIpiSends', 'tlbRemoteShootdowns', 'callerOffCpuNs'];

/** What the probes measured during the hint that explains its latency: shootdown IPIs sent, flushes they caused, caller time off CPU. */
export function explanationsChart(run: RunResult): ChartSpec | null {
  const results = withSamples(run, true);
  return buildChart('explanations', `During the hint, TLB shootdown IPIs and caller off-CPU time: ${comparisonWords(results)}`, results, [
    fieldPanel('TLB shootdown IPIs the hinting thread sent to other CPUs', 'tlbRemoteIpiSends', 'count', 'shootdown IPIs sent'),
    fieldPanel('remote TLB flushes other CPUs ran while the hint was in flight', 'tlbRemoteShootdowns', 'count', 'remote flushes'),
    fieldPanel('time the hinting thread spent switched out (preempted or blocked)', 'callerOffCpuNs', 'time', 'caller off-CPU'),
  ]);
}

/** One bar of a refault-latency histogram: a log2 bucket's fault count, summed over a scenario's measured samples. */
export interface HistogramRow {
  /** Panel: the scenario's series, layout and target state. */
  panel: string;
  /** Colour: the mechanism (`no hint` for the baseline). */
  mechanism: string;
  /** Scenario identifier (tooltip). */
  scenario: string;
  /** Bucket index i: faults that took [2^i, 2^(i+1)) ns. */
  bucket: number;
  /** Lower edge of the bar, ns (bucket 0, which also holds 0-1 ns, is drawn from 1 ns). */
  lowerNs: number;
  /** Upper edge of the bar, ns. */
  upperNs: number;
  /** Faults in the bucket. */
  faults: number;
  /** Bottom of the bar on the y axis (0 on a linear axis, below the smallest count on a log axis). */
  base: number;
}

/** Log2 histogram buckets summed element-wise over a scenario's measured samples; null when no sample has one. */
export function summedRefaultHistogram(result: ScenarioResult): number[] | null {
  const hists = measuredSamples(result)
    .map((s) => s.refaultLatencyLog2Hist)
    .filter((h): h is number[] => Array.isArray(h));
  if (hists.length === 0) return null;
  const sum: number[] = [];
  for (const h of hists)
    h.forEach((n, i) => {
      sum[i] = (sum[i] ?? 0) + n;
    });
  return Array.from(sum, (n) => n ?? 0);
}

/** Refault (swap-in) latency of the re-touch: one histogram per scenario that had timed refaults. */
export function refaultHistogramChart(run: RunResult): ChartSpec | null {
  const results = withSamples(run, false).flatMap((r) => {
    const hist = summedRefaultHistogram(r);
    return hist?.some((n) => n > 0) ? [{ result: r, hist: hist as number[] }] : [];
  });
  if (results.length === 0) return null;
  const rows: HistogramRow[] = results.flatMap(({ result, hist }) => {
    const s = result.scenario;
    const total = hist.reduce((a, b) => a + b, 0);
    const panel = `${scenarioSeries(s)}, ${scenarioGroup(s)}: ${total.toLocaleString('en-US')} refaults in ${measuredSamples(result).length} samples`;
    return hist.flatMap((faults, i) =>
      faults === 0 ? [] : [{ panel, mechanism: mechanismOf(s), scenario: s.id, bucket: i, lowerNs: 2 ** i, upperNs: 2 ** (i + 1), faults, base: 0 }],
    );
  });
  const logY = wantsLogScale(rows.map((r) => r.faults));
  const yLo = logY ? Math.min(...rows.map((r) => r.faults)) / 2 : 0;
  for (const r of rows) r.base = yLo;
  const xLo = Math.min(...rows.map((r) => r.lowerNs));
  const xHi = Math.max(...rows.map((r) => r.upperNs));
  const mechanisms = inFixedOrder(
    rows.map((r) => r.mechanism),
    Object.keys(MECHANISM_COLOURS),
  );
  let spare = 0;
  const tooltip = [
    { field: 'scenario', type: 'nominal', title: 'scenario' },
    { field: 'lowerNs', type: 'quantitative', title: 'from (ns)', format: '~s' },
    { field: 'upperNs', type: 'quantitative', title: 'to (ns)', format: '~s' },
    { field: 'faults', type: 'quantitative', title: 'refaults', format: ',' },
  ];
  const panels = [...new Set(rows.map((r) => r.panel))].map((panel) => ({
    title: { text: titleLines(panel), fontSize: 12, anchor: 'start' },
    width: PANEL_WIDTH_PX,
    height: 110,
    transform: [{ filter: { field: 'panel', equal: panel } }],
    mark: { type: 'rect', stroke: 'white', strokeWidth: 0.5 },
    encoding: {
      x: {
        field: 'lowerNs',
        type: 'quantitative',
        scale: { type: 'log', base: 2, domain: [xLo, xHi], nice: false },
        axis: {
          values: logTicks(xLo, xHi, 5),
          labelExpr: labelExpr('time'),
          title: 'time from fault entry to the end of its handling (log-2 axis, one bar per bucket)',
          grid: true,
        },
      },
      x2: { field: 'upperNs' },
      y: {
        field: 'faults',
        type: 'quantitative',
        scale: logY ? { type: 'log', domain: [yLo, Math.max(...rows.map((r) => r.faults)) * 1.3], nice: false } : { zero: true },
        axis: { title: `refaults${logY ? ' (log scale)' : ''}`, labelExpr: labelExpr('count'), tickCount: 4, grid: true },
      },
      y2: { field: 'base' },
      color: {
        field: 'mechanism',
        type: 'nominal',
        title: 'mechanism',
        scale: { domain: mechanisms, range: mechanisms.map((m) => MECHANISM_COLOURS[m] ?? MORE_COLOURS[spare++ % MORE_COLOURS.length]!) },
        legend: { orient: 'bottom', direction: 'horizontal' },
      },
      tooltip,
    },
  }));
  const title = `Refault latency of the re-touch (swap-in per page), per scenario: ${comparisonWords(
    results.map((r) => r.result),
    true,
  )}`;
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: titleLines(title), subtitle: HISTOGRAM_SUBTITLE, anchor: 'start', fontSize: 14, subtitleFontSize: 11 },
    data: { values: rows },
    config: { font: 'DejaVu Sans, Helvetica, Arial, sans-serif', axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11 } },
    vconcat: panels,
    resolve: { scale: { color: 'shared', x: 'shared', y: 'shared' } },
  };
  return { name: 'refault-latency', title, spec: spec as TopLevelSpec };
}

/** The subtitle of the refault-latency histograms. */
export const HISTOGRAM_SUBTITLE = 'bars: re-touch major faults per log-2 latency bucket, summed over the measured samples';

/**
 * Why a chart the report could draw is missing: one line per chart left out for lack of
 * probe data (scenarios with samples, but the fields null in every one), for the Charts section.
 */
export function chartNotes(run: RunResult): string[] {
  const hinted = withSamples(run, true);
  const notes: string[] = [];
  if (hinted.length > 0 && explanationsChart(run) === null)
    notes.push(
      'No explanations chart: the TLB, IPI and scheduling probes did not run (`hintbench run --explain on` attaches them; they slow the figures they explain, docs/explanations.md).',
    );
  if (withSamples(run, false).length > 0 && refaultHistogramChart(run) === null)
    notes.push(
      'No refault-latency histogram: no sample has a timed refault (the refault-latency probe did not run: `hintbench run --explain on` attaches it; or the re-touch took no major fault).',
    );
  return notes;
}

/** Sample rows of a chart spec (its inline data), for tests and emptiness checks. */
export function chartData(chart: ChartSpec): ChartRow[] {
  const data = (chart.spec as { data?: { values?: ChartRow[] } }).data;
  return data?.values ?? [];
}

/** Every chart the run has samples for, in report order. */
export function buildCharts(run: RunResult): ChartSpec[] {
  return [hintLatencyChart, reclaimThroughputChart, refaultsChart, stallCpuChart, explanationsChart, refaultHistogramChart, strategyCostChart, pressureTimelineChart]
    .map((build) => build(run))
    .filter((c): c is ChartSpec => c !== null);
}
