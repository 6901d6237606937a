/**
 * The race family of scenarios (docs/claims-race.md): a churn workload keeps mapping and
 * unmapping regions while a caller reads /proc/PID/maps, waits, and hints what it read. A
 * scenario of this family carries a `race` spec; its samples fill the fields of
 * core/metrics/race.ts.
 */
import { z } from 'zod';

const doc = (description: string) => ({ description });

/**
 * How the caller holds the target still from the maps read to the end of the hint: not at
 * all, SIGSTOP/SIGCONT, the cgroup freezer, or a ptrace seize+interrupt by a holder process.
 */
export const RACE_REMEDIES = ['none', 'sigstop', 'freezer', 'ptrace_stop'] as const;
export const RaceRemedySchema = z.enum(RACE_REMEDIES);
/** A way of holding the target still. */
export type RaceRemedy = z.infer<typeof RaceRemedySchema>;

/** Longest delay between the maps read and the hint, µs (10 s). */
export const MAX_RACE_DELAY_US = 10_000_000;
/** Most churn slots. */
export const MAX_CHURN_SLOTS = 4096;
/** Highest churn rate, operations per second. */
export const MAX_CHURN_OPS_PER_SEC = 100_000;
/** Largest churn region, KiB (64 MiB). */
export const MAX_CHURN_REGION_KIB = 64 * 1024;

/** What the churn workload does (workloads/churn.ts). */
export const ChurnSpecSchema = z
  .strictObject({
    slots: z.int().min(1).max(MAX_CHURN_SLOTS).meta(doc("fixed places in the workload's arena; each holds one mapping or none")),
    opsPerSec: z
      .number()
      .positive()
      .max(MAX_CHURN_OPS_PER_SEC)
      .meta(doc('map/unmap operations per second: each picks a random slot and unmaps its mapping, or maps a new generation there if it is empty')),
    minKiB: z.int().min(4).max(MAX_CHURN_REGION_KIB).meta(doc('smallest region, KiB (rounded down to whole pages)')),
    maxKiB: z.int().min(4).max(MAX_CHURN_REGION_KIB).meta(doc('largest region, KiB; each new mapping has a length drawn uniformly from [minKiB, maxKiB]')),
  })
  .superRefine((c, ctx) => {
    if (c.minKiB > c.maxKiB) ctx.addIssue({ code: 'custom', path: ['minKiB'], message: `is ${c.minKiB}, more than maxKiB ${c.maxKiB}` });
  });

/** What the churn workload does. */
export type ChurnSpec = z.infer<typeof ChurnSpecSchema>;

/** The race part of a scenario. */
export const RaceSpecSchema = z.strictObject({
  delayUs: z.int().min(0).max(MAX_RACE_DELAY_US).meta(doc('time between the end of the /proc/PID/maps read and the hint, µs')),
  remedy: RaceRemedySchema.meta(doc('how the target is held still from the read to the end of the hint')),
  churn: ChurnSpecSchema.meta(doc('the churn workload')),
});

/** The race part of a scenario. */
export type RaceSpec = z.infer<typeof RaceSpecSchema>;

/** One mapping of the churn workload, as its log holds it (times on CLOCK_MONOTONIC, ns). */
export const ChurnMappingSchema = z.object({
  generation: z.int().positive().meta(doc('1 for the first mapping, one more for each later one')),
  slot: z.int().nonnegative().meta(doc('arena slot it was mapped at')),
  startAddr: z.int().nonnegative().meta(doc('first address')),
  lengthBytes: z.int().positive().meta(doc('length, bytes')),
  mapStartNs: z.int().nonnegative().meta(doc('just before the mmap call')),
  mapEndNs: z.int().nonnegative().meta(doc('after mmap returned and every page was filled')),
  unmapStartNs: z.int().nonnegative().nullable().meta(doc('just before the unmap; null while it is mapped')),
  unmapEndNs: z.int().nonnegative().nullable().meta(doc('after the unmap returned; null while it is mapped')),
});

/** One mapping of the churn workload's log. */
export type ChurnMapping = z.infer<typeof ChurnMappingSchema>;
