/**
 * The claims table's evaluators, in table order (docs/claims.md). Each experiment of the
 * `claims` suite adds its evaluator here.
 */
import type { RunResult } from '../../core/types.ts';
import { constrainedCallee } from './constrained-callee.ts';
import { fleetClaim } from './fleet.ts';
import { raceEvaluator } from './race.ts';
import { frozenCallee } from './frozen-callee.ts';
import { tracedTarget } from './traced-target.ts';
import type { ClaimEvaluator, ClaimRow } from './types.ts';
import { vectoredClaim } from './vectored.ts';

/** Every claim evaluator, in the order of the patch's argument. */
export const CLAIM_EVALUATORS: readonly ClaimEvaluator[] = [
  constrainedCallee, // claim 1: the callee limited by cpuset/cgroups
  frozenCallee, // claim 2: ... or frozen
  tracedTarget, // claim 3: at most one ptracer
  raceEvaluator, // claim 4: the address space changes between inspecting and hinting it
  fleetClaim, // claim 5: one daemon hints many processes
  vectoredClaim, // claim 6: one vectored call covers many ranges
];

/** The rows of the claims table for a run (empty when it holds none of the claims' scenarios). */
export function claimRows(run: RunResult, evaluators: readonly ClaimEvaluator[] = CLAIM_EVALUATORS): ClaimRow[] {
  return evaluators.map((e) => e.evaluate(run)).filter((r): r is ClaimRow => r !== null);
}
