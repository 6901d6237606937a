/**
 * The strategy view of pressure runs (docs/lab.md): per pressure configuration, one row per
 * strategy with the memory its hint freed against what it cost the workload under pressure
 * (hot-set refaults, target stall, hot access p99), medians with their confidence intervals
 * from the measured samples; and the findings that say which strategy protected the hot set
 * best and at what cost. Scenarios without a `pressure` spec are not part of it. Pure, no I/O.
 */
import { SAMPLE_FIELDS, type SampleFieldName } from '../core/metrics.ts';
import { hodgesLehmann } from '../core/stats/hodges-lehmann.ts';
import type { PressureSpec } from '../core/schema/pressure.ts';
import type { RunResult, Scenario, ScenarioResult } from '../core/types.ts';
import { pressureResults } from './families.ts';
import { fieldValues, measuredSamples, metricStats, type MetricStats, REPORT_CONFIDENCE } from './sample-stats.ts';
import { ciText, type GroupedTable } from './tables.ts';
import { formatCount, formatField, formatPercent } from './units.ts';

/** Strategy words: `COLD of the cold set`, ... */
const STRATEGY_WORDS: Readonly<Record<PressureSpec['strategy'], string>> = {
  none: 'no hint',
  cold_cold_set: 'COLD of the cold set',
  pageout_cold_set: 'PAGEOUT of the cold set',
  pageout_all: 'PAGEOUT of everything',
  memory_reclaim: 'memory.reclaim of the cold set size',
};

/** A strategy as a reader sees it: what was done, and by whom (`PAGEOUT of the cold set via ptrace`, `COLD of the cold set, self madvise`). */
export function strategyLabel(s: Scenario): string {
  const p = s.pressure;
  if (p === undefined) return s.id;
  const what = STRATEGY_WORDS[p.strategy];
  if (p.strategy === 'none' || p.strategy === 'memory_reclaim') return what;
  if (p.delivery === 'self_madvise') return `${what}, self madvise`;
  if (p.delivery === 'self_process_madvise') return `${what}, self process_madvise`;
  return `${what} via ${s.mechanism}`;
}

/** Short strategy words for narrow tables. */
const STRATEGY_SHORT: Readonly<Record<PressureSpec['strategy'], string>> = {
  none: 'no hint',
  cold_cold_set: 'COLD cold set',
  pageout_cold_set: 'PAGEOUT cold set',
  pageout_all: 'PAGEOUT all',
  memory_reclaim: 'memory.reclaim',
};

/** A strategy in few words, for narrow tables: `PAGEOUT cold set, ptrace`. */
export function strategyShortLabel(s: Scenario): string {
  const p = s.pressure;
  if (p === undefined) return s.id;
  const what = STRATEGY_SHORT[p.strategy];
  if (p.strategy === 'none' || p.strategy === 'memory_reclaim') return what;
  if (p.delivery === 'self_madvise') return `${what}, self`;
  if (p.delivery === 'self_process_madvise') return `${what}, self p_m`;
  return `${what}, ${s.mechanism}`;
}

/** The pressure configuration a scenario runs under: `64 MiB hot anon + 192 MiB cold anon, limit 176 MiB`. */
export function pressureConfig(p: PressureSpec): string {
  const part = (x: PressureSpec['hot'], role: string): string => `${x.sizeMiB} MiB ${role} ${x.kind}${x.content === 'random' ? '' : ` ${x.content}`}`;
  const pressure = p.mode === 'balloon' ? `balloon ${p.balloonMiB ?? '?'} MiB under a ${p.limitMiB} MiB limit` : `limit ${p.limitMiB} MiB`;
  return `${part(p.hot, 'hot')} + ${part(p.cold, 'cold')}, ${pressure}`;
}

/** Pressure scenarios grouped by configuration, in run order. */
export function pressureGroups(run: RunResult): { title: string; results: ScenarioResult[] }[] {
  const groups = new Map<string, ScenarioResult[]>();
  for (const r of pressureResults(run)) {
    const key = pressureConfig(r.scenario.pressure!);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups].map(([title, results]) => ({ title, results }));
}

