/**
 * The plain-text summaries: the one printed to the terminal at the end of a run (at most
 * TERMINAL_WIDTH columns) and `hintbench report DIR --format text` (at most TEXT_WIDTH
 * columns, for a patch cover letter). No colours, no trailing spaces.
 */
import type { RunResult } from '../core/types.ts';
import { familyFindings, familySections } from './family-views.ts';
import { findingsFootnote, keyFindings } from './findings.ts';
import { claimsTable } from './claims/table.ts';
import { ciFootnote, groupedTableText, overviewTable, wrapText } from './tables.ts';
import { REPORT_CONFIDENCE, warmUpCount } from './sample-stats.ts';
import { runWarnings } from './environment.ts';

/** Widest line of the terminal summary. */
export const TERMINAL_WIDTH = 100;
/** Widest line of the text summary. */
export const TEXT_WIDTH = 80;

/** Key findings as wrapped bullet lines, with the footnote. */
function findingLines(run: RunResult, width: number): string[] {
  const f = keyFindings(run);
  const lines = ['Key findings:'];
  const family = familyFindings(run);
  if (f.findings.length === 0 && family.length === 0)
    lines.push(...wrapText('No pair of scenarios differing in one dimension showed a clear difference (or too few samples).', width, '  ', '  '));
  for (const sentence of [...f.findings.map((x) => x.sentence), ...family]) lines.push(...wrapText(sentence, width, '- ', '  '));
  const note = findingsFootnote(f);
  if (note !== null) lines.push(...wrapText(note, width, '  ', '  '));
  return lines;
}

/** Failed and interrupted scenarios with their errors, wrapped. */
function failureLines(run: RunResult, width: number): string[] {
  return run.scenarios
    .filter((s) => s.status === 'failed' || s.status === 'interrupted')
    .flatMap((s) => wrapText(`${s.status}: ${s.scenario.id}: ${s.error ?? 'no error recorded'}`, width, '', '  '));
}

/** The overview table as text lines, with the note on short intervals, then the family tables (medians); nothing for a table without rows. */
function overviewLines(run: RunResult, width: number, compact: boolean): string[] {
  const overview = overviewTable(run, { compact });
  const note = ciFootnote(run, ['userLatencyNs']);
  const lines = overview.groups.length === 0 ? [] : [...groupedTableText(overview), ...(note === null ? [] : wrapText(note, width, '', '  '))];
  for (const x of familySections(run, 'text')) lines.push(...(lines.length === 0 ? [] : ['']), `${x.title}:`, ...groupedTableText(x.table));
  return lines;
}

/**
 * The terminal summary: key findings, then the overview table grouped by memory layout and
 * target state (medians and the 95 % CI of the hint latency from the measured samples), then
 * one line per failed or interrupted scenario with its error.
 */
export function formatSummaryTable(run: RunResult): string {
  const lines = [...findingLines(run, TERMINAL_WIDTH), '', ...overviewLines(run, TERMINAL_WIDTH, false), ...failureLines(run, TERMINAL_WIDTH)];
  return `${lines.join('\n')}\n`;
}

/** The claims table as wrapped text (a block per claim, then a blank line), or nothing when the run has no claim rows. */
function claimLines(run: RunResult, width: number): string[] {
  const t = claimsTable(run);
  if (t === null) return [];
  const lines = ['Claims:', ...wrapText(t.holdsFor, width, '  ', '  ')];
  for (const r of t.rows) {
    lines.push(...wrapText(`${r.verdict.toUpperCase()}: ${r.claim}`, width, '- ', '  '));
    lines.push(...wrapText(`measured: ${r.method}`, width, '  ', '  '));
    lines.push(...wrapText(`result: ${r.result}`, width, '  ', '  '));
    lines.push(...wrapText(`rule: ${r.why}`, width, '  ', '  '));
  }
  lines.push('');
  return lines;
}

/** The 80-column text summary for a patch cover letter (`hintbench report DIR --format text`). */
export function formatTextSummary(run: RunResult): string {
  const env = run.environment;
  const samples = run.scenarios.reduce((n, r) => n + r.samples.length, 0);
  const warm = warmUpCount(run);
  const head = [
    `hintbench ${env.hintbenchVersion}, suite ${run.suite}, ${run.startedAt}`,
    `Linux ${env.kernelRelease} ${env.arch}, ${env.cpuModel} x ${env.cpuCount}, swap: ${env.swapDevices.map((d) => d.name).join(', ') || 'none'}`,
  ].flatMap((l) => wrapText(l, TEXT_WIDTH, '', '  '));
  // The hint and re-touch columns are the overview table's: named only when it has rows (a
  // pressure-, race- or fleet-only run has family tables instead).
  const glossary =
    overviewTable(run, { compact: true }).groups.length === 0
      ? ''
      : ' hint = caller wall time of the hint system calls; re-touch = time the target took to touch every page again.';
  const method = wrapText(
    `${samples} samples${warm > 0 ? ` (${warm} warm-up samples left out)` : ''}, one fresh workload each. Figures are medians; ` +
      `intervals are distribution-free ${REPORT_CONFIDENCE * 100} % CIs (order statistics for a median, Hodges-Lehmann on logs for a ratio).${glossary}`,
    TEXT_WIDTH,
  );
  const warnings = runWarnings(run).length;
  const tail = warnings > 0 ? [`${warnings} warning${warnings === 1 ? '' : 's'}: see report.md.`] : [];
  const lines = [
    ...head,
    '',
    ...findingLines(run, TEXT_WIDTH),
    '',
    ...claimLines(run, TEXT_WIDTH),
    ...overviewLines(run, TEXT_WIDTH, true),
    '',
    ...method,
    ...failureLines(run, TEXT_WIDTH),
    ...tail,
  ];
  return `${lines.join('\n')}\n`;
}
