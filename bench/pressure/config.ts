/**
 * Configuration of the strategy lab (bench/benchmarks/pressure-lab.ts): the working set, the
 * memory limit that makes the pressure, the strategies, the measurement rate; checked field
 * by field, each bad value a one-line HintbenchError naming its flag.
 */
import { CONTENTS, HINT_MECHANISMS, MEMORY_KINDS, isOneOf } from '../../core/schema/enums.ts';
import { HintbenchError } from '../../core/errors.ts';
import type { WorkingSetSpec } from '../../workloads/working-set-options.ts';

/**
 * What a hot/cold workload is hinted with before the pressure: nothing (the kernel's LRU
 * alone), MADV_COLD on the cold set, MADV_PAGEOUT on the cold set, MADV_PAGEOUT on both sets.
 */
export const STRATEGIES = ['none', 'cold_cold_set', 'pageout_cold_set', 'pageout_all'] as const;
/** One strategy. */
export type Strategy = (typeof STRATEGIES)[number];

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
  /** How the hints are delivered. */
  via: (typeof HINT_MECHANISMS)[number];
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

/** Checks the lab's flags and fills in defaults; throws a HintbenchError naming the first bad flag. */
export function parseLabConfig(flags: LabFlags): LabConfig {
  const hotMiB = positiveNumber(flags, 'hot-mib', 64);
  const coldMiB = positiveNumber(flags, 'cold-mib', 192);
  const content = flags.content ?? 'random';
  if (!isOneOf(CONTENTS, content)) throw bad('content', `is not a content: ${JSON.stringify(content)}`, `use one of ${CONTENTS.join(', ')}`);
  const spec: WorkingSetSpec = { hot: { kind: kindFlag(flags, 'hot-kind'), content, sizeMiB: hotMiB }, cold: { kind: kindFlag(flags, 'cold-kind'), content, sizeMiB: coldMiB } };
  // Default limit: the runtime, the hot set and a quarter of the cold set.
  const limitMiB = positiveNumber(flags, 'limit-mib', Math.ceil(RUNTIME_MIB + hotMiB + coldMiB / 4));
  if (limitMiB < RUNTIME_MIB)
    throw bad('limit-mib', `${limitMiB} is below the ${RUNTIME_MIB} MiB the workload needs to start (the Node.js runtime)`, `pass --limit-mib of at least ${RUNTIME_MIB + hotMiB}`);
  if (hotMiB + RUNTIME_MIB > limitMiB)
    throw bad(
      'hot-mib',
      `${hotMiB} MiB does not fit under --limit-mib ${limitMiB} with the ${RUNTIME_MIB} MiB runtime`,
      `use a hot set of at most ${limitMiB - RUNTIME_MIB} MiB or raise --limit-mib`,
    );
  if (limitMiB >= RUNTIME_MIB + hotMiB + coldMiB)
    throw bad(
      'limit-mib',
      `${limitMiB} leaves room for the whole working set (${RUNTIME_MIB + hotMiB + coldMiB} MiB with the runtime): there would be no pressure`,
      `pass a limit below ${RUNTIME_MIB + hotMiB + coldMiB}`,
    );
  const strategies = (flags.strategies ?? STRATEGIES.join(',')).split(',').map((s) => s.trim());
  for (const s of strategies)
    if (!isOneOf(STRATEGIES, s)) throw bad('strategies', `names an unknown strategy ${JSON.stringify(s)}`, `use a comma-separated list of ${STRATEGIES.join(', ')}`);
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
    repeat: positiveNumber(flags, 'repeat', 3, true),
    batches,
    batchPages,
    intervalMs: positiveNumber(flags, 'interval-ms', 25),
    ...(flags['file-dir'] === undefined ? {} : { fileDir: flags['file-dir'] }),
  };
}
