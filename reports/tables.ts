/**
 * The human-facing tables of report.html, report.md, the terminal summary and the text
 * summary, grouped by scenario. Every figure is computed from the measured samples
 * (sample-stats.ts), formatted with its unit (units.ts). Pure, no I/O.
 *
 * - Overview: one group per memory layout and target state, one row per mechanism and advice:
 *   median hint latency with its 95 % CI, median re-touch time, major faults, pages reclaimed.
 * - Metric table: one group per scenario, one row per metric that varies somewhere in the run
 *   (metrics constant in every sample are named once instead): n, median, 95 % CI of the
 *   median, robust CV.
 */
import type { SampleFieldName } from '../core/metrics.ts';
import type { RunResult, Scenario, ScenarioResult } from '../core/types.ts';
import { isHintScenario } from './families.ts';
import { memoryWords } from './findings.ts';
import { constantFields, measuredSamples, metricStats, type MetricStats, REPORT_CONFIDENCE, REPORTED_FIELDS, varyingFields } from './sample-stats.ts';
import { fieldLabel, formatField, formatFieldRange, formatPercent } from './units.ts';

/** A table whose rows come in titled groups. */
export interface GroupedTable {
  /** Column headers. */
  headers: string[];
  /** Per column: right-align (numbers). */
  numeric: boolean[];
  /** Row groups, each with a title and an optional note shown under its rows. */
  groups: { title: string; rows: string[][]; note?: string }[];
}

/** `self madvise PAGEOUT` for a pressure scenario whose workload hints itself (its mechanism is `none`); null otherwise. */
export function selfDeliveryLabel(s: Scenario): string | null {
  const delivery = s.pressure?.delivery;
  return delivery === undefined || delivery === 'external' ? null : `${delivery.replace('_', ' ')} ${s.advice.toUpperCase()}`;
}

/** `process_madvise PAGEOUT`, `self madvise PAGEOUT`, or `no hint (baseline)`. */
export function mechanismAdvice(s: Scenario): string {
  return selfDeliveryLabel(s) ?? (s.mechanism === 'none' ? 'no hint (baseline)' : `${s.mechanism} ${s.advice.toUpperCase()}`);
}

/** `256 MiB random, running target`. */
export function layoutAndState(s: Scenario): string {
  return `${memoryWords(s)}, ${s.targetState} target`;
}

/** Hint-family scenarios grouped by memory layout and target state, in run order (pressure scenarios have the strategy table, strategy.ts). */
export function scenarioGroups(run: RunResult): { title: string; results: ScenarioResult[] }[] {
  const groups = new Map<string, ScenarioResult[]>();
  for (const r of run.scenarios.filter((x) => isHintScenario(x.scenario))) {
    const key = layoutAndState(r.scenario);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups].map(([title, results]) => ({ title, results }));
}

/** Marks a CI whose coverage falls short of 95 % (too few samples); explained by ciFootnote. */
export const SHORT_CI_MARK = '*';

/** A CI as `a–b unit`, marked with SHORT_CI_MARK when its coverage falls short of 95 % (too few samples). */
export function ciText(stats: MetricStats | null): string {
  const ci = stats?.ci;
  if (ci === null || ci === undefined || stats === null) return '';
  return `${formatFieldRange(stats.field, ci.lower, ci.upper)}${ci.meetsConfidence ? '' : SHORT_CI_MARK}`;
}

/** What SHORT_CI_MARK means in a table, with the lowest coverage it stands for; null when no interval is short. */
export function ciFootnote(run: RunResult, fields: readonly SampleFieldName[]): string | null {
  const short = run.scenarios.flatMap((r) => fields.map((f) => metricStats(r, f)?.ci).filter((ci) => ci != null && !ci.meetsConfidence));
  if (short.length === 0) return null;
  const lowest = Math.min(...short.map((ci) => ci!.coverage));
  return `${SHORT_CI_MARK} too few samples for a ${REPORT_CONFIDENCE * 100} % interval of the median: [min, max] is shown, which covers the median with probability ${(lowest * 100).toFixed(1)} % or more.`;
}

/** Median of a field, formatted, or empty. */
function medianText(stats: MetricStats | null): string {
  return stats === null ? '' : formatField(stats.field, stats.describe.median);
}

/** Options of the overview table. */
export interface OverviewOptions {
  /** Leave out the fault, reclaim and status columns (the 80-column text summary). */
  compact?: boolean;
}

