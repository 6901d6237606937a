/**
 * The declared column lists every tabular output uses: samples.csv, the Markdown and HTML
 * tables and the terminal summary. Formats read their headers and cells from here only, so
 * they cannot drift apart. Headers are snake_case and end in their unit.
 */
import { DISPLAYED_METRICS, SAMPLE_FIELDS as SAMPLE_METRICS, SAMPLE_FIELD_NAMES, type SampleFieldName } from '../core/metrics.ts';
import { ADVICES, CONTENTS, MECHANISMS, MEMORY_KINDS, SCENARIO_STATUSES, TARGET_STATES } from '../core/schema/enums.ts';
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

/** Every Sample field, in registry order (core/metrics.ts): one samples.csv column each. */
export const SAMPLE_FIELDS: readonly SampleFieldName[] = SAMPLE_FIELD_NAMES;

/** Cell value of a Sample field: arrays joined, everything else as is. */
function sampleCell(sample: Sample, field: keyof Sample): CellValue {
  const v = sample[field];
  return Array.isArray(v) ? v.join('; ') : v;
}

/** Columns that describe the scenario a sample belongs to. */
const SCENARIO_CONTEXT_COLUMNS: readonly Column<SampleRow>[] = [
  { header: 'scenario_id', description: 'scenario identifier', value: (r) => r.scenario.id },
  { header: 'mechanism', description: `delivery mechanism (${MECHANISMS.join(', ')})`, value: (r) => r.scenario.mechanism },
  { header: 'advice', description: `advice (${[...ADVICES, 'none'].join(', ')})`, value: (r) => r.scenario.advice },
  { header: 'memory_kind', description: `mapping kind (${MEMORY_KINDS.join(', ')})`, value: (r) => r.scenario.memory.kind },
  { header: 'memory_content', description: `page content (${CONTENTS.join(', ')})`, value: (r) => r.scenario.memory.content },
  { header: 'memory_size_mib', description: 'total mapped size, MiB', value: (r) => r.scenario.memory.sizeMiB },
  { header: 'memory_vmas', description: 'number of VMAs the size is split into', value: (r) => r.scenario.memory.vmas },
  { header: 'target_state', description: `state of the target during the hint (${TARGET_STATES.join(', ')})`, value: (r) => r.scenario.targetState },
];

/** The per-sample columns of samples.csv: scenario context, then every Sample field. */
export const SAMPLE_COLUMNS: readonly Column<SampleRow>[] = [
  ...SCENARIO_CONTEXT_COLUMNS,
  ...SAMPLE_FIELDS.map(
    (field): Column<SampleRow> => ({
      header: snakeCase(field),
      description: SAMPLE_METRICS[field].doc,
      value: (r) => sampleCell(r.sample, field),
    }),
  ),
];

/** The Sample field a samples.csv header comes from, or null for scenario context columns. */
export function sampleFieldOfHeader(header: string): keyof Sample | null {
  return SAMPLE_FIELDS.find((f) => snakeCase(f) === header) ?? null;
}

/** Every sample of a run as rows, scenario by scenario, in repetition order. */
export function sampleRows(run: RunResult): SampleRow[] {
  return run.scenarios.flatMap((s) => s.samples.map((sample) => ({ scenario: s.scenario, sample })));
}

/** A metric as human-facing tables show it: its field, label with display unit, and scale (from core/metrics.ts). */
export type MetricDisplay = (typeof DISPLAYED_METRICS)[number];

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

/** A percentage with one decimal, or null (an empty cell) when there is no figure. */
function pct(fraction: number | null | undefined): string | null {
  return fraction === null || fraction === undefined ? null : (fraction * 100).toFixed(1);
}

/**
 * The summary columns: scenario, metric (with display unit), n, median with its confidence
 * interval and the interval's actual coverage, min, max and the robust CV. The robust CV is
 * empty when it has no meaning (a median of 0, fewer than 2 values), never a misleading 0 %.
 */
export const SUMMARY_COLUMNS: readonly Column<SummaryRow>[] = [
  { header: 'scenario_id', description: 'scenario identifier', value: (r) => r.result.scenario.id },
  { header: 'metric', description: 'metric and the unit of the figures in this row', value: (r) => r.metric.label },
  { header: 'n', description: 'number of values summarised (warm-up excluded)', value: (r) => r.summary.n },
  { header: 'median', description: 'median, in the unit of the metric column', value: (r) => formatMetric(r.summary.median, r.metric) },
  { header: 'ci_low', description: 'lower bound of the median confidence interval', value: (r) => (r.summary.ci === null ? null : formatMetric(r.summary.ci.lower, r.metric)) },
  { header: 'ci_high', description: 'upper bound of the median confidence interval', value: (r) => (r.summary.ci === null ? null : formatMetric(r.summary.ci.upper, r.metric)) },
  {
    header: 'ci_coverage_pct',
    description: 'actual coverage of that interval, percent (below the confidence asked for when n is small)',
    value: (r) => pct(r.summary.ci?.coverage),
  },
  { header: 'min', description: 'minimum', value: (r) => formatMetric(r.summary.min, r.metric) },
  { header: 'max', description: 'maximum', value: (r) => formatMetric(r.summary.max, r.metric) },
  { header: 'robust_cv_pct', description: 'robust CV, 1.4826 MAD / median, percent; empty when the median is 0 or n < 2', value: (r) => pct(r.summary.robustCv) },
];

/** Summary rows of a run: for each scenario, each key metric it has a summary for. */
export function summaryRows(run: RunResult): SummaryRow[] {
  return run.scenarios.flatMap((result) =>
    DISPLAYED_METRICS.flatMap((metric) => {
      const summary = result.summary[metric.field];
      return summary === undefined ? [] : [{ result, metric, summary }];
    }),
  );
}

/** The metrics the per-scenario overview shows the median of. */
const OVERVIEW_METRICS: readonly SampleFieldName[] = ['userLatencyNs', 'kernelLatencyNs', 'reclaimedPages', 'retouchMajorFaults', 'retouchNs'];

/** A median column of the overview: header and scale from the metric's display. */
function medianColumn(field: SampleFieldName): Column<ScenarioResult> {
  const metric = DISPLAYED_METRICS.find((m) => m.field === field);
  if (metric === undefined) throw new Error(`metric ${field} has no display in core/metrics.ts`);
  return {
    header: `median ${metric.label}`,
    description: `median of ${field} over the samples`,
    value: (r) => {
      const s = r.summary[field];
      return s === undefined ? '' : formatMetric(s.median, metric);
    },
  };
}

/** The per-scenario overview columns (terminal summary and the report's first table). */
export const SCENARIO_COLUMNS: readonly Column<ScenarioResult>[] = [
  { header: 'scenario', description: 'scenario identifier', value: (r) => r.scenario.id },
  { header: 'n', description: 'measured samples (warm-up excluded)', value: (r) => r.samples.filter((s) => !s.warmUp).length },
  ...OVERVIEW_METRICS.map(medianColumn),
  { header: 'status', description: SCENARIO_STATUSES.join(', '), value: (r) => r.status },
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
