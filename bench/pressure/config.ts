/**
 * Configuration of the strategy lab (bench/benchmarks/pressure-lab.ts): the working set, the
 * memory limit that makes the pressure, the strategies, the measurement rate; checked field
 * by field, each bad value a one-line HintbenchError naming its flag.
 */
import { CONTENTS, HINT_MECHANISMS, MEMORY_KINDS, isOneOf } from '../../core/schema/enums.ts';
import { HintbenchError } from '../../core/errors.ts';
import { PRESSURE_STRATEGIES, type PressureDelivery, type PressureMode, type PressureSpec, type PressureStrategy } from '../../core/schema/pressure.ts';
import type { WorkingSetSpec } from '../../workloads/working-set-options.ts';
import { DEFAULT_TIMELINE_INTERVAL_MS } from './timeline.ts';

/**
 * The strategies the lab driver runs by default: nothing (the kernel's LRU alone), MADV_COLD
 * on the cold set, MADV_PAGEOUT on the cold set, MADV_PAGEOUT on both sets.
 */
export const STRATEGIES = ['none', 'cold_cold_set', 'pageout_cold_set', 'pageout_all'] as const;
/** One strategy (core/schema/pressure.ts), proactive reclaim through memory.reclaim included. */
export type Strategy = PressureStrategy;

/**
 * Memory the working-set workload needs before its sets (the Node.js runtime and tsx), MiB:
 * measured on Node 20 as 49-58 MiB charged to its memory cgroup at `ready` with 1 MiB sets.
 */
export const RUNTIME_MIB = 64;

/** Everything one lab run needs. */
export interface LabConfig {
  /** Hot and cold sets. */
  spec: WorkingSetSpec;
  /** Memory limit of the workload's cgroup during the pressure phase, MiB. */
  limitMiB: number;
  /** Strategies in the order they run. */
  strategies: Strategy[];
  /** How an external hint is delivered. */
  via: (typeof HINT_MECHANISMS)[number];
  /** Who delivers the hint: `via` from outside, or the workload itself. */
  delivery: PressureDelivery;
  /** `limit`: the limit drops to limitMiB after the hint; `balloon`: limitMiB from the start, a balloon of balloonMiB makes the pressure. */
  mode: PressureMode;
  /** Balloon size, MiB (balloon mode), else null. */
  balloonMiB: number | null;
  /** Interval of the pressure timeline, ms. */
  timelineIntervalMs: number;
  /** Samples per strategy (each a fresh workload in a fresh cgroup). */
  repeat: number;
  /** Measurement: batches, pages per batch, and the interval between batch starts (ms). */
  batches: number;
  batchPages: number;
  intervalMs: number;
  /** Directory for the files of file-backed kinds. */
  fileDir?: string;
}

/** Raw flag values as parseArgs gives them. */
export type LabFlags = Partial<
  Record<
    'hot-mib' | 'cold-mib' | 'hot-kind' | 'cold-kind' | 'content' | 'limit-mib' | 'strategies' | 'repeat' | 'batches' | 'batch-pages' | 'interval-ms' | 'file-dir' | 'via',
    string
  >
>;

function bad(flag: string, message: string, fix: string): HintbenchError {
  return new HintbenchError(`--${flag} ${message}`, fix);
}

function positiveNumber(flags: LabFlags, flag: keyof LabFlags, fallback: number, integer = false): number {
  const raw = flags[flag];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw bad(flag, `must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(raw)}`, `pass e.g. --${flag} ${fallback}`);
  return n;
}

function kindFlag(flags: LabFlags, flag: 'hot-kind' | 'cold-kind'): (typeof MEMORY_KINDS)[number] {
  const raw = flags[flag] ?? 'anon';
  if (!isOneOf(MEMORY_KINDS, raw)) throw bad(flag, `is not a memory kind: ${JSON.stringify(raw)}`, `use one of ${MEMORY_KINDS.join(', ')}`);
  return raw;
}

/** Sizes of a pressure configuration, MiB. */
export interface PressureSizes {
  hotMiB: number;
  coldMiB: number;
  limitMiB: number;
  mode: PressureMode;
  balloonMiB: number | null;
}

/** The memory the balloon process of balloon mode needs besides its fill (the same Node.js runtime as the workload), MiB. */
export const BALLOON_RUNTIME_MIB = RUNTIME_MIB;

/** The default limit of a mode: limit mode, the runtime + the hot set + a quarter of the cold set; balloon mode, room for the whole working set plus 32 MiB. */
export function defaultLimitMiB(mode: PressureMode, hotMiB: number, coldMiB: number): number {
  return mode === 'limit' ? Math.ceil(RUNTIME_MIB + hotMiB + coldMiB / 4) : Math.ceil(RUNTIME_MIB + hotMiB + coldMiB + 32);
}

/**
 * Checks that a configuration can start and makes pressure; `field` names each value the way
 * its source does (a flag, a suite-file field). Throws a one-line HintbenchError naming the
 * first bad one.
 */
