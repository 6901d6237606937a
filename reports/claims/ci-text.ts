/**
 * Confidence intervals as the claims table states them: a median with its distribution-free
 * interval, a Hodges-Lehmann shift with its interval, and which side of zero a shift lies on.
 */
import { hodgesLehmann, type ShiftCi } from '../../core/stats/hodges-lehmann.ts';
import { medianCi } from '../../core/stats/median-ci.ts';
import type { Sample, ScenarioResult } from '../../core/types.ts';

/** Confidence of every interval of the claims table. */
export const CLAIM_CONFIDENCE = 0.95;

/** The measured (not warm-up) samples of a scenario. */
export function measured(result: ScenarioResult): Sample[] {
  return result.samples.filter((s) => !s.warmUp);
}

/** Finite values of a field over the measured samples. */
export function valuesOf(result: ScenarioResult, pick: (s: Sample) => number | null | undefined): number[] {
  return measured(result)
    .map(pick)
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

/** `1.2 ms [1.1, 1.4]` (the median and its 95 % interval, `~75 %` when n is too small for 95 %); `no data` without values. */
export function medianText(values: readonly number[], fmt: (v: number) => string): string {
  const ci = medianCi(values, CLAIM_CONFIDENCE);
  if (ci === null) return 'no data';
  const cover = ci.meetsConfidence ? '' : ` (${Math.round(ci.coverage * 100)} % interval, n = ${ci.n})`;
  return `${fmt(ci.median)} [${fmt(ci.lower)}, ${fmt(ci.upper)}]${cover}`;
}

/** Where a shift x - y lies: below 0 (x smaller), above 0, across 0, or unknown (interval short of its confidence, or too few values). */
export type ShiftSide = 'below' | 'above' | 'across' | 'unknown';

/** The Hodges-Lehmann shift x - y with its 95 % interval, or null when either side has no value. */
export function shiftOf(x: readonly number[], y: readonly number[]): ShiftCi | null {
  return x.length === 0 || y.length === 0 ? null : hodgesLehmann(x, y, CLAIM_CONFIDENCE);
}

/** Which side of 0 a shift's interval lies on. */
export function sideOf(ci: ShiftCi | null): ShiftSide {
  if (ci === null || !ci.meetsConfidence) return 'unknown';
  if (ci.upper < 0) return 'below';
  if (ci.lower > 0) return 'above';
  return 'across';
}

/** `-9.4 ms [-10.1, -8.8]` (`, 90 % interval` when it falls short of 95 %). */
export function shiftText(ci: ShiftCi | null, fmt: (v: number) => string): string {
  if (ci === null) return 'no data';
  const cover = ci.meetsConfidence ? '' : `, only a ${Math.round(ci.achievedConfidence * 100)} % interval`;
  return `${fmt(ci.estimate)} [${fmt(ci.lower)}, ${fmt(ci.upper)}${cover}]`;
}
