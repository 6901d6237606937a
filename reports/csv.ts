/** samples.csv: one row per sample, columns from the declared list in columns.ts. */
import { stringify } from 'csv-stringify/sync';
import type { RunResult } from '../core/types.ts';
import { SAMPLE_COLUMNS, sampleRows } from './columns.ts';

/** samples.csv text for a run: a header row (SAMPLE_COLUMNS headers), then one row per sample. */
export function samplesCsv(run: RunResult): string {
  const rows = sampleRows(run).map((row) => SAMPLE_COLUMNS.map((c) => c.value(row)));
  return stringify(rows, {
    header: true,
    columns: SAMPLE_COLUMNS.map((c) => c.header),
    cast: { boolean: (v) => (v ? 'true' : 'false') },
  });
}
