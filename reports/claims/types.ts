/**
 * The claims table (docs/claims.md): the process_madvise patch's case against ptrace
 * injection, claim by claim, each judged from the samples of one run. An evaluator reads the
 * scenarios of its experiment and returns one row, or null when the run has none of them.
 * Rows are generated from results, never written by hand.
 */
import type { RunResult } from '../../core/types.ts';

/** What the run says about a claim. */
export type ClaimVerdict = 'supported' | 'not supported' | 'inconclusive';

/** One row of the claims table. */
export interface ClaimRow {
  /** Stable id, e.g. `throttled-callee`. */
  id: string;
  /** The claim, quoted or closely paraphrased from the patch. */
  claim: string;
  /** How it was measured: the scenarios and the figure compared, in one sentence. */
  method: string;
  /** The result with its confidence interval(s), in words and numbers (units in the text). */
  result: string;
  verdict: ClaimVerdict;
  /** Why this verdict: the rule applied to the result (e.g. `the 95 % CI of the ratio lies above 1`). */
  why: string;
  /** Ids of the scenarios the row was computed from. */
  scenarioIds: string[];
}

/** Judges one claim from a run. */
export interface ClaimEvaluator {
  /** Stable id of the claim. */
  id: string;
  /** Returns the claim's row, or null when the run holds none of its scenarios. */
  evaluate(run: RunResult): ClaimRow | null;
}
