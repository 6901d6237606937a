/**
 * Claim "vectored calls": process_madvise takes an iovec so that one call covers many ranges,
 * which should cost less per range than one call per range, and less than injecting madvise
 * calls with ptrace. Judged from the vectored scenarios (core/schema/vectored.ts): per K, the
 * per-range cost (vectoredPerRangeNs) of `vector` against single-range process_madvise calls
 * and against one injection of K madvise calls (Hodges-Lehmann shifts, 95 % CIs).
 *
 * Verdict, over every K > 1 the run holds (at K = 1 all three make one call): supported when
 * every interval lies below 0 (vector cheaper per range); not supported when some interval
 * lies above 0; inconclusive otherwise (an interval across 0 or short of 95 %, or no K > 1).
 */
import type { RunResult, ScenarioResult } from '../../core/types.ts';
import { formatDurationNs } from '../units.ts';
import { medianText, shiftOf, shiftText, sideOf, valuesOf } from './ci-text.ts';
import type { ClaimEvaluator, ClaimRow, ClaimVerdict } from './types.ts';

/** Id of the claim. */
export const VECTORED_CLAIM_ID = 'vectored-calls';

/** The three ways of hinting K ranges of one advice and range size. */
interface VectoredGroup {
  k: number;
  label: string;
  vector: ScenarioResult | undefined;
  perRange: ScenarioResult | undefined;
  inject: ScenarioResult | undefined;
}

/** Groups the vectored scenarios by advice, memory and K, in K order. */
function groups(run: RunResult): VectoredGroup[] {
  const vectored = run.scenarios.filter((r) => r.scenario.vectored !== undefined && r.status !== 'failed');
  const byKey = new Map<string, VectoredGroup>();
  for (const r of vectored) {
    const spec = r.scenario.vectored!;
    const key = JSON.stringify([r.scenario.advice, r.scenario.memory, r.scenario.targetState]);
    let g = byKey.get(key);
    if (g === undefined) {
      g = { k: spec.ranges, label: `K = ${spec.ranges} (${r.scenario.advice.toUpperCase()})`, vector: undefined, perRange: undefined, inject: undefined };
      byKey.set(key, g);
    }
    if (spec.calls === 'vector' && r.scenario.mechanism === 'process_madvise') g.vector = r;
    else if (spec.calls === 'per-range' && r.scenario.mechanism === 'process_madvise') g.perRange = r;
    else if (spec.calls === 'per-range' && r.scenario.mechanism === 'ptrace') g.inject = r;
  }
  return [...byKey.values()].sort((a, b) => a.k - b.k);
}

const perRange = (r: ScenarioResult | undefined): number[] => (r === undefined ? [] : valuesOf(r, (s) => s.vectoredPerRangeNs));
const ns = formatDurationNs;

/** The claim's row from the vectored scenarios of a run, or null when it has none with a vector call. */
function evaluate(run: RunResult): ClaimRow | null {
  const all = groups(run).filter((g) => g.vector !== undefined && (g.perRange !== undefined || g.inject !== undefined));
  if (all.length === 0) return null;
  const judged = all.filter((g) => g.k > 1);
  const sides = judged.flatMap((g) => [g.perRange, g.inject].filter((r) => r !== undefined).map((r) => sideOf(shiftOf(perRange(g.vector), perRange(r)))));
  let verdict: ClaimVerdict;
  let why: string;
  if (sides.length === 0) {
    verdict = 'inconclusive';
    why = 'the run has no K > 1 with a comparison: at K = 1 every mode makes one call';
  } else if (sides.some((s) => s === 'above')) {
    verdict = 'not supported';
    why = 'for some K > 1 the 95 % CI of the per-range cost of the vectored call minus another mode lies above 0';
  } else if (sides.every((s) => s === 'below')) {
    verdict = 'supported';
    why = `for every K > 1 (${judged.map((g) => g.k).join(', ')}) the 95 % CI of the vectored call's per-range cost minus each other mode's lies below 0`;
  } else {
    verdict = 'inconclusive';
    why = 'for some K > 1 a 95 % CI of the per-range shift reaches across 0 or falls short of 95 % (too few samples)';
  }
  const result = all
    .map((g) => {
      const parts = [`vector ${medianText(perRange(g.vector), ns)}`];
      if (g.perRange !== undefined)
        parts.push(`single calls ${medianText(perRange(g.perRange), ns)} (vector - single ${shiftText(shiftOf(perRange(g.vector), perRange(g.perRange)), ns)})`);
      if (g.inject !== undefined)
        parts.push(`injected ${medianText(perRange(g.inject), ns)} (vector - injected ${shiftText(shiftOf(perRange(g.vector), perRange(g.inject)), ns)})`);
      const calls = Math.ceil(g.k / 1024);
      return `${g.label}, ${calls} vectored call${calls === 1 ? '' : 's'}: per range ${parts.join(', ')}`;
    })
    .join(' | ');
  return {
    id: VECTORED_CLAIM_ID,
    claim:
      'process_madvise takes an iovec so that one call can hint many ranges, cheaper per range than one call per range (the 5.10 merge: one call over 2000 ranges 15 % faster than 2000 calls) and than ptrace injection.',
    method:
      'A workload with K separate VMAs hinted over all K: one process_madvise call per 1024 ranges (IOV_MAX; K = 4096 is 4 calls), K single-range process_madvise calls, and one ptrace injection of K madvise calls; per-range cost (hint wall time / K) as medians with 95 % CIs and Hodges-Lehmann shifts.',
    result,
    verdict,
    why,
    scenarioIds: all.flatMap((g) => [g.vector, g.perRange, g.inject].filter((r) => r !== undefined).map((r) => r.scenario.id)),
  };
}

/** The vectored-calls claim's evaluator. */
export const vectoredClaim: ClaimEvaluator = { id: VECTORED_CLAIM_ID, evaluate };
