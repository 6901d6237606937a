/**
 * What the claim evaluators share: finding a scenario of the run by mechanism, advice and
 * target state, the measured values of one field, a ratio with its confidence interval
 * (Hodges–Lehmann on logs, core/stats/relative-shift.ts) and its rule (above 1, below 1, or
 * undecided), and number formatting for the result sentences.
 */
import { relativeShift } from '../../core/stats/relative-shift.ts';
import { median } from '../../core/stats/quantiles.ts';
import type { MechanismName, RunResult, Sample, ScenarioResult, TargetState } from '../../core/types.ts';

/** Confidence of every interval in the claims table. */
export const CLAIM_CONFIDENCE = 0.95;
/** Fewest measured samples per side for a ratio to decide anything. */
export const CLAIM_MIN_N = 3;

/** The scenario of the run with this mechanism, advice and target state (the first, in run order), or undefined. */
export function findScenario(run: RunResult, mechanism: MechanismName, advice: string, state: TargetState): ScenarioResult | undefined {
  return run.scenarios.find((r) => r.scenario.mechanism === mechanism && r.scenario.advice === advice && r.scenario.targetState === state && r.scenario.pressure === undefined);
}

/** Measured (not warm-up) samples of a scenario. */
export function measured(r: ScenarioResult | undefined): Sample[] {
  return r === undefined ? [] : r.samples.filter((s) => !s.warmUp);
}

/** Finite, non-null values of a numeric field over the measured samples. */
export function values(r: ScenarioResult | undefined, field: keyof Sample): number[] {
  return measured(r)
    .map((s) => s[field])
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

/** Median of values, or null when there are none. */
export function medianOrNull(v: readonly number[]): number | null {
  return v.length === 0 ? null : median(v);
}

/** A ratio x / y with its CI and what it says. */
export interface RatioFinding {
  /** Point estimate of x / y. */
  estimate: number;
  lower: number;
  upper: number;
  nX: number;
  nY: number;
  /** `above`: the CI lies above 1; `below`: below 1; `undecided`: it contains 1 or n is too small. */
  side: 'above' | 'below' | 'undecided';
}

/**
 * The ratio x / y of two samples of a positive figure: exp of the Hodges–Lehmann shift of the
 * logs with its rank-inversion CI. Null when either side has no value.
 */
export function ratioCi(x: readonly number[], y: readonly number[]): RatioFinding | null {
  if (x.length === 0 || y.length === 0) return null;
  const pos = (v: readonly number[]): number[] => v.map((a) => Math.max(a, 1));
  const rs = relativeShift(pos(y), pos(x), CLAIM_CONFIDENCE);
  if (rs.estimate === null || rs.lower === null || rs.upper === null) return null;
  const f = { estimate: rs.estimate + 1, lower: rs.lower + 1, upper: rs.upper + 1, nX: x.length, nY: y.length };
  const enough = x.length >= CLAIM_MIN_N && y.length >= CLAIM_MIN_N;
  const side = !enough ? 'undecided' : f.lower > 1 ? 'above' : f.upper < 1 ? 'below' : 'undecided';
  return { ...f, side };
}

/** A ratio as text: `12.3× (95 % CI 10.1×–15.0×, n = 6 and 6)`. */
export function ratioText(r: RatioFinding | null): string {
  if (r === null) return 'not measured';
  return `${fmtRatio(r.estimate)} (${CLAIM_CONFIDENCE * 100} % CI ${fmtRatio(r.lower)}–${fmtRatio(r.upper)}, n = ${r.nX} and ${r.nY})`;
}

function fmtRatio(v: number): string {
  return `${v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toPrecision(2)}×`;
}

/** A duration in ns as text with a fitting unit (`412 µs`, `18.2 ms`, `2.10 s`); `–` for null. */
export function fmtNs(ns: number | null): string {
  if (ns === null) return '–';
  const a = Math.abs(ns);
  if (a >= 1e9) return `${(ns / 1e9).toFixed(2)} s`;
  if (a >= 1e6) return `${(ns / 1e6).toPrecision(3)} ms`;
  if (a >= 1e3) return `${(ns / 1e3).toPrecision(3)} µs`;
  return `${ns.toFixed(0)} ns`;
}

/** Ids of the scenarios given, skipping missing ones. */
export function idsOf(...rs: Array<ScenarioResult | undefined>): string[] {
  return rs.filter((r): r is ScenarioResult => r !== undefined).map((r) => r.scenario.id);
}
