/**
 * A comparison of one base run with one or more new runs (`hintbench compare`), as plain
 * data: scenarios matched by id, and for every key metric of the registry (core/metrics.ts,
 * `compared`, with its direction) the medians, their ratio, the Hodges–Lehmann relative
 * shift with its interval, the Mann–Whitney p-value, the Holm-adjusted p-value over every
 * test of the comparison (all new runs, scenarios and metrics together), the practical
 * threshold and the verdict with its reason (core/stats/verdict.ts). Worked from raw samples,
 * warm-ups left out (samples.ts). Everything the renderers and the JSON output show is here.
 */
import { HintbenchError } from '../../core/errors.ts';
import { COMPARED_METRICS, type SampleFieldName } from '../../core/metrics.ts';
import { median } from '../../core/stats/quantiles.ts';
import { DEFAULT_VERDICT_OPTIONS, type Direction, type FamilyMember, type Verdict, type VerdictReason, judgeFamily } from '../../core/stats/verdict.ts';
import type { RunResult, ScenarioResult } from '../../core/types.ts';
import { type EnvironmentDifference, environmentDifferences } from './environment-diff.ts';
import { type LoadedRun, USAGE_EXIT_CODE } from './load.ts';
import { fieldValues, measuredSamples } from './samples.ts';
import { DEFAULT_THRESHOLDS, type Thresholds, thresholdFor } from './threshold.ts';

/** Options of a comparison. */
export interface CompareOptions {
  /** Practical thresholds (fractions). */
  thresholds: Thresholds;
  /** Family-wise significance level of the Holm-corrected tests. */
  alpha: number;
  /** Confidence of the shift intervals (fraction). */
  confidence: number;
  /** Smallest number of samples per side for a decided verdict. */
  minN: number;
}

/** Defaults: 5 % threshold, alpha 0.05, 95 % intervals, DEFAULT_MIN_N samples per side. */
export const DEFAULT_COMPARE_OPTIONS: CompareOptions = {
  thresholds: DEFAULT_THRESHOLDS,
  alpha: DEFAULT_VERDICT_OPTIONS.alpha,
  confidence: DEFAULT_VERDICT_OPTIONS.confidence,
  minN: DEFAULT_VERDICT_OPTIONS.minN,
};

/** Which run a side of the comparison is. */
export interface RunRef {
  /** Results directory. */
  dir: string;
  suite: string;
  startedAt: string;
  schemaVersion: number;
  hintbenchVersion: string;
}

/** The relative shift of new against base (fractions: 0.1 = +10 %) with its interval. */
export interface CellShift {
  estimate: number;
  lower: number;
  upper: number;
  /** How it was obtained (core/stats/relative-shift.ts). */
  method: string;
  /** Confidence the interval achieves (fraction). */
  achievedConfidence: number;
}

/** One scenario and key metric of one new run against the base. */
export interface ComparisonCell {
  /** Index of the new run in Comparison.news. */
  newIndex: number;
  scenarioId: string;
  /** Sample field of the metric. */
  field: SampleFieldName;
  direction: Direction;
  /** Practical threshold applied (fraction). */
  thresholdFraction: number;
  nBase: number;
  nNew: number;
  /** Median of the base values; null without values. */
  baseMedian: number | null;
  /** Median of the new values; null without values. */
  newMedian: number | null;
  /** newMedian / baseMedian; null when not defined. */
  ratioOfMedians: number | null;
  /** Relative shift with its interval; null when no relative figure exists. */
  shift: CellShift | null;
  /** Mann–Whitney two-sided p-value; null when the test could not run. */
  pValue: number | null;
  /** Holm-adjusted p-value within the comparison; null when the test could not run. */
  adjustedPValue: number | null;
  verdict: Verdict;
  reason: VerdictReason;
}

/** Verdict counts. */
export type VerdictCounts = Record<Verdict, number>;

/** One new run against the base. */
export interface NewRunComparison {
  run: RunRef;
  /** How its environment differs from the base run's (empty: same environment). */
  environmentDifferences: EnvironmentDifference[];
  /** Scenario ids only the base run has (not compared). */
  onlyInBase: string[];
  /** Scenario ids only this run has (not compared). */
  onlyInNew: string[];
  /** Measured samples left out as warm-ups, base and new. */
  warmUpSamples: { base: number; next: number };
  counts: VerdictCounts;
}

/** A whole comparison: what `hintbench compare --format json` writes. */
export interface Comparison {
  format: 'hintbench-comparison';
  formatVersion: 1;
  base: RunRef;
  news: NewRunComparison[];
  options: {
    defaultThresholdFraction: number;
    perMetricThresholdFractions: Partial<Record<SampleFieldName, number>>;
    alpha: number;
    confidence: number;
    minN: number;
    /** Multiple-testing correction applied over every test of the comparison. */
    correction: 'holm';
    /** Number of tests in the Holm family. */
    familySize: number;
  };
  cells: ComparisonCell[];
  counts: VerdictCounts;
  /** Whether any cell regressed (exit code 1). */
  regressed: boolean;
}

/** Exit codes of compare: 0 no regression, 1 a regression, 2 bad input. */
export const COMPARE_EXIT = { ok: 0, regressed: 1, usage: USAGE_EXIT_CODE } as const;

function runRef(loaded: LoadedRun): RunRef {
  const { run } = loaded;
  return { dir: loaded.dir, suite: run.suite, startedAt: run.startedAt, schemaVersion: run.schemaVersion, hintbenchVersion: run.environment.hintbenchVersion };
}

function emptyCounts(): VerdictCounts {
  return { regressed: 0, improved: 0, unchanged: 0, inconclusive: 0 };
}

