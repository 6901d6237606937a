/** report.md: run facts, failed scenarios, charts (as SVG links), tables, warnings, environment. */
import type { RunResult } from '../core/types.ts';
import { SCENARIO_COLUMNS, SUMMARY_COLUMNS, summaryRows, tabulate, type TextTable } from './columns.ts';
import { environmentFacts, runFacts, runWarnings } from './environment.ts';

/** A chart as the Markdown report links it. */
export interface MarkdownChart {
  /** File stem of the SVG beside the report. */
  name: string;
  /** Human title (alt text). */
  title: string;
}

/** Escape text for a Markdown table cell or list item: no pipes, newlines or raw HTML. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[*_`[\]]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, ' ');
}

/** A GitHub-flavoured Markdown table; numeric columns right-aligned. */
export function markdownTable(table: TextTable): string {
  const row = (cells: readonly string[]): string => `| ${cells.map(escapeMarkdown).join(' | ')} |`;
  const rule = `|${table.numeric.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`;
  return [row(table.headers), rule, ...table.rows.map(row)].join('\n');
}

/** A bullet list, or an italic line saying there is nothing. */
function bullets(items: readonly string[], empty: string): string {
  return items.length === 0 ? `_${empty}_` : items.map((i) => `- ${escapeMarkdown(i)}`).join('\n');
}

/** Facts as a bullet list of `**label**: value`. */
function facts(list: readonly [string, string][]): string {
  return list.map(([k, v]) => `- **${escapeMarkdown(k)}**: ${escapeMarkdown(v)}`).join('\n');
}

/** The whole Markdown report. */
export function renderMarkdown(run: RunResult, charts: readonly MarkdownChart[]): string {
  const failed = run.scenarios
    .filter((s) => s.status === 'failed' || s.status === 'interrupted')
    .map((s) => `${s.scenario.id}${s.status === 'interrupted' ? ' (interrupted)' : ''}: ${s.error ?? 'no error recorded'}`);
  const chartLines = charts.map((c) => `![${escapeMarkdown(c.title)}](${encodeURI(`${c.name}.svg`)})`);
  return [
    `# hintbench report: ${escapeMarkdown(run.suite)}, ${escapeMarkdown(run.startedAt)}`,
    facts(runFacts(run)),
    '## Failed scenarios',
    bullets(failed, 'No scenario failed.'),
    '## Scenarios',
    markdownTable(tabulate(SCENARIO_COLUMNS, run.scenarios)),
    '## Summary per metric',
    markdownTable(tabulate(SUMMARY_COLUMNS, summaryRows(run))),
    '## Charts',
    chartLines.length === 0 ? '_No scenario produced samples._' : chartLines.join('\n\n'),
    '## Warnings',
    bullets(runWarnings(run), 'No warnings.'),
    '## Environment',
    facts(environmentFacts(run.environment)),
    '## Host changes',
    bullets(run.hostChanges, 'Host preparation changed nothing.'),
    '',
  ].join('\n\n');
}
