/**
 * The figures an export carries: per scenario and key metric (core/metrics.ts, `compared`),
 * the median of the raw measured samples (warm-ups left out) with its distribution-free
 * confidence interval (core/stats/median-ci.ts) and the metric's direction.
 */
import { COMPARED_METRICS, SAMPLE_FIELDS, type SampleFieldName } from '../../core/metrics.ts';
import { type MedianCi, medianCi } from '../../core/stats/median-ci.ts';
import type { Direction } from '../../core/stats/verdict.ts';
import type { RunResult } from '../../core/types.ts';
import { fieldValues } from '../compare/samples.ts';

/** Confidence of the exported median intervals. */
export const EXPORT_CONFIDENCE = 0.95;

/** One scenario's key metric, summarised for an export. */
export interface KeyFigure {
  scenarioId: string;
  field: SampleFieldName;
  direction: Direction;
  /** Unit of the values (`ns`, `pages`, ...), or `count`. */
  unit: string;
  /** Median interval of the measured values (with the median, n and the coverage reached). */
  ci: MedianCi;
}

/** Every scenario and key metric with at least one measured value, in run and registry order. */
export function keyFigures(run: RunResult): KeyFigure[] {
  const out: KeyFigure[] = [];
  for (const result of run.scenarios) {
    for (const { field, direction } of COMPARED_METRICS) {
      const ci = medianCi(fieldValues(result, field), EXPORT_CONFIDENCE);
      if (ci !== null) out.push({ scenarioId: result.scenario.id, field, direction, unit: SAMPLE_FIELDS[field].unit ?? 'count', ci });
    }
  }
  return out;
}

/** A Sample field name in kebab case: userLatencyNs -> user-latency-ns. */
export function kebab(field: string): string {
  return field.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