/** The columns of the strategy table: freed memory first, then its costs, then what else tells the story. */
export const STRATEGY_FIELDS: readonly SampleFieldName[] = [
  'hintFreedBytes',
  'hotRefaultPages',
  'stallNs',
  'accessP99Ns',
  'accessP99NoPressureNs',
  'coldEvictedPages',
  'reclaimEvents',
  'psiSomeNs',
  'oomKills',
];

/** The fields of `fields` that some measured sample of `results` has a value for (a column of nothing but nulls is left out). */
export function fieldsWithValues(results: readonly ScenarioResult[], fields: readonly SampleFieldName[]): SampleFieldName[] {
  return fields.filter((f) => results.some((r) => fieldValues(measuredSamples(r), f).length > 0));
}

/** Header of a field's column: its display label, else its name. */
function header(field: SampleFieldName): string {
  return SAMPLE_FIELDS[field].display?.label.replace(/\s*\([^()]*\)\s*$/, '') ?? field;
}

/** `median (lower–upper)` of a field (the CI in parentheses, which Markdown need not escape), or empty when the scenario has no value. */
function cell(stats: MetricStats | null): string {
  if (stats === null) return '';
  const median = formatField(stats.field, stats.describe.median);
  const ci = stats.ci;
  // An interval whose ends read the same as the median adds nothing.
  if (ci === null || (formatField(stats.field, ci.lower) === median && formatField(stats.field, ci.upper) === median)) return median;
  return `${median} (${ciText(stats)})`;
}

/** The columns of the narrow strategy table (Markdown, text): freed memory and its two main costs. */
export const KEY_STRATEGY_FIELDS: readonly SampleFieldName[] = ['hintFreedBytes', 'hotRefaultPages', 'accessP99Ns'];

/** Short headers of the narrow table. */
const SHORT_HEADERS: Partial<Record<SampleFieldName, string>> = { hintFreedBytes: 'freed', hotRefaultPages: 'hot refaults', accessP99Ns: 'access p99' };

/** Options of strategyTable(). */
export interface StrategyTableOptions {
  /** Only the key columns, with short labels and headers (Markdown and text); default false. */
  narrow?: boolean;
  /** Medians with their CIs; default true. */
  ci?: boolean;
}

/**
 * The strategy table: one group per pressure configuration, one row per strategy; only
 * columns some sample has a value for (a hint-only run gets no groups at all).
 */
export function strategyTable(run: RunResult, opts: StrategyTableOptions = {}): GroupedTable {
  const narrow = opts.narrow === true;
  const withCi = opts.ci !== false;
  const groups = pressureGroups(run);
  const fields = fieldsWithValues(
    groups.flatMap((g) => g.results),
    narrow ? KEY_STRATEGY_FIELDS : STRATEGY_FIELDS,
  );
  const value = (r: ScenarioResult, f: SampleFieldName): string => {
    const stats = metricStats(r, f);
    return withCi ? cell(stats) : stats === null ? '' : formatField(f, stats.describe.median);
  };
  return {
    headers: ['strategy', 'n', ...fields.map((f) => (narrow ? (SHORT_HEADERS[f] ?? header(f)) : header(f)))],
    numeric: [false, true, ...fields.map(() => true)],
    groups: groups.map(({ title, results }) => ({
      title,
      rows: results.map((r) => [narrow ? strategyShortLabel(r.scenario) : strategyLabel(r.scenario), String(measuredSamples(r).length), ...fields.map((f) => value(r, f))]),
    })),
  };
}

/** Median of a field and its CI text, as `16.4 µs (14.8–27.2 µs)`; `n/a` without values. */
function medianWords(r: ScenarioResult, field: SampleFieldName): string {
  const s = metricStats(r, field);
  return s === null ? 'n/a' : cell(s);
}

/** The strategy with the fewest hot-set refaults (median), ties broken by the lower hot access p99 under pressure; null without refault figures. */
export function bestProtector(results: readonly ScenarioResult[]): ScenarioResult | null {
  const ranked = results
    .map((r) => ({ r, refaults: metricStats(r, 'hotRefaultPages')?.describe.median ?? null, p99: metricStats(r, 'accessP99Ns')?.describe.median ?? Number.POSITIVE_INFINITY }))
    .filter((x): x is { r: ScenarioResult; refaults: number; p99: number } => x.refaults !== null)
    .sort((a, b) => a.refaults - b.refaults || a.p99 - b.p99);
  return ranked[0]?.r ?? null;
}

