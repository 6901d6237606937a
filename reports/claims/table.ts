/**
 * The claims table as the reports show it: one row per claim the run holds scenarios for,
 * and the line saying which kernel and host the verdicts hold for (results.environment). The
 * report formats (report.md, report.html, the text summary) render these cells; none is
 * written by hand.
 */
import type { RunResult } from '../../core/types.ts';
import { claimRows } from './index.ts';
import type { ClaimRow } from './types.ts';

/** Column headers of the claims table. */
export const CLAIM_HEADERS = ['claim', 'how it was measured', 'result', 'verdict', 'why'] as const;

/** The claims table of a run. */
export interface ClaimsTable {
  /** `Verdicts for Linux 6.18.0 x86_64 on host (2 CPUs, model), run of ...`. */
  holdsFor: string;
  rows: ClaimRow[];
}

/** The cells of a row, in CLAIM_HEADERS order. */
export function claimCells(row: ClaimRow): string[] {
  return [row.claim, row.method, row.result, row.verdict, row.why];
}

/** The claims table, or null when the run holds no claim's scenarios. */
export function claimsTable(run: RunResult): ClaimsTable | null {
  const rows = claimRows(run);
  if (rows.length === 0) return null;
  const e = run.environment;
  return {
    holdsFor: `Verdicts hold for Linux ${e.kernelRelease} ${e.arch} on ${e.hostname} (${e.cpuCount} CPUs, ${e.cpuModel}), run started ${run.startedAt}; computed from this run's samples.`,
    rows,
  };
}
