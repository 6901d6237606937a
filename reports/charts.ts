/**
 * Vega-Lite chart specs built from a saved RunResult only (pure functions, no I/O).
 * Every chart shows one dot per sample and a bar at the median; medians come from
 * ScenarioResult.summary, except the derived throughput (see derived.ts).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { RunResult, Sample, Scenario, ScenarioResult } from '../core/types.ts';
import { medianOfDerived, pagesAdvised, reclaimThroughputGiBps } from './derived.ts';

/** One chart: a file-friendly name, its title and the Vega-Lite spec. */
export interface ChartSpec {
  /** File stem (`<name>.svg`) and HTML element id; lowercase, dashes. */
  name: string;
  /** Human title. */
  title: string;
  /** The Vega-Lite spec with its data inlined. */
  spec: TopLevelSpec;
}

/** One data row of a chart: a sample's value or a median. */
export interface ChartRow {
  /** `sample` for a dot, `median` for a median bar. */
  kind: 'sample' | 'median';
  /** x group: memory layout and target state, e.g. `64 MiB random, sleeping`. */
  group: string;
  /** Colour: mechanism and advice, e.g. `ptrace pageout`. */
  series: string;
  /** Facet panel title (charts with several panels). */
  panel: string;
  /** Value in the unit of the chart's y axis. */
  value: number;
  /** Scenario identifier (tooltip). */
  scenario: string;
  /** Repetition index, or null for medians. */
  repetition: number | null;
}

/** The subtitle every chart carries, saying how to read its marks. */
export const MARKS_SUBTITLE = 'dots: one per sample · bars: median';

/** x group of a scenario: memory layout and target state. */
export function scenarioGroup(s: Scenario): string {
  const vmas = s.memory.vmas > 1 ? `, ${s.memory.vmas} VMAs` : '';
  return `${s.memory.sizeMiB} MiB ${s.memory.content}${vmas}, ${s.targetState}`;
}

/** Colour series of a scenario: mechanism and advice (the baseline says so). */
export function scenarioSeries(s: Scenario): string {
  return s.mechanism === 'none' ? 'none (baseline)' : `${s.mechanism} ${s.advice}`;
}

/** What one panel of a chart plots: a label, a per-sample value and a median. */
interface PanelMetric {
  panel: string;
  sampleValue: (sample: Sample) => number | null;
  median: (result: ScenarioResult) => number | null;
}

/** Median of a summarised Sample field divided by `divisor`, or null when absent. */
function summaryMedian(field: keyof Sample, divisor: number): (r: ScenarioResult) => number | null {
  return (r) => {
    const s = r.summary[field];
    return s === undefined ? null : s.median / divisor;
  };
}

/** A metric read straight from a Sample field and its summary, scaled by `divisor`. */
function fieldMetric(panel: string, field: keyof Sample, divisor: number): PanelMetric {
  return {
    panel,
    sampleValue: (sample) => {
      const v = sample[field];
      return typeof v === 'number' ? v / divisor : null;
    },
    median: summaryMedian(field, divisor),
  };
}

/** Rows of a chart: for each selected scenario and panel, its samples and its median. */
function chartRows(results: readonly ScenarioResult[], metrics: readonly PanelMetric[], keep: (v: number) => boolean = () => true): ChartRow[] {
  const rows: ChartRow[] = [];
  for (const result of results) {
    const base = { group: scenarioGroup(result.scenario), series: scenarioSeries(result.scenario), scenario: result.scenario.id };
    for (const metric of metrics) {
      for (const sample of result.samples) {
        const value = metric.sampleValue(sample);
        if (value !== null && keep(value)) rows.push({ ...base, kind: 'sample', panel: metric.panel, value, repetition: sample.repetition });
      }
      const median = metric.median(result);
      if (median !== null && keep(median)) rows.push({ ...base, kind: 'median', panel: metric.panel, value: median, repetition: null });
    }
  }
  return rows;
}

/** Options of the shared dots-plus-median layout. */
interface LayoutOptions {
  title: string;
  rows: ChartRow[];
  /** y axis title (with unit) of each panel, keyed by panel name, in display order. */
  yTitles: Readonly<Record<string, string>>;
  yScale?: 'linear' | 'log';
  /** Every series of the run, so a series has the same colour in every chart. */
  seriesDomain: readonly string[];
}