/** The overview table (see the module doc). */
export function overviewTable(run: RunResult, opts: OverviewOptions = {}): GroupedTable {
  const full = opts.compact !== true;
  const headers = ['mechanism, advice', 'n', 'hint', 'CI of hint', 're-touch', ...(full ? ['maj. faults', 'reclaimed', 'status'] : [])];
  const numeric = [false, true, true, true, true, ...(full ? [true, true, false] : [])];
  const groups = scenarioGroups(run).map(({ title, results }) => ({
    title,
    rows: results.map((r) => {
      const stat = (f: SampleFieldName): MetricStats | null => metricStats(r, f);
      const hint = stat('userLatencyNs');
      const cells = [mechanismAdvice(r.scenario), String(measuredSamples(r).length), medianText(hint), ciText(hint), medianText(stat('retouchNs'))];
      if (full) cells.push(medianText(stat('retouchMajorFaults')), medianText(stat('reclaimedPages')), r.status);
      return cells;
    }),
  }));
  return { headers, numeric, groups };
}

/**
 * The per-scenario metric table (see the module doc); `fields` defaults to every reported field
 * that varies in the run. A field whose samples all have the same value in a scenario gets no
 * row there; the group's note names it with its value.
 */
export function metricTable(run: RunResult, fields: readonly SampleFieldName[] = varyingFields(run)): GroupedTable {
  const headers = ['metric', 'n', 'median', `${REPORT_CONFIDENCE * 100} % CI of median`, 'robust CV'];
  const numeric = [false, true, true, true, true];
  const groups = run.scenarios
    .filter((r) => measuredSamples(r).length > 0)
    .map((r) => {
      const stats = fields.map((field) => metricStats(r, field)).filter((s): s is MetricStats => s !== null);
      const same = stats.filter((s) => s.describe.min === s.describe.max);
      const rows = stats
        .filter((s) => !same.includes(s))
        .map((s) => {
          const cv = s.describe.robustCv;
          return [fieldLabel(s.field), String(s.describe.n), medianText(s), ciText(s), cv === null ? '' : formatPercent(cv)];
        });
      const note = same.length === 0 ? undefined : `The same in every sample: ${same.map((s) => `${fieldLabel(s.field)} = ${formatField(s.field, s.describe.min)}`).join(', ')}.`;
      return { title: r.scenario.id, rows, ...(note === undefined ? {} : { note }) };
    });
  return { headers, numeric, groups };
}

/** Metrics with the same value in every measured sample, as `label = value` (shown once instead of in every group). */
export function constantMetricLines(run: RunResult, fields: readonly SampleFieldName[] = REPORTED_FIELDS): string[] {
  return constantFields(run, fields).map(({ field, value }) => `${fieldLabel(field)} = ${formatField(field, value)}`);
}

/** Column widths of a grouped table in plain text. */
function widthsOf(table: GroupedTable): number[] {
  return table.headers.map((h, i) => Math.max(h.length, ...table.groups.flatMap((g) => g.rows.map((r) => r[i]!.length))));
}

/**
 * A grouped table as aligned plain text: each group's title on its own line, then its rows
 * indented by two spaces; columns two spaces apart, no trailing spaces.
 */
export function groupedTableText(table: GroupedTable): string[] {
  const widths = widthsOf(table);
  const line = (cells: readonly string[]): string => `  ${cells.map((c, i) => (table.numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ')}`.trimEnd();
  const out = [line(table.headers), `  ${widths.map((w) => '-'.repeat(w)).join('  ')}`];
  for (const g of table.groups) out.push(g.title, ...g.rows.map(line));
  return out;
}

/** Wrap text to `width` columns at spaces; continuation lines start with `indent`. Words longer than a line are cut. */
export function wrapText(text: string, width: number, firstPrefix = '', indent = ''): string[] {
  const lines: string[] = [];
  let current = firstPrefix;
  let empty = true;
  const room = Math.max(1, width - Math.max(indent.length, firstPrefix.length));
  const words = text
    .split(/\s+/)
    .filter((w) => w !== '')
    .flatMap((w) => (w.length <= room ? [w] : (w.match(new RegExp(`.{1,${room}}`, 'g')) ?? [])));
  for (const word of words) {
    const candidate = empty ? `${current}${word}` : `${current} ${word}`;
    if (!empty && candidate.length > width) {
      lines.push(current);
      current = `${indent}${word}`;
    } else current = candidate;
    empty = false;
  }
  lines.push(current);
  return lines.map((l) => l.trimEnd());
}
