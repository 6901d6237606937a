/**
 * The declared columns of samples.csv. Headers are snake_case and end in their unit. (The
 * human-facing tables are built in tables.ts from the raw samples.)
 */
import { SAMPLE_FIELDS as SAMPLE_METRICS, SAMPLE_FIELD_NAMES, type SampleFieldName } from '../core/metrics.ts';
import { ADVICES, CONTENTS, MECHANISMS, MEMORY_KINDS, TARGET_STATES } from '../core/schema/enums.ts';
import type { RunResult, Sample, Scenario } from '../core/types.ts';

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