/** Colour series of every scenario of a run, in scenario order (one colour each across charts). */
export function seriesDomain(run: RunResult): string[] {
  return [...new Set(run.scenarios.map((r) => scenarioSeries(r.scenario)))];
}

/** The y-axis field definition of a panel. */
function yEncoding(yTitle: string, yScale: 'linear' | 'log'): object {
  return { field: 'value', type: 'quantitative', title: yTitle, scale: yScale === 'log' ? { type: 'log' } : { zero: true } };
}

/** One panel: dots for samples and ticks for medians of the rows whose panel matches. */
function panelSpec(panel: string, yTitle: string, opts: LayoutOptions, widthPx: number, multi: boolean): object {
  return {
    ...(multi ? { title: { text: panel, fontSize: 12 } } : {}),
    width: widthPx,
    height: 240,
    transform: [{ filter: { field: 'panel', equal: panel } }],
    encoding: {
      x: { field: 'group', type: 'nominal', title: 'memory, target state', axis: { labelAngle: -20, labelLimit: 240 } },
      xOffset: { field: 'series', type: 'nominal' },
      y: yEncoding(yTitle, opts.yScale ?? 'linear'),
      color: { field: 'series', type: 'nominal', title: 'mechanism, advice', scale: { domain: [...opts.seriesDomain] }, legend: { labelLimit: 320 } },
      tooltip: [
        { field: 'scenario', type: 'nominal', title: 'scenario' },
        { field: 'kind', type: 'nominal', title: 'mark' },
        { field: 'repetition', type: 'quantitative', title: 'repetition' },
        { field: 'value', type: 'quantitative', title: yTitle, format: ',.3~f' },
      ],
    },
    layer: [
      { transform: [{ filter: "datum.kind === 'sample'" }], mark: { type: 'point', filled: true, size: 45, opacity: 0.7 } },
      { transform: [{ filter: "datum.kind === 'median'" }], mark: { type: 'tick', thickness: 3, size: 20 } },
    ],
  };
}

/** Dots per sample plus median bars, grouped by memory layout, coloured by mechanism; one panel per metric. */
function dotsWithMedians(opts: LayoutOptions): TopLevelSpec {
  const panels = Object.keys(opts.yTitles).filter((p) => opts.rows.some((r) => r.panel === p));
  const groups = new Set(opts.rows.map((r) => r.group));
  const series = new Set(opts.rows.map((r) => r.series));
  const widthPx = Math.max(120, 36 * series.size) * Math.max(1, groups.size);
  const multi = panels.length > 1;
  const specs = panels.map((p) => panelSpec(p, opts.yTitles[p]!, opts, widthPx, multi));
  const common = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: opts.title, subtitle: MARKS_SUBTITLE, anchor: 'start', fontSize: 15 },
    data: { values: opts.rows },
    config: { font: 'DejaVu Sans, Helvetica, Arial, sans-serif', axis: { labelFontSize: 11, titleFontSize: 12 } },
  };
  if (!multi) return { ...common, ...(specs[0] ?? panelSpec('', '', opts, widthPx, false)) } as TopLevelSpec;
  // Side by side while the panels fit a page (~1100 px); stacked when they would not.
  const layout = widthPx * panels.length > MAX_ROW_WIDTH_PX ? 'vconcat' : 'hconcat';
  return { ...common, [layout]: specs, resolve: { scale: { color: 'shared' } } } as TopLevelSpec;
}

/** Widest row of side-by-side panels, in px, before they are stacked instead. */
const MAX_ROW_WIDTH_PX = 1100;

/** Scenarios that delivered a hint and have samples. */
function hinted(run: RunResult): ScenarioResult[] {
  return run.scenarios.filter((r) => r.scenario.mechanism !== 'none' && r.samples.length > 0);
}

/** Hint latency, user-side and kernel-side, in µs on a log scale. */
export function hintLatencyChart(run: RunResult): ChartSpec {
  const title = 'Hint latency by mechanism, advice and size';
  const user = 'user-side (caller wall time)';
  const kernel = 'kernel-side (syscall enter to exit)';
  const rows = chartRows(hinted(run), [fieldMetric(user, 'userLatencyNs', 1e3), fieldMetric(kernel, 'kernelLatencyNs', 1e3)], (v) => v > 0);
  const yTitle = 'hint latency (µs, log scale)';
  return { name: 'hint-latency', title, spec: dotsWithMedians({ title, rows, yTitles: { [user]: yTitle, [kernel]: yTitle }, yScale: 'log', seriesDomain: seriesDomain(run) }) };
}

