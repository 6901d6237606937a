/**
 * The built-in `claims` suite: the process_madvise patch's case against ptrace injection,
 * one experiment per claim, judged in the report's claims table (reports/claims/,
 * docs/claims.md). The suite is composed of parts, one per experiment, in claim order.
 */
import type { Scenario } from '../../core/types.ts';
import { DEFAULT_FLEET, fleetScenarios } from './claims-fleet.ts';
import { claimsRaceScenarios } from './claims-race.ts';
import { claimsStatesScenarios } from './claims-states.ts';
import { DEFAULT_VECTORED, vectoredScenarios } from './claims-vectored.ts';

/** The parts of the claims suite; each returns its scenarios (`repetitions` overrides its defaults). */
export const CLAIMS_PARTS: ReadonlyArray<{ name: string; claims: string; scenarios: (repetitions?: number) => Scenario[] }> = [
  { name: 'states', claims: 'claims 1-3: throttled, contended, frozen and traced targets', scenarios: claimsStatesScenarios },
  {
    name: 'race',
    claims: 'claim 4: the address space changing between the maps read and the hint, with and without remedies',
    scenarios: (repetitions) => claimsRaceScenarios(repetitions === undefined ? {} : { repetitions }),
  },
  {
    name: 'fleet',
    claims: 'claim 5: one daemon compacting a fleet of frozen apps',
    scenarios: (repetitions) => fleetScenarios({ ...DEFAULT_FLEET, ...(repetitions === undefined ? {} : { repetitions }) }),
  },
  {
    name: 'vectored',
    claims: 'claim 6: one vectored call over K ranges against K calls and K injected calls',
    scenarios: (repetitions) => vectoredScenarios({ ...DEFAULT_VECTORED, ...(repetitions === undefined ? {} : { repetitions }) }),
  },
];

/** Description of the claims suite. */
export const CLAIMS_DESCRIPTION = `the process_madvise patch's claims against ptrace injection, one experiment each, judged in the report's claims table (docs/claims.md); parts: ${CLAIMS_PARTS.map((p) => `${p.name} (${p.claims})`).join('; ')}`;

/** Every scenario of the claims suite. */
export function claimsScenarios(repetitions?: number): Scenario[] {
  return CLAIMS_PARTS.flatMap((p) => p.scenarios(repetitions));
}
