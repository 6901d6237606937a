/**
 * The fleet experiment of the claims suite (docs/claims.md, "the central daemon hints many
 * processes"): one scenario per mechanism, advice and cached state, each sample a fleet of
 * `apps` workloads of mixed content compacted one after another.
 */
import type { FleetSpec } from '../../core/schema/fleet.ts';
import type { Advice, Content, MechanismName, Scenario, TargetState } from '../../core/types.ts';

/** What a fleet experiment runs. */
export interface FleetOptions {
  /** Apps per fleet. */
  apps: number;
  /** Memory of one app, MiB. */
  appSizeMiB: number;
  /** Content of app i is contents[i mod length]. */
  contents: Content[];
  /** Cached states the apps are put in (frozen, stopped). */
  states: Extract<TargetState, 'frozen' | 'stopped'>[];
  mechanisms: Exclude<MechanismName, 'none'>[];
  advices: Advice[];
  /** Measured fleets per scenario. */
  repetitions: number;
}

/**
 * Defaults sized to run in about 60 s on 2 vCPUs: 4 apps of 16 MiB (random, mixed, zero in
 * turn), frozen, COLD and PAGEOUT by process_madvise and ptrace, 6 fleets per scenario (the
 * fewest whose median gets a 95 % interval) after one warm-up fleet: 28 fleets, starting 4
 * Node workloads at once takes ~2.5 s here. Per-app figures pool 24 apps per scenario.
 */
export const DEFAULT_FLEET: Readonly<FleetOptions> = {
  apps: 4,
  appSizeMiB: 16,
  contents: ['random', 'mixed', 'zero'],
  states: ['frozen'],
  mechanisms: ['process_madvise', 'ptrace'],
  advices: ['cold', 'pageout'],
  repetitions: 6,
};

/** Stable id: `fleet/<mechanism>/<advice>/<apps>x<MiB>MiB-<contents>/<state>`. */
export function fleetScenarioId(mechanism: MechanismName, advice: Advice, fleet: FleetSpec, appSizeMiB: number, state: TargetState): string {
  return `fleet/${mechanism}/${advice}/${fleet.apps}x${appSizeMiB}MiB-${fleet.contents.join('+')}/${state}`;
}

/** The fleet scenarios of `opts` (state-major, then mechanism, then advice). */
export function fleetScenarios(opts: FleetOptions = DEFAULT_FLEET): Scenario[] {
  const fleet: FleetSpec = { apps: opts.apps, contents: [...opts.contents] };
  const memory = { kind: 'anon' as const, content: opts.contents[0]!, sizeMiB: opts.appSizeMiB, vmas: 1 };
  const out: Scenario[] = [];
  for (const targetState of opts.states) {
    for (const mechanism of opts.mechanisms) {
      for (const advice of opts.advices) {
        out.push({ id: fleetScenarioId(mechanism, advice, fleet, opts.appSizeMiB, targetState), mechanism, advice, memory, targetState, repetitions: opts.repetitions, fleet });
      }
    }
  }
  return out;
}