/** Reclaim throughput in GiB/s (reclaimed bytes over kernel-side latency; derived.ts). */
export function reclaimThroughputChart(run: RunResult): ChartSpec {
  const title = 'Reclaim throughput inside the hint (pages reclaimed × page size / kernel-side latency)';
  const pageSizeBytes = run.environment.pageSizeBytes;
  const throughput = (s: Sample): number | null => reclaimThroughputGiBps(s, pageSizeBytes);
  const panel = 'throughput';
  const rows = chartRows(hinted(run), [
    {
      panel,
      sampleValue: throughput,
      median: (r) => medianOfDerived(r.samples.map(throughput)),
    },
  ]);
  return { name: 'reclaim-throughput', title, spec: dotsWithMedians({ title, rows, yTitles: { [panel]: 'reclaim throughput (GiB/s)' }, seriesDomain: seriesDomain(run) }) };
}

/** Pages advised next to pages reclaimed. */
export function pagesReclaimedChart(run: RunResult): ChartSpec {
  const title = 'Pages reclaimed vs pages advised';
  const pageSizeBytes = run.environment.pageSizeBytes;
  const advised = 'pages advised';
  const reclaimed = 'pages reclaimed';
  const rows = chartRows(hinted(run), [
    { panel: advised, sampleValue: (s) => pagesAdvised(s, pageSizeBytes), median: summaryMedian('bytesAdvised', pageSizeBytes) },
    fieldMetric(reclaimed, 'reclaimedPages', 1),
  ]);
  const unit = `pages (${pageSizeBytes / 1024} KiB each)`;
  return {
    name: 'pages-reclaimed',
    title,
    spec: dotsWithMedians({ title, rows, yTitles: { [advised]: `advised ${unit}`, [reclaimed]: `reclaimed ${unit}` }, seriesDomain: seriesDomain(run) }),
  };
}

/** Major faults and re-touch time after the hint, with the no-hint baseline. */
export function refaultsChart(run: RunResult): ChartSpec {
  const title = 'Refaults and re-touch time after the hint (with no-hint baseline)';
  const faults = 'major faults during re-touch';
  const retouch = 're-touch time';
  const rows = chartRows(
    run.scenarios.filter((r) => r.samples.length > 0),
    [fieldMetric(faults, 'retouchMajorFaults', 1), fieldMetric(retouch, 'retouchNs', 1e6)],
  );
  return {
    name: 'refaults-retouch',
    title,
    spec: dotsWithMedians({ title, rows, yTitles: { [faults]: 'major faults (count)', [retouch]: 're-touch time (ms)' }, seriesDomain: seriesDomain(run) }),
  };
}

/** Target stall and CPU paid by caller vs target, for the hinting mechanisms. */
export function stallCpuChart(run: RunResult): ChartSpec {
  const title = 'Target stall and CPU paid by caller vs target';
  const stall = 'target stall: time in ptrace stops';
  const window = 'injector stop window: stop to detach';
  const caller = 'CPU paid by caller';
  const target = 'CPU paid by target (a running target: incl. its own work)';
  const rows = chartRows(hinted(run), [
    fieldMetric(stall, 'stallNs', 1e3),
    fieldMetric(window, 'injectorStopNs', 1e3),
    fieldMetric(caller, 'callerCpuNs', 1e3),
    fieldMetric(target, 'targetCpuNs', 1e3),
  ]);
  return {
    name: 'stall-cpu',
    title,
    spec: dotsWithMedians({
      title,
      rows,
      yTitles: { [stall]: 'target stall (µs)', [window]: 'stop window (µs)', [caller]: 'caller CPU time (µs)', [target]: 'target CPU time (µs)' },
      seriesDomain: seriesDomain(run),
    }),
  };
}

/** Sample rows of a chart spec (its inline data), for tests and emptiness checks. */
export function chartData(chart: ChartSpec): ChartRow[] {
  const data = (chart.spec as { data?: { values?: ChartRow[] } }).data;
  return data?.values ?? [];
}

/** Every chart the run has data for, in report order. Charts without a single sample are left out. */
export function buildCharts(run: RunResult): ChartSpec[] {
  return [hintLatencyChart, reclaimThroughputChart, pagesReclaimedChart, refaultsChart, stallCpuChart]
    .map((build) => build(run))
    .filter((chart) => chartData(chart).some((r) => r.kind === 'sample'));
}
