/**
 * The pressure family of scenarios (the strategy lab, docs/lab.md): a hot/cold working-set
 * workload in a memory cgroup of its own, hinted with one strategy, then put under memory
 * pressure. A scenario of this family carries a `pressure` spec; its samples fill the fields
 * of core/metrics/pressure.ts.
 */
import { z } from 'zod';
import { WorkingSetPartSchema } from './memory.ts';

const doc = (description: string) => ({ description });

/**
 * What the workload is hinted with before the pressure: nothing (the kernel's LRU alone),
 * MADV_COLD on the cold set, MADV_PAGEOUT on the cold set, MADV_PAGEOUT on both sets, or
 * (no hint) proactive reclaim of the cold set's size through the cgroup's memory.reclaim.
 */
export const PRESSURE_STRATEGIES = ['none', 'cold_cold_set', 'pageout_cold_set', 'pageout_all', 'memory_reclaim'] as const;
/**
 * Who delivers the hint: the scenario's mechanism from outside (`external`), or the workload
 * itself, with madvise(2) or with process_madvise(2) on its own pid (the cooperative baselines).
 */
export const PRESSURE_DELIVERIES = ['external', 'self_madvise', 'self_process_madvise'] as const;
/** How pressure is made: the cgroup's limit lowered below the working set, or a balloon process in the same cgroup allocating memory under a fixed limit. */
export const PRESSURE_MODES = ['limit', 'balloon'] as const;

export const PressureStrategySchema = z.enum(PRESSURE_STRATEGIES);
export const PressureDeliverySchema = z.enum(PRESSURE_DELIVERIES);
export const PressureModeSchema = z.enum(PRESSURE_MODES);

/** One strategy of the lab. */
export type PressureStrategy = z.infer<typeof PressureStrategySchema>;
/** Who delivers a strategy's hint. */
export type PressureDelivery = z.infer<typeof PressureDeliverySchema>;
/** How pressure is made. */
export type PressureMode = z.infer<typeof PressureModeSchema>;

/** The pressure part of a scenario. */
export const PressureSpecSchema = z.object({
  strategy: PressureStrategySchema.meta(doc('hint strategy applied before the pressure')),
  delivery: PressureDeliverySchema.meta(doc("who delivers the hint: the scenario's mechanism (`external`) or the workload itself")),
  hot: WorkingSetPartSchema.meta(doc('the set the workload keeps reading')),
  cold: WorkingSetPartSchema.meta(doc('the set it leaves alone after the fill')),
  mode: PressureModeSchema.meta(doc('`limit`: the limit is lowered to `limitMiB`; `balloon`: a balloon in the cgroup allocates `balloonMiB` under the limit `limitMiB`')),
  limitMiB: z.number().positive().meta(doc("the cgroup's memory limit during the pressure phase, MiB")),
  balloonMiB: z.number().positive().nullable().meta(doc('memory the balloon allocates (balloon mode), MiB; null in limit mode')),
});

/** The pressure part of a scenario. */
export type PressureSpec = z.infer<typeof PressureSpecSchema>;

/** One point of a pressure timeline: the workload and its cgroup at `tMs` after the pressure began. */
export const PressureTimelinePointSchema = z.object({
  tMs: z.number().nonnegative().meta(doc('milliseconds since the pressure phase began')),
  rssBytes: z.number().nonnegative().meta(doc('workload VmRSS')),
  swapBytes: z.number().nonnegative().meta(doc('workload VmSwap')),
  cgroupUsageBytes: z.number().nonnegative().meta(doc("the cgroup's memory usage")),
  refaultPages: z.number().nonnegative().nullable().meta(doc('workingset refaults (anon + file) in the cgroup since the phase began; null where memory.stat lacks them')),
  reclaimEvents: z.number().nonnegative().nullable().meta(doc('reclaim events (memcg and direct reclaim ends) since the phase began, from the probe; null when it did not run')),
});

/** One point of a pressure timeline. */
export type PressureTimelinePoint = z.infer<typeof PressureTimelinePointSchema>;