function countWarmUps(results: readonly ScenarioResult[]): number {
  return results.reduce((n, r) => n + r.samples.length - measuredSamples(r).length, 0);
}

/** A cell before the family is judged: where it is and what it compares. */
interface PendingCell {
  newIndex: number;
  scenarioId: string;
  field: SampleFieldName;
  direction: Direction;
  thresholdFraction: number;
  base: number[];
  next: number[];
}

/** Scenarios of `next` matched by id with `base`, in base order. */
function matchScenarios(base: RunResult, next: RunResult): { pairs: [ScenarioResult, ScenarioResult][]; onlyInBase: string[]; onlyInNew: string[] } {
  const byId = new Map(next.scenarios.map((r) => [r.scenario.id, r]));
  const baseIds = new Set(base.scenarios.map((r) => r.scenario.id));
  const pairs: [ScenarioResult, ScenarioResult][] = [];
  const onlyInBase: string[] = [];
  for (const r of base.scenarios) {
    const other = byId.get(r.scenario.id);
    if (other === undefined) onlyInBase.push(r.scenario.id);
    else pairs.push([r, other]);
  }
  return { pairs, onlyInBase, onlyInNew: next.scenarios.map((r) => r.scenario.id).filter((id) => !baseIds.has(id)) };
}

const finiteOrNull = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * Compares base with each new run. Throws a HintbenchError (exit 2) when a new run shares no
 * scenario with the base, or no key metric has a value on either side.
 */
export function buildComparison(base: LoadedRun, news: readonly LoadedRun[], options: CompareOptions = DEFAULT_COMPARE_OPTIONS): Comparison {
  if (news.length === 0)
    throw new HintbenchError('compare needs a base run and at least one new run', 'e.g. hintbench compare results/before results/after', { exitCode: USAGE_EXIT_CODE });
  const pending: PendingCell[] = [];
  const perNew: Omit<NewRunComparison, 'counts'>[] = news.map((loaded, newIndex) => {
    const { pairs, onlyInBase, onlyInNew } = matchScenarios(base.run, loaded.run);
    if (pairs.length === 0) {
      throw new HintbenchError(
        `${loaded.dir} and ${base.dir} have no scenario in common`,
        'compare runs of the same suite (scenarios are matched by id; hintbench suites --verbose lists them)',
        { exitCode: USAGE_EXIT_CODE },
      );
    }
    for (const [b, n] of pairs) {
      for (const { field, direction } of COMPARED_METRICS) {
        const bv = fieldValues(b, field);
        const nv = fieldValues(n, field);
        if (bv.length === 0 && nv.length === 0) continue;
        pending.push({ newIndex, scenarioId: b.scenario.id, field, direction, thresholdFraction: thresholdFor(options.thresholds, field), base: bv, next: nv });
      }
    }
    return {
      run: runRef(loaded),
      environmentDifferences: environmentDifferences(base.run, loaded.run),
      onlyInBase,
      onlyInNew,
      warmUpSamples: { base: countWarmUps(pairs.map((p) => p[0])), next: countWarmUps(pairs.map((p) => p[1])) },
    };
  });
  if (pending.length === 0) {
    throw new HintbenchError(
      `the scenarios ${base.dir} shares with the new runs have no measured key metric`,
      'compare runs whose scenarios finished with samples (see each run’s report for failed scenarios)',
      { exitCode: USAGE_EXIT_CODE },
    );
  }
  const members: FamilyMember[] = pending.map((c) => ({
    base: c.base,
    next: c.next,
    options: { direction: c.direction, thresholdFraction: c.thresholdFraction, alpha: options.alpha, confidence: options.confidence, minN: options.minN },
  }));
  const verdicts = judgeFamily(members);
  const cells: ComparisonCell[] = pending.map((c, i) => {
    const v = verdicts[i]!;
    const s = v.comparison.shift;
    const shift: CellShift | null =
      s !== null && s.estimate !== null && s.lower !== null && s.upper !== null
        ? { estimate: s.estimate, lower: s.lower, upper: s.upper, method: s.method, achievedConfidence: s.interval.achievedConfidence }
        : null;
    return {
      newIndex: c.newIndex,
      scenarioId: c.scenarioId,
      field: c.field,
      direction: c.direction,
      thresholdFraction: c.thresholdFraction,
      nBase: v.comparison.nBase,
      nNew: v.comparison.nNew,
      baseMedian: c.base.length === 0 ? null : median(c.base),
      newMedian: c.next.length === 0 ? null : median(c.next),
      ratioOfMedians: finiteOrNull(s?.ratioOfMedians),
      shift,
      pValue: finiteOrNull(v.comparison.test?.pValue),
      adjustedPValue: finiteOrNull(v.adjustedPValue),
      verdict: v.verdict,
      reason: v.reason,
    };
  });
  const counts = emptyCounts();
  for (const c of cells) counts[c.verdict]++;
  return {
    format: 'hintbench-comparison',
    formatVersion: 1,
    base: runRef(base),
    news: perNew.map((n, i) => {
      const own = emptyCounts();
      for (const c of cells) if (c.newIndex === i) own[c.verdict]++;
      return { ...n, counts: own };
    }),
    options: {
      defaultThresholdFraction: options.thresholds.defaultFraction,
      perMetricThresholdFractions: { ...options.thresholds.perMetric },
      alpha: options.alpha,
      confidence: options.confidence,
      minN: options.minN,
      correction: 'holm',
      familySize: cells.filter((c) => c.pValue !== null).length,
    },
    cells,
    counts,
    regressed: counts.regressed > 0,
  };
}

/** Exit code of a comparison: 1 when any cell regressed, else 0. */
export function comparisonExitCode(c: Comparison): number {
  return c.regressed ? COMPARE_EXIT.regressed : COMPARE_EXIT.ok;
}
