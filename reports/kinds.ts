/**
 * Where COLD and PAGEOUT behave differently per memory kind: for hint runs over several
 * kinds (the built-in `kinds` suite), one row per kind, mechanism and target state with each
 * advice's median pages reclaimed, RSS drop and pages swapped out (pswpout) across the hint, and major faults
 * of the re-touch, with confidence intervals; and one sentence per kind saying what PAGEOUT
 * did with the pages (dropped without swap, as clean file pages are, or swapped out) and
 * whether COLD freed anything. Computed from the measured samples. Pure, no I/O.
 */
import { medianCi, type MedianCi } from '../core/stats/median-ci.ts';
import type { RunResult, Sample, ScenarioResult } from '../core/types.ts';
import { measuredSamples, REPORT_CONFIDENCE } from './sample-stats.ts';
import { isHintScenario } from './families.ts';
import type { GroupedTable } from './tables.ts';
import { formatBytes, formatCount, formatPercent } from './units.ts';

/** A per-sample figure of the kinds table. */
interface KindFigure {
  header: string;
  value: (s: Sample) => number | null;
  format: (v: number) => string;
}

/** The figures compared per kind, in column order. */
const FIGURES: readonly KindFigure[] = [
  { header: 'reclaimed (pages)', value: (s) => s.reclaimedPages, format: formatCount },
  { header: 'RSS drop', value: (s) => s.rssBeforeBytes - s.rssAfterBytes, format: formatBytes },
  // pswpout across the hint, not the process's VmSwap: VmSwap leaves out swapped shmem and memfd pages.
  { header: 'swapped pages', value: (s) => s.pswpoutDeltaPages, format: formatCount },
  { header: 're-touch major faults', value: (s) => s.retouchMajorFaults, format: formatCount },
];

/** One kind, mechanism and target state with its COLD and PAGEOUT scenarios. */
export interface KindPair {
  /** `file_private, 32 MiB random, process_madvise, sleeping target`. */
  title: string;
  kind: string;
  cold: ScenarioResult;
  pageout: ScenarioResult;
}

/** Median CI of a per-sample figure over a scenario's measured samples; null without values. */
function figureCi(r: ScenarioResult, f: KindFigure): MedianCi | null {
  const values = measuredSamples(r)
    .map(f.value)
    .filter((v): v is number => v !== null && Number.isFinite(v));
  return medianCi(values, REPORT_CONFIDENCE);
}

/** `32.0 MiB (31.9 MiB–32.0 MiB)`, or the median alone when the interval reads as one value; `*` marks an interval short of 95 %. */
function ciCell(ci: MedianCi | null, format: (v: number) => string): string {
  if (ci === null) return '';
  const [lo, hi] = [format(ci.lower), format(ci.upper)];
  return lo === hi ? format(ci.median) : `${format(ci.median)} (${lo}–${hi}${ci.meetsConfidence ? '' : '*'})`;
}

/**
 * The COLD/PAGEOUT pairs of a run's hint scenarios that share kind, content, size, layout,
 * mechanism and target state; empty unless the run covers two or more memory kinds.
 */
export function kindPairs(run: RunResult): KindPair[] {
  const hint = run.scenarios.filter((r) => isHintScenario(r.scenario) && r.scenario.mechanism !== 'none' && measuredSamples(r).length > 0);
  if (new Set(hint.map((r) => r.scenario.memory.kind)).size < 2) return [];
  const pairs: KindPair[] = [];
  for (const cold of hint.filter((r) => r.scenario.advice === 'cold')) {
    const c = cold.scenario;
    const pageout = hint.find(
      (r) =>
        r.scenario.advice === 'pageout' &&
        r.scenario.mechanism === c.mechanism &&
        r.scenario.targetState === c.targetState &&
        JSON.stringify(r.scenario.memory) === JSON.stringify(c.memory),
    );
    if (pageout === undefined) continue;
    const m = c.memory;
    pairs.push({ title: `${m.kind}, ${m.sizeMiB} MiB ${m.content}${m.vmas > 1 ? `, ${m.vmas} VMAs` : ''}, ${c.mechanism}, ${c.targetState} target`, kind: m.kind, cold, pageout });
  }
  return pairs;
}

/** The kinds table: one group per kind and mechanism, a COLD and a PAGEOUT row each; medians with CIs unless `ci` is false. */
export function kindsTable(run: RunResult, opts: { ci?: boolean } = {}): GroupedTable {
  const withCi = opts.ci !== false;
  return {
    headers: ['advice', 'n', ...FIGURES.map((f) => f.header)],
    numeric: [false, true, ...FIGURES.map(() => true)],
    groups: kindPairs(run).map((p) => ({
      title: p.title,
      rows: [
        ['COLD', p.cold],
        ['PAGEOUT', p.pageout],
      ].map(([advice, r]) => {
        const result = r as ScenarioResult;
        return [
          advice as string,
          String(measuredSamples(result).length),
          ...FIGURES.map((f) => {
            const ci = figureCi(result, f);
            return withCi ? ciCell(ci, f.format) : ci === null ? '' : f.format(ci.median);
          }),
        ];
      }),
    })),
  };
}

/** Pages swapped out below this fraction of the RSS drop: the pages were dropped, not swapped. */
export const DROPPED_BELOW = 0.1;
/** Pages swapped out above this fraction of the RSS drop: the pages went to swap. */
export const SWAPPED_ABOVE = 0.9;

/**
 * One sentence per kind pair: what PAGEOUT did with the pages it freed (pages swapped out,
 * system-wide pswpout across the hint, against the RSS drop; the process's VmSwap would miss
 * shmem and memfd pages: dropped without swap below DROPPED_BELOW, swapped out above SWAPPED_ABOVE, split
 * in between) and whether COLD's RSS drop differs from PAGEOUT's (their median intervals do
 * not overlap).
 */
export function kindFindings(run: RunResult): string[] {
  const [, rss, swap] = FIGURES as [KindFigure, KindFigure, KindFigure, KindFigure];
  return kindPairs(run).flatMap((p) => {
    const pRss = figureCi(p.pageout, rss);
    const pSwap = figureCi(p.pageout, swap);
    const cRss = figureCi(p.cold, rss);
    if (pRss === null || pSwap === null || cRss === null) return [];
    const swappedBytes = pSwap.median * run.environment.pageSizeBytes;
    const fate =
      pRss.median <= 0
        ? 'freed nothing'
        : swappedBytes < DROPPED_BELOW * pRss.median
          ? 'dropped its pages without swap'
          : swappedBytes > SWAPPED_ABOVE * pRss.median
            ? 'swapped its pages out'
            : `sent ${formatPercent(swappedBytes / pRss.median)} of what it freed to swap`;
    const differ = cRss.upper < pRss.lower || pRss.upper < cRss.lower;
    return [
      `${p.title}: PAGEOUT ${fate} (RSS drop ${ciCell(pRss, formatBytes)}, ${ciCell(pSwap, formatCount)} pages swapped out); ` +
        `COLD dropped ${ciCell(cRss, formatBytes)} of RSS, ${differ ? 'clearly different' : 'not clearly different'} (intervals ${differ ? 'do not overlap' : 'overlap'}).`,
    ];
  });
}
