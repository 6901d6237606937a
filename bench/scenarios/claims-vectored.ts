/**
 * The vectored-calls experiment of the claims suite (docs/claims.md): per K, one scenario per
 * way of making the calls: process_madvise with iovecs (`vector`), K single-range
 * process_madvise calls, and one ptrace injection of K madvise calls.
 */
import type { VectoredCalls, VectoredModeName, VectoredSpec } from '../../core/schema/vectored.ts';
import type { Advice, Content, MechanismName, Scenario } from '../../core/types.ts';

/** A way of hinting K ranges: the mechanism and how the ranges are split into calls. */
export interface VectoredMode {
  mechanism: Exclude<MechanismName, 'none'>;
  calls: VectoredCalls;
}

/** The mode a suite file names. */
export const VECTORED_MODE_BY_NAME: Readonly<Record<VectoredModeName, VectoredMode>> = {
  vector: { mechanism: 'process_madvise', calls: 'vector' },
  'per-range': { mechanism: 'process_madvise', calls: 'per-range' },
  inject: { mechanism: 'ptrace', calls: 'per-range' },
};

/** The three modes compared: one vectored call (per 1024 ranges), K process_madvise calls, K injected madvise calls. */
export const VECTORED_MODES: readonly VectoredMode[] = [VECTORED_MODE_BY_NAME.vector, VECTORED_MODE_BY_NAME['per-range'], VECTORED_MODE_BY_NAME.inject];

/** What a vectored experiment runs. */
export interface VectoredOptions {
  /** The values of K. */
  ranges: number[];
  /** Size of each range (one VMA each), KiB; a multiple of the page size. */
  rangeKiB: number;
  content: Content;
  advices: Advice[];
  modes: VectoredMode[];
  /** Measured samples per scenario. */
  repetitions: number;
}

/**
 * Defaults sized to run in about 60 s on 2 vCPUs: K = 1, 64, 1024 and 4096 ranges of one 4 KiB
 * page each (random content), MADV_COLD (cheap per page, so the per-call overhead shows), the
 * three modes, 6 samples per scenario (the fewest whose median gets a 95 % interval) after one
 * warm-up: 84 workloads of at most 16 MiB.
 */
export const DEFAULT_VECTORED: Readonly<VectoredOptions> = {
  ranges: [1, 64, 1024, 4096],
  rangeKiB: 4,
  content: 'random',
  advices: ['cold'],
  modes: [...VECTORED_MODES],
  repetitions: 6,
};

/** Stable id: `vectored/<mechanism>/<advice>/<calls>/K<ranges>x<KiB>KiB-<content>`. */
export function vectoredScenarioId(mode: VectoredMode, advice: Advice, spec: VectoredSpec, rangeKiB: number, content: Content): string {
  return `vectored/${mode.mechanism}/${advice}/${mode.calls}/K${spec.ranges}x${rangeKiB}KiB-${content}`;
}

/** The vectored scenarios of `opts` (K-major, then advice, then mode). */
export function vectoredScenarios(opts: VectoredOptions = DEFAULT_VECTORED): Scenario[] {
  const out: Scenario[] = [];
  for (const ranges of opts.ranges) {
    const memory = { kind: 'anon' as const, content: opts.content, sizeMiB: (ranges * opts.rangeKiB) / 1024, vmas: ranges };
    for (const advice of opts.advices) {
      for (const mode of opts.modes) {
        const vectored: VectoredSpec = { ranges, calls: mode.calls };
        out.push({
          id: vectoredScenarioId(mode, advice, vectored, opts.rangeKiB, opts.content),
          mechanism: mode.mechanism,
          advice,
          memory,
          targetState: 'sleeping',
          repetitions: opts.repetitions,
          vectored,
        });
      }
    }
  }
  return out;
}
