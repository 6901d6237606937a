/**
 * The declared column lists every tabular output uses: samples.csv, the Markdown and HTML
 * tables and the terminal summary. Formats read their headers and cells from here only, so
 * they cannot drift apart. Headers are snake_case and end in their unit.
 */
import type { RunResult, Sample, Scenario, ScenarioResult, Summary } from '../core/types.ts';

/** A cell value before formatting: raw numbers in the unit the header names. */
export type CellValue = string | number | boolean | null;

/** One column: a header (with unit) and how to read its value from a row. */
export interface Column<Row> {
  /** Header as it appears in CSV and tables, e.g. `user_latency_ns`. */
  header: string;
  /** One line on what the column holds. */
  description: string;
  /** Raw value of the column for one row. */
  value: (row: Row) => CellValue;
}

/** A per-sample row: the sample and the scenario it belongs to. */
export interface SampleRow {
  /** The scenario the sample belongs to. */
  scenario: Scenario;
  /** The sample itself. */
  sample: Sample;
}

/** `userLatencyNs` -> `user_latency_ns`; `sizeMiB` -> `size_mib`. */
export function snakeCase(field: string): string {
  return field
    .replace(/MiB/g, 'Mib')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** How a Sample field becomes a column: its doc line (the header is its snake_case name). */
const SAMPLE_FIELD_DOCS: Readonly<Record<keyof Sample, string>> = {
  repetition: '0-based repetition index',
  pid: 'workload process id',
  userLatencyNs: 'hint latency measured by the caller, ns (empty for the baseline)',
  kernelLatencyNs: 'hint latency measured in the kernel, sum over the hint syscalls, ns',
  syscalls: 'hint syscalls issued',
  probeSyscalls: 'hint syscalls the probe saw for this sample (should equal syscalls)',
  bytesRequested: 'bytes requested',
  bytesAdvised: 'bytes the kernel reported as advised',
  reclaimedPages: 'pages reclaimed inside the hint syscalls (probe)',
  rssBeforeBytes: 'target VmRSS before the hint, bytes',
  rssAfterBytes: 'target VmRSS after the hint, bytes',
  swapBeforeBytes: 'target VmSwap before the hint, bytes',
  swapAfterBytes: 'target VmSwap after the hint, bytes',
  pswpoutDeltaPages: 'system-wide pswpout delta across the hint, pages',
  pswpinDeltaPages: 'system-wide pswpin delta across the re-touch, pages',
  retouchNs: 'time the workload took to touch every page again, ns',
  retouchMajorFaults: 'major faults during the re-touch (workload /proc/self/stat)',
  retouchMajorFaultsProbe: 'major faults during the re-touch (probe)',
  stallNs: 'time the target was stalled by the hint (ptrace stop per sched_switch), ns',
  injectorStopNs: 'the injector\'s own stop window, stop arrived to detach, ns (ptrace only)',
  callerCpuNs: 'CPU time the caller used for the hint, ns',
  targetCpuNs: 'CPU time the target used while the hint was delivered, ns',
  targetEintr: 'system calls of the target that returned EINTR during the sample (probe)',
  dataIntact: 'the workload verified all its pages after the hint (true/false)',
  errors: 'errors met in this sample, joined with "; "',
};

/**
 * Every Sample field, in declaration order. The Record type above makes the compiler reject
 * a Sample field without a column.
 */
export const SAMPLE_FIELDS: readonly (keyof Sample)[] = Object.keys(SAMPLE_FIELD_DOCS) as (keyof Sample)[];

/** Cell value of a Sample field: arrays joined, everything else as is. */
function sampleCell(sample: Sample, field: keyof Sample): CellValue {
  const v = sample[field];
  return Array.isArray(v) ? v.join('; ') : v;
}

/** Columns that describe the scenario a sample belongs to. */
const SCENARIO_CONTEXT_COLUMNS: readonly Column<SampleRow>[] = [
  { header: 'scenario_id', description: 'scenario identifier', value: (r) => r.scenario.id },
  { header: 'mechanism', description: 'delivery mechanism (process_madvise, ptrace, none)', value: (r) => r.scenario.mechanism },
  { header: 'advice', description: 'advice (cold, pageout, none)', value: (r) => r.scenario.advice },
  { header: 'memory_kind', description: 'mapping kind', value: (r) => r.scenario.memory.kind },
  { header: 'memory_content', description: 'page content (zero, random, mixed)', value: (r) => r.scenario.memory.content },
  { header: 'memory_size_mib', description: 'total mapped size, MiB', value: (r) => r.scenario.memory.sizeMiB },
  { header: 'memory_vmas', description: 'number of VMAs the size is split into', value: (r) => r.scenario.memory.vmas },
  { header: 'target_state', description: 'state of the target during the hint', value: (r) => r.scenario.targetState },
];

/** The per-sample columns of samples.csv: scenario context, then every Sample field. */
export const SAMPLE_COLUMNS: readonly Column<SampleRow>[] = [
  ...SCENARIO_CONTEXT_COLUMNS,
  ...SAMPLE_FIELDS.map((field): Column<SampleRow> => ({
    header: snakeCase(field),
    description: SAMPLE_FIELD_DOCS[field],
    value: (r) => sampleCell(r.sample, field),
  })),
];

/** The Sample field a samples.csv header comes from, or null for scenario context columns. */
export function sampleFieldOfHeader(header: string): keyof Sample | null {
  return SAMPLE_FIELDS.find((f) => snakeCase(f) === header) ?? null;
}

/** Every sample of a run as rows, scenario by scenario, in repetition order. */
export function sampleRows(run: RunResult): SampleRow[] {
  return run.scenarios.flatMap((s) => s.samples.map((sample) => ({ scenario: s.scenario, sample })));
}

/** How a metric is shown in human-facing tables: its label, display unit and scale. */
export interface MetricDisplay {
  /** Sample field the summary is keyed by. */
  field: keyof Sample;
  /** Human label with the display unit, e.g. `user latency (µs)`. */
  label: string;
  /** Raw value is divided by this to get the display unit. */
  divisor: number;
  /** Decimals shown. */
  decimals: number;
}

/** The metrics that human-facing summary tables show, in order. */
export const KEY_METRICS: readonly MetricDisplay[] = [
  { field: 'userLatencyNs', label: 'user latency (µs)', divisor: 1e3, decimals: 1 },
  { field: 'kernelLatencyNs', label: 'kernel latency (µs)', divisor: 1e3, decimals: 1 },
  { field: 'bytesAdvised', label: 'advised (MiB)', divisor: 2 ** 20, decimals: 1 },
  { field: 'reclaimedPages', label: 'reclaimed (pages)', divisor: 1, decimals: 0 },
  { field: 'retouchMajorFaults', label: 're-touch major faults', divisor: 1, decimals: 0 },
  { field: 'retouchNs', label: 're-touch time (ms)', divisor: 1e6, decimals: 2 },
  { field: 'stallNs', label: 'target stall, traced stops (µs)', divisor: 1e3, decimals: 1 },
  { field: 'injectorStopNs', label: 'injector stop window (µs)', divisor: 1e3, decimals: 1 },
  { field: 'callerCpuNs', label: 'caller CPU (µs)', divisor: 1e3, decimals: 1 },
  { field: 'targetCpuNs', label: 'target CPU (µs)', divisor: 1e3, decimals: 1 },
  { field: 'targetEintr', label: 'target EINTRs', divisor: 1, decimals: 0 },
];

/** A per-metric summary row: one metric of one scenario. */
export interface SummaryRow {
  /** The scenario result the summary belongs to. */
  result: ScenarioResult;
  /** The metric shown. */
  metric: MetricDisplay;
  /** Its summary from ScenarioResult.summary. */
  summary: Summary;
}

/** Format a raw value in a metric's display unit (thousands separated, fixed decimals). */
export function formatMetric(value: number, metric: Pick<MetricDisplay, 'divisor' | 'decimals'>): string {
  return (value / metric.divisor).toLocaleString('en-US', {
    minimumFractionDigits: metric.decimals,
    maximumFractionDigits: metric.decimals,
  });
}

/** The summary columns: scenario, metric (with display unit), then median, min, max, spread. */
export const SUMMARY_COLUMNS: readonly Column<SummaryRow>[] = [
  { header: 'scenario_id', description: 'scenario identifier', value: (r) => r.result.scenario.id },
  { header: 'metric', description: 'metric and the unit of the figures in this row', value: (r) => r.metric.label },
  { header: 'n', description: 'number of values summarised', value: (r) => r.summary.n },
  { header: 'median', description: 'median, in the unit of the metric column', value: (r) => formatMetric(r.summary.median, r.metric) },
  { header: 'min', description: 'minimum', value: (r) => formatMetric(r.summary.min, r.metric) },
  { header: 'max', description: 'maximum', value: (r) => formatMetric(r.summary.max, r.metric) },
  { header: 'spread', description: 'max - min', value: (r) => formatMetric(r.summary.spread, r.metric) },
  { header: 'rel_spread_pct', description: '(max - min) / median, percent', value: (r) => (r.summary.relSpread * 100).toFixed(1) },
];

/** Summary rows of a run: for each scenario, each key metric it has a summary for. */
export function summaryRows(run: RunResult): SummaryRow[] {
  return run.scenarios.flatMap((result) =>
    KEY_METRICS.flatMap((metric) => {
      const summary = result.summary[metric.field];
      return summary === undefined ? [] : [{ result, metric, summary }];
    }),
  );
}

/** Median of a metric of a scenario in its display unit, or an empty string when absent. */
function medianCell(result: ScenarioResult, field: keyof Sample, divisor: number, decimals: number): string {
  const s = result.summary[field];
  return s === undefined ? '' : formatMetric(s.median, { divisor, decimals });
}

/** The per-scenario overview columns (terminal summary and the report's first table). */
export const SCENARIO_COLUMNS: readonly Column<ScenarioResult>[] = [
  { header: 'scenario', description: 'scenario identifier', value: (r) => r.scenario.id },
  { header: 'n', description: 'samples collected', value: (r) => r.samples.length },
  { header: 'median user latency (µs)', description: 'median hint latency seen by the caller', value: (r) => medianCell(r, 'userLatencyNs', 1e3, 1) },
  { header: 'median kernel latency (µs)', description: 'median hint latency in the kernel', value: (r) => medianCell(r, 'kernelLatencyNs', 1e3, 1) },
  { header: 'reclaimed pages', description: 'median pages reclaimed inside the hint', value: (r) => medianCell(r, 'reclaimedPages', 1, 0) },
  { header: 'major faults', description: 'median major faults during the re-touch', value: (r) => medianCell(r, 'retouchMajorFaults', 1, 0) },
  { header: 're-touch (ms)', description: 'median re-touch time', value: (r) => medianCell(r, 'retouchNs', 1e6, 2) },
  { header: 'status', description: 'ok, partial, failed or interrupted', value: (r) => r.status },
];

/** A cell as display text: null and undefined become empty, booleans and numbers as text. */
export function cellText(value: CellValue): string {
  return value === null ? '' : String(value);
}

/** A table as display text: headers and rows of cell strings, in column order. */
export interface TextTable {
  /** Column headers. */
  headers: string[];
  /** One array of cell texts per row. */
  rows: string[][];
  /** Per column: true when every non-empty cell looks numeric (right-align it). */
  numeric: boolean[];
}

const NUMERIC_CELL = /^-?[\d,]+(\.\d+)?$/;

/** Apply a column list to rows, giving display text for any table format. */
export function tabulate<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): TextTable {
  const cells = rows.map((row) => columns.map((c) => cellText(c.value(row))));
  const numeric = columns.map((_, i) => {
    const filled = cells.map((r) => r[i]!).filter((t) => t !== '');
    return filled.length > 0 && filled.every((t) => NUMERIC_CELL.test(t));
  });
  return { headers: columns.map((c) => c.header), rows: cells, numeric };
}
