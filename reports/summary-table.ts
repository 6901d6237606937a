/** The plain-text table printed to the terminal at the end of a run. */
import type { RunResult } from '../core/types.ts';
import { SCENARIO_COLUMNS, tabulate } from './columns.ts';

/** Pad to `width`, right-aligned for numeric columns. */
function pad(text: string, width: number, right: boolean): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

/**
 * One line per scenario (SCENARIO_COLUMNS: scenario, n, median latencies, reclaimed pages,
 * major faults, re-touch time, status), columns aligned, then one line per failed or interrupted scenario
 * with its error. No colours, no trailing spaces.
 */
export function formatSummaryTable(run: RunResult): string {
  const table = tabulate(SCENARIO_COLUMNS, run.scenarios);
  const widths = table.headers.map((h, i) => Math.max(h.length, ...table.rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => pad(c, widths[i]!, table.numeric[i]!))
      .join('  ')
      .trimEnd();
  const lines = [line(table.headers), widths.map((w) => '-'.repeat(w)).join('  '), ...table.rows.map(line)];
  for (const s of run.scenarios) {
    if (s.status === 'failed' || s.status === 'interrupted') lines.push(`${s.status}: ${s.scenario.id}: ${s.error ?? 'no error recorded'}`);
  }
  return `${lines.join('\n')}\n`;
}