export function checkPressureSizes(z: PressureSizes, field: (name: 'hotMiB' | 'limitMiB' | 'balloonMiB') => string): void {
  const { hotMiB, coldMiB, limitMiB } = z;
  const all = RUNTIME_MIB + hotMiB + coldMiB;
  if (limitMiB < RUNTIME_MIB)
    throw new HintbenchError(
      `${field('limitMiB')} ${limitMiB} is below the ${RUNTIME_MIB} MiB the workload needs to start (the Node.js runtime)`,
      `raise ${field('limitMiB')} to at least ${RUNTIME_MIB + hotMiB}`,
    );
  if (hotMiB + RUNTIME_MIB > limitMiB)
    throw new HintbenchError(
      `${field('hotMiB')} ${hotMiB} MiB does not fit under ${field('limitMiB')} ${limitMiB} with the ${RUNTIME_MIB} MiB runtime`,
      `use a hot set of at most ${limitMiB - RUNTIME_MIB} MiB or raise the limit`,
    );
  if (z.mode === 'limit') {
    if (limitMiB >= all)
      throw new HintbenchError(
        `${field('limitMiB')} ${limitMiB} leaves room for the whole working set (${all} MiB with the runtime): there would be no pressure`,
        `use a limit below ${all}`,
      );
    return;
  }
  if (limitMiB < all)
    throw new HintbenchError(
      `${field('limitMiB')} ${limitMiB} is below the working set (${all} MiB with the runtime): in balloon mode the limit is fixed from the start and the pressure must come from the balloon`,
      `use a limit of at least ${all}, e.g. ${defaultLimitMiB('balloon', hotMiB, coldMiB)}`,
    );
  const balloonMiB = z.balloonMiB ?? 0;
  if (balloonMiB + BALLOON_RUNTIME_MIB <= limitMiB - all)
    throw new HintbenchError(
      `${field('balloonMiB')} ${balloonMiB} fits in the ${limitMiB - all} MiB the working set leaves under the limit (with its ${BALLOON_RUNTIME_MIB} MiB runtime): there would be no pressure`,
      `use a balloon above ${Math.max(1, limitMiB - all - BALLOON_RUNTIME_MIB)} MiB, e.g. ${coldMiB}`,
    );
}

/** Measurement of a pressure scenario: `batches` (default 20) batches, one every 25 ms, reading the hot set twice. */
export function measureDefaults(hotMiB: number, batches = 20): { batches: number; batchPages: number; intervalMs: number } {
  const hotPages = Math.ceil((hotMiB * 1024 * 1024) / 4096);
  return { batches, batchPages: Math.max(1, Math.ceil((2 * hotPages) / batches)), intervalMs: 25 };
}

/** The configuration of one sample of a pressure scenario; `via` is the scenario's mechanism for an external delivery. */
export function labConfigOfSpec(spec: PressureSpec, via: (typeof HINT_MECHANISMS)[number], fileDir?: string): LabConfig {
  return {
    spec: { hot: spec.hot, cold: spec.cold },
    limitMiB: spec.limitMiB,
    strategies: [spec.strategy],
    via,
    delivery: spec.delivery,
    mode: spec.mode,
    balloonMiB: spec.balloonMiB,
    timelineIntervalMs: DEFAULT_TIMELINE_INTERVAL_MS,
    repeat: 1,
    ...measureDefaults(spec.hot.sizeMiB),
    ...(fileDir === undefined ? {} : { fileDir }),
  };
}

/** Checks the lab's flags and fills in defaults; throws a HintbenchError naming the first bad flag. */
export function parseLabConfig(flags: LabFlags): LabConfig {
  const hotMiB = positiveNumber(flags, 'hot-mib', 64);
  const coldMiB = positiveNumber(flags, 'cold-mib', 192);
  const content = flags.content ?? 'random';
  if (!isOneOf(CONTENTS, content)) throw bad('content', `is not a content: ${JSON.stringify(content)}`, `use one of ${CONTENTS.join(', ')}`);
  const spec: WorkingSetSpec = { hot: { kind: kindFlag(flags, 'hot-kind'), content, sizeMiB: hotMiB }, cold: { kind: kindFlag(flags, 'cold-kind'), content, sizeMiB: coldMiB } };
  const limitMiB = positiveNumber(flags, 'limit-mib', defaultLimitMiB('limit', hotMiB, coldMiB));
  const flagOf = { hotMiB: '--hot-mib', limitMiB: '--limit-mib', balloonMiB: '--balloon-mib' } as const;
  checkPressureSizes({ hotMiB, coldMiB, limitMiB, mode: 'limit', balloonMiB: null }, (f) => flagOf[f]);
  const strategies = (flags.strategies ?? STRATEGIES.join(',')).split(',').map((s) => s.trim());
  for (const s of strategies)
    if (!isOneOf(PRESSURE_STRATEGIES, s))
      throw bad('strategies', `names an unknown strategy ${JSON.stringify(s)}`, `use a comma-separated list of ${PRESSURE_STRATEGIES.join(', ')}`);
  const via = flags.via ?? 'process_madvise';
  if (!isOneOf(HINT_MECHANISMS, via)) throw bad('via', `is not a hint mechanism: ${JSON.stringify(via)}`, `use one of ${HINT_MECHANISMS.join(', ')}`);
  const batches = positiveNumber(flags, 'batches', 40, true);
  const hotPages = Math.ceil((hotMiB * 1024 * 1024) / 4096);
  // Default: the measurement reads the whole hot set twice.
  const batchPages = positiveNumber(flags, 'batch-pages', Math.max(1, Math.ceil((2 * hotPages) / batches)), true);
  return {
    spec,
    limitMiB,
    strategies: strategies as Strategy[],
    via,
    delivery: 'external',
    mode: 'limit',
    balloonMiB: null,
    timelineIntervalMs: DEFAULT_TIMELINE_INTERVAL_MS,
    repeat: positiveNumber(flags, 'repeat', 3, true),
    batches,
    batchPages,
    intervalMs: positiveNumber(flags, 'interval-ms', 25),
    ...(flags['file-dir'] === undefined ? {} : { fileDir: flags['file-dir'] }),
  };
}