/**
 * How `best` compares with `other` on hot-set refaults: the Hodges–Lehmann shift of
 * other − best with its interval, stated as a difference only when the interval excludes 0.
 */
function refaultShiftWords(best: ScenarioResult, other: ScenarioResult): string | null {
  const a = fieldValues(measuredSamples(other), 'hotRefaultPages');
  const b = fieldValues(measuredSamples(best), 'hotRefaultPages');
  if (a.length < 2 || b.length < 2) return null;
  const shift = hodgesLehmann(a, b, REPORT_CONFIDENCE);
  const conf = shift.meetsConfidence ? `${REPORT_CONFIDENCE * 100} %` : formatPercent(shift.achievedConfidence);
  const interval = `${conf} CI of the difference ${formatCount(Math.round(shift.lower))} to ${formatCount(Math.round(shift.upper))}`;
  const name = strategyLabel(other.scenario);
  if (shift.lower > 0) return `${formatCount(Math.round(shift.estimate))} fewer than ${name} (${interval})`;
  return `no clear difference from ${name} (${interval})`;
}

/**
 * The findings of the strategy view, one sentence each per pressure configuration: which
 * strategy protected the hot set best and at what cost (memory freed, access p99 under
 * pressure against without, stall), how it compares with the no-hint baseline and the
 * runner-up (Hodges–Lehmann shift of the refaults); which freed the most memory and what
 * that cost; and every OOM kill (never silent).
 */
export function strategyFindings(run: RunResult): string[] {
  const out: string[] = [];
  for (const { title, results } of pressureGroups(run)) {
    const best = bestProtector(results);
    if (best !== null) {
      const others = results.filter((r) => r !== best);
      const baseline = others.find((r) => r.scenario.pressure!.strategy === 'none');
      // The runner-up is the best of the other strategies (the same strategy by another mechanism is no alternative).
      const strategy = best.scenario.pressure!.strategy;
      const runnerUp = bestProtector(others.filter((r) => r !== baseline && r.scenario.pressure!.strategy !== strategy));
      const versus = [baseline, runnerUp]
        .filter((r): r is ScenarioResult => r !== undefined && r !== null)
        .map((r) => refaultShiftWords(best, r))
        .filter((w): w is string => w !== null);
      const stall = metricStats(best, 'stallNs') === null ? '' : `, target stall ${medianWords(best, 'stallNs')}`;
      out.push(
        `${title}: ${strategyLabel(best.scenario)} protected the hot set best, ${medianWords(best, 'hotRefaultPages')} hot-set refaults` +
          `${versus.length === 0 ? '' : `, ${versus.join('; ')}`}. Its cost: freed ${medianWords(best, 'hintFreedBytes')} before the pressure, ` +
          `hot access p99 ${medianWords(best, 'accessP99Ns')} under pressure against ${medianWords(best, 'accessP99NoPressureNs')} without${stall}.`,
      );
    }
    const freed = results
      .map((r) => ({ r, bytes: metricStats(r, 'hintFreedBytes')?.describe.median ?? null }))
      .filter((x): x is { r: ScenarioResult; bytes: number } => x.bytes !== null && x.bytes > 0)
      .sort((a, b) => b.bytes - a.bytes)[0];
    if (freed !== undefined && freed.r !== best) {
      out.push(
        `${title}: ${strategyLabel(freed.r.scenario)} freed the most memory, ${medianWords(freed.r, 'hintFreedBytes')}, ` +
          `at ${medianWords(freed.r, 'hotRefaultPages')} hot-set refaults and hot access p99 ${medianWords(freed.r, 'accessP99Ns')} under pressure.`,
      );
    }
    for (const r of results) {
      const kills = fieldValues(measuredSamples(r), 'oomKills').reduce((s, v) => s + v, 0);
      if (kills > 0)
        out.push(
          `${title}: ${strategyLabel(r.scenario)} ended in ${kills} OOM kill${kills === 1 ? '' : 's'} over ${measuredSamples(r).length} samples (reasons in the samples' errors).`,
        );
    }
  }
  return out;
}
