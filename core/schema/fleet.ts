/**
 * The fleet family of scenarios (docs/claims.md, claim "the central daemon hints many
 * processes"): `apps` workloads, each moved to a cached state (the scenario's targetState:
 * `frozen` by the cgroup freezer as Android's app freezer does, or `stopped` by SIGSTOP), then
 * compacted by one caller, one app after another. A scenario of this family carries a `fleet`
 * spec; its memory is the layout of one app (the content cycles through `contents`); its
 * samples fill the fields of core/metrics/fleet.ts.
 */
import { z } from 'zod';
import { ContentSchema } from './enums.ts';

const doc = (description: string) => ({ description });

/** Most apps one fleet may hold (each is a Node process of ~80 MiB besides its data). */
export const MAX_FLEET_APPS = 256;
/** Target states a fleet's apps may be cached in. */
export const FLEET_STATES = ['frozen', 'stopped'] as const;

/** The fleet part of a scenario. */
export const FleetSpecSchema = z.object({
  apps: z.int().min(1).max(MAX_FLEET_APPS).meta(doc('workloads in the fleet, started concurrently, compacted one after another')),
  contents: z.array(ContentSchema).min(1).meta(doc('page content of app i is contents[i mod length] (a mixed fleet); the memory spec gives size, kind and VMAs')),
});

/** The fleet part of a scenario. */
export type FleetSpec = z.infer<typeof FleetSpecSchema>;
