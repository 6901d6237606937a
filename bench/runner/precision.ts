/**
 * The precision a run reached: the relative half-width of every key metric's median interval
 * (median-ci.ts relativeHalfWidth), per scenario, as the stopping rule and results.json
 * `stopping.halfWidths` use it. A metric whose values are all 0 (COLD reclaims no page) has
 * the degenerate interval [0, 0] and counts as precise (half-width 0); a median of 0 with a
 * wider interval has no relative figure (null: never reached). Failed scenarios and metrics
 * without values are left out. Pure: no I/O.
 */
import type { ScenarioResult, Summary } from '../../core/types.ts';
import { KEY_METRICS } from './warnings.ts';

/** The relative half-width of one key metric of one scenario. */
export interface HalfWidth {
  scenarioId: string;
  field: string;
  /** Fraction; null when there is no interval of the asked confidence yet, or no relative figure. */
  relativeHalfWidth: number | null;
}

/** Relative half-width of a summary's median interval as the stopping rule reads it. */
export function halfWidthOf(summary: Summary): number | null {
  const ci = summary.ci;
  if (ci === null || !ci.meetsConfidence) return null;
  if (ci.relativeHalfWidth !== null) return ci.relativeHalfWidth;
  return ci.lower === 0 && ci.upper === 0 ? 0 : null;
}

/** The half-width of every key metric of every scenario that has not failed. */
export function keyHalfWidths(results: readonly Pick<ScenarioResult, 'scenario' | 'status' | 'summary'>[]): HalfWidth[] {
  return results.flatMap((r) =>
    r.status === 'failed'
      ? []
      : KEY_METRICS.flatMap((field) => {
          const s = r.summary[field];
          return s === undefined ? [] : [{ scenarioId: r.scenario.id, field, relativeHalfWidth: halfWidthOf(s) }];
        }),
  );
}

/** The widest half-width (null, i.e. no interval, counts as the widest); null when there is none at all. */
export function widest(halfWidths: readonly HalfWidth[]): HalfWidth | null {
  let worst: HalfWidth | null = null;
  for (const h of halfWidths) {
    if (worst === null) worst = h;
    else if (worst.relativeHalfWidth !== null && (h.relativeHalfWidth === null || h.relativeHalfWidth > worst.relativeHalfWidth)) worst = h;
  }
  return worst;
}
