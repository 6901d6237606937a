/**
 * The race experiment's scenarios (claim 4 of the claims suite, docs/claims-race.md): a churn
 * workload hinted after a delay, without and with each remedy, for each mechanism. Also
 * expands the `race` block of suite files (docs/suites.md).
 */
import { RACE_REMEDIES, type ChurnSpec, type RaceRemedy } from '../../core/schema/race.ts';
import type { Advice, Scenario } from '../../core/types.ts';
import { churnMemorySpec } from '../../workloads/client.ts';

/** The churn of the claims suite: 16 slots of 16-64 KiB, 500 operations per second. */
export const DEFAULT_CHURN: ChurnSpec = { slots: 16, opsPerSec: 500, minKiB: 16, maxKiB: 64 };
/** Delay between the maps read and the hint in the claims suite, µs (about 10 churn operations). */
export const DEFAULT_RACE_DELAY_US = 20_000;
/** Repetitions per race scenario in the claims suite: 8, above the 6 a 95 % median interval needs. */
export const DEFAULT_RACE_REPETITIONS = 8;

/** The axes of a set of race scenarios. */
export interface RaceAxes {
  mechanisms: Array<'process_madvise' | 'ptrace'>;
  advices: Advice[];
  delaysUs: number[];
  remedies: RaceRemedy[];
  churn: ChurnSpec;
  repetitions: number;
}

/** True for the one pair that cannot run: a ptrace holder leaves the injector no tracer slot. */
export function raceUnsupported(mechanism: string, remedy: RaceRemedy): boolean {
  return mechanism === 'ptrace' && remedy === 'ptrace_stop';
}

/** Stable id: `race/<mechanism>/<advice>/<remedy>/delay<µs>us-<slots>x<min>-<max>KiB-<ops>ops`. */
export function raceScenarioId(mechanism: string, advice: Advice, remedy: RaceRemedy, delayUs: number, churn: ChurnSpec): string {
  return `race/${mechanism}/${advice}/${remedy}/delay${delayUs}us-${churn.slots}x${churn.minKiB}-${churn.maxKiB}KiB-${churn.opsPerSec}ops`;
}

/** Expands race axes into scenarios (mechanism-major, the no-remedy scenario first), leaving out ptrace with ptrace_stop. */
export function raceScenarios(axes: RaceAxes): Scenario[] {
  const out: Scenario[] = [];
  const memory = churnMemorySpec(axes.churn);
  for (const mechanism of axes.mechanisms)
    for (const advice of axes.advices)
      for (const delayUs of axes.delaysUs)
        for (const remedy of axes.remedies) {
          if (raceUnsupported(mechanism, remedy)) continue;
          out.push({
            id: raceScenarioId(mechanism, advice, remedy, delayUs, axes.churn),
            mechanism,
            advice,
            memory,
            targetState: 'sleeping',
            repetitions: axes.repetitions,
            race: { delayUs, remedy, churn: axes.churn },
          });
        }
  return out;
}

/**
 * The race scenarios of the claims suite: PAGEOUT via process_madvise with every remedy and
 * via ptrace with none, sigstop and freezer, 20 ms after the maps read, 8 repetitions each
 * (about 45-60 s on 2 vCPUs).
 */
export function claimsRaceScenarios(opts: { repetitions?: number } = {}): Scenario[] {
  return raceScenarios({
    mechanisms: ['process_madvise', 'ptrace'],
    advices: ['pageout'],
    delaysUs: [DEFAULT_RACE_DELAY_US],
    remedies: [...RACE_REMEDIES],
    churn: DEFAULT_CHURN,
    repetitions: opts.repetitions ?? DEFAULT_RACE_REPETITIONS,
  });
}
