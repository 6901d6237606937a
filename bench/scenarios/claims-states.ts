/**
 * The claims suite's part for claims 1-3 (docs/claims.md): PAGEOUT of 16 MiB random anon
 * memory by process_madvise and by ptrace injection, into a target that is throttled,
 * contended, frozen or traced, and unconstrained (sleeping) for comparison. No baseline: no
 * verdict uses it. 7 repetitions (with 5, the fewest for an exact 95 % Hodges–Lehmann
 * interval of a ratio, one scheduling blip per side left the frozen and throttled ratios
 * undecided), 6 for the traced target (the fewest whose 95 % Clopper–Pearson interval of an
 * all-fail rate lies above 1/2).
 */
import type { MemorySpec, Scenario, TargetState } from '../../core/types.ts';
import { scenarioId } from './matrix.ts';

/** Memory of the part's scenarios. */
export const CLAIMS_STATES_MEMORY: MemorySpec = { kind: 'anon', content: 'random', sizeMiB: 16, vmas: 1 };
/** Default repetitions per scenario (traced: TRACED_REPETITIONS). */
export const CLAIMS_STATES_REPETITIONS = 7;
/** Repetitions of the traced scenarios. */
export const TRACED_REPETITIONS = 6;

/** The target states of claims 1-3, sleeping first (the unconstrained reference). */
export const CLAIMS_STATES: readonly TargetState[] = ['sleeping', 'throttled', 'contended', 'frozen', 'traced'];

/** The scenarios of claims 1-3; `repetitions` overrides both defaults. */
export function claimsStatesScenarios(repetitions?: number): Scenario[] {
  const out: Scenario[] = [];
  for (const targetState of CLAIMS_STATES) {
    for (const mechanism of ['process_madvise', 'ptrace'] as const) {
      const reps = repetitions ?? (targetState === 'traced' ? TRACED_REPETITIONS : CLAIMS_STATES_REPETITIONS);
      out.push({
        id: scenarioId(mechanism, 'pageout', CLAIMS_STATES_MEMORY, targetState),
        mechanism,
        advice: 'pageout',
        memory: CLAIMS_STATES_MEMORY,
        targetState,
        repetitions: reps,
      });
    }
  }
  return out;
}
