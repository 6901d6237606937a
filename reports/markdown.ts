/**
 * report.md: run facts, key findings, failed scenarios, charts (as SVG links), the overview,
 * methodology, per-scenario metric tables, warnings, environment, suite definition. No line
 * is wider than MARKDOWN_WIDTH columns (prose is wrapped; tables are narrow by design).
 */
import type { RunResult } from '../core/types.ts';
import { chartNotes } from './charts.ts';
import { environmentFacts, runFacts, runWarnings, suiteDefinitionLines } from './environment.ts';
import { familyFindings, familySections } from './family-views.ts';
import { findingsFootnote, keyFindings } from './findings.ts';
import { CLAIM_HEADERS, claimCells, claimsTable } from './claims/table.ts';
import { methodology } from './methodology.ts';
import { REPORT_CONFIDENCE, varyingFields } from './sample-stats.ts';
import { ciFootnote, constantMetricLines, type GroupedTable, metricTable, overviewTable, wrapText } from './tables.ts';

/** Widest line of report.md. */
export const MARKDOWN_WIDTH = 100;

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

/** A grouped table as one GitHub-flavoured Markdown table per group, each under a bold title line, its note below. */
export function markdownTables(table: GroupedTable): string {
  const row = (cells: readonly string[]): string => `| ${cells.map(escapeMarkdown).join(' | ')} |`;
  const rule = `|${table.numeric.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`;
  return table.groups
    .map((g) =>
      [
        wrapped(`**${escapeMarkdown(g.title)}**`),
        ...(g.rows.length === 0 ? [] : ['', row(table.headers), rule, ...g.rows.map(row)]),
        ...(g.note === undefined ? [] : ['', wrapped(escapeMarkdown(g.note))]),
      ].join('\n'),
    )
    .join('\n\n');
}

/** Prose wrapped to MARKDOWN_WIDTH. */
function wrapped(text: string, prefix = '', indent = ''): string {
  return wrapText(text, MARKDOWN_WIDTH, prefix, indent).join('\n');
}

/** The claims table section (docs/claims.md), or nothing when the run has no claim rows. */
function claimsMarkdown(run: RunResult): string[] {
  const t = claimsTable(run);
  if (t === null) return [];
  const row = (cells: readonly string[]): string => `| ${cells.map(escapeMarkdown).join(' | ')} |`;
  return [
    '## Claims',
    wrapped(escapeMarkdown(t.holdsFor)),
    [row(CLAIM_HEADERS), `|${CLAIM_HEADERS.map(() => ' --- ').join('|')}|`, ...t.rows.map((r) => row(claimCells(r)))].join('\n'),
  ];
}

/** A bullet list, or an italic line saying there is nothing. */
function bullets(items: readonly string[], empty: string): string {
  return items.length === 0 ? `_${empty}_` : items.map((i) => wrapped(escapeMarkdown(i), '- ', '  ')).join('\n');
}

/** Facts as a bullet list of `**label**: value`. */
function facts(list: readonly [string, string][]): string {
  return list.map(([k, v]) => wrapped(`**${escapeMarkdown(k)}**: ${escapeMarkdown(v)}`, '- ', '  ')).join('\n');
}

/** The methodology as `###` sections. */
function methodologyMarkdown(run: RunResult): string {
  return methodology(run)
    .map((m) =>
      [`### ${escapeMarkdown(m.title)}`, ...m.paragraphs.map((p) => wrapped(escapeMarkdown(p))), ...(m.bullets.length === 0 ? [] : [bullets(m.bullets, '')])].join('\n\n'),
    )
    .join('\n\n');
}

/** The whole Markdown report. */
export function renderMarkdown(run: RunResult, charts: readonly MarkdownChart[]): string {
  const failed = run.scenarios
    .filter((s) => s.status === 'failed' || s.status === 'interrupted')
    .map((s) => `${s.scenario.id}${s.status === 'interrupted' ? ' (interrupted)' : ''}: ${s.error ?? 'no error recorded'}`);
  const chartLines = charts.map((c) => wrapped(`![${escapeMarkdown(c.title)}](${encodeURI(`${c.name}.svg`)})`));
  const f = keyFindings(run);
  const footnote = findingsFootnote(f);
  const fields = varyingFields(run);
  const constants = constantMetricLines(run);
  const def = suiteDefinitionLines(run.environment);
  const optional = (text: string | null): string[] => (text === null ? [] : [wrapped(escapeMarkdown(text))]);
  const overview = overviewTable(run);
  return [
    wrapped(`# hintbench report: ${escapeMarkdown(run.suite)}, ${escapeMarkdown(run.startedAt)}`),
    facts(runFacts(run)),
    '## Key findings',
    bullets(
      [...f.findings.map((x) => x.sentence), ...familyFindings(run)],
      'No pair of scenarios differing in one dimension showed a clear difference (or there were too few samples).',
    ),
    ...optional(footnote),
    ...claimsMarkdown(run),
    '## Failed scenarios',
    bullets(failed, 'No scenario failed.'),
    '## Charts',
    chartLines.length === 0 ? '_No scenario produced samples._' : chartLines.join('\n\n'),
    ...chartNotes(run).map((n) => wrapped(`_${escapeMarkdown(n)}_`)),
    ...(overview.groups.length === 0
      ? []
      : [
          '## Overview',
          wrapped(`Medians over the measured samples; the interval is the ${REPORT_CONFIDENCE * 100} % CI of the median hint latency.`),
          markdownTables(overview),
          ...optional(ciFootnote(run, ['userLatencyNs'])),
        ]),
    ...familySections(run, 'narrow').flatMap((x) => [`## ${escapeMarkdown(x.title)}`, wrapped(escapeMarkdown(x.note)), markdownTables(x.table)]),
    '## Methodology',
    methodologyMarkdown(run),
    '## Every metric, per scenario',
    wrapped(
      `Only metrics that vary in this run; robust CV = 1.4826 × MAD / median.${constants.length === 0 ? '' : ` The same in every sample: ${escapeMarkdown(constants.join('; '))}.`}`,
    ),
    markdownTables(metricTable(run, fields)),
    ...optional(ciFootnote(run, fields)),
    '## Warnings',
    bullets(runWarnings(run), 'No warnings.'),
    '## Environment',
    facts(environmentFacts(run.environment)),
    '## Suite definition',
    def === null ? '_Not recorded in these results._' : [wrapped(escapeMarkdown(def.description)), bullets(def.scenarios, 'No scenario.')].join('\n\n'),
    '## Host changes',
    bullets(run.hostChanges, 'Host preparation changed nothing.'),
    '',
  ].join('\n\n');
}
