/**
 * Scenarios of the pressure family (docs/lab.md): strategies x (mechanisms of the external
 * delivery + the workload's own deliveries) x pressure modes over one hot/cold working set.
 * Ids are `pressure/<strategy>/<delivery>/<working set>/<mode>`, e.g.
 * `pressure/pageout_cold_set/ptrace/hot-anon-random-32MiB+cold-anon-random-96MiB/limit-128MiB`.
 */
import type { Advice, HINT_MECHANISMS } from '../../core/schema/enums.ts';
import type { PressureDelivery, PressureMode, PressureSpec, PressureStrategy } from '../../core/schema/pressure.ts';
import type { MechanismName, Scenario } from '../../core/types.ts';
import { checkPressureSizes, defaultLimitMiB } from '../pressure/config.ts';

/** One set of the working set. */
export type PressurePart = PressureSpec['hot'];

/** The axes of a pressure suite; expandPressure() turns them into scenarios. */
export interface PressureMatrix {
  strategies: PressureStrategy[];
  /** Mechanisms of the external delivery of the hinting strategies. */
  mechanisms: (typeof HINT_MECHANISMS)[number][];
  /** The cooperative baselines: each hinting strategy also delivered by the workload itself this way. */
  selfDeliveries: Exclude<PressureDelivery, 'external'>[];
  hot: PressurePart;
  cold: PressurePart;
  modes: PressureMode[];
  /** Limit of `limit` mode, MiB; null: defaultLimitMiB('limit', ...). */
  limitMiB: number | null;
  /** The fixed limit of `balloon` mode, MiB; null: defaultLimitMiB('balloon', ...). */
  balloonLimitMiB: number | null;
  /** Balloon size, MiB; null: the cold set's size. */
  balloonMiB: number | null;
  repetitions: number;
}

/** The advice a strategy delivers (`none` for no hint and for proactive reclaim, which advises nothing). */
export function strategyAdvice(strategy: PressureStrategy): Advice | 'none' {
  switch (strategy) {
    case 'cold_cold_set':
      return 'cold';
    case 'pageout_cold_set':
    case 'pageout_all':
      return 'pageout';
    default:
      return 'none';
  }
}

/** Short label of a set, e.g. `anon-random-32MiB`. */
function partLabel(p: PressurePart): string {
  return `${p.kind}-${p.content}-${p.sizeMiB}MiB`;
}

/** Stable id of a pressure scenario. */
export function pressureScenarioId(spec: PressureSpec, mechanism: MechanismName): string {
  const by = spec.delivery !== 'external' ? spec.delivery : spec.strategy === 'memory_reclaim' ? 'memory.reclaim' : mechanism;
  const mode = spec.mode === 'limit' ? `limit-${spec.limitMiB}MiB` : `balloon-${spec.balloonMiB}MiB-limit-${spec.limitMiB}MiB`;
  return `pressure/${spec.strategy}/${by}/hot-${partLabel(spec.hot)}+cold-${partLabel(spec.cold)}/${mode}`;
}

/** The scenario of one spec. */
export function pressureScenario(spec: PressureSpec, mechanism: MechanismName, repetitions: number): Scenario {
  return {
    id: pressureScenarioId(spec, mechanism),
    mechanism,
    advice: strategyAdvice(spec.strategy),
    // The working set as the memory plan and the reports see it: both sets, two VMAs.
    memory: { kind: spec.hot.kind, content: spec.hot.content, sizeMiB: spec.hot.sizeMiB + spec.cold.sizeMiB, vmas: 2 },
    targetState: 'sleeping',
    repetitions,
    pressure: spec,
  };
}

/**
 * Expands a pressure matrix, mode-major, then strategy by strategy: `none` and
 * `memory_reclaim` once (no mechanism), each hinting strategy once per mechanism and once per
 * self delivery. Throws a HintbenchError naming the field when a mode's sizes cannot work
 * (field names as in suite files: `pressure.limitMiB`, ...).
 */
export function expandPressure(m: PressureMatrix): Scenario[] {
  const out: Scenario[] = [];
  for (const mode of m.modes) {
    const limitMiB = (mode === 'limit' ? m.limitMiB : m.balloonLimitMiB) ?? defaultLimitMiB(mode, m.hot.sizeMiB, m.cold.sizeMiB);
    const balloonMiB = mode === 'balloon' ? (m.balloonMiB ?? m.cold.sizeMiB) : null;
    const names = {
      hotMiB: 'field pressure.hot.sizeMiB',
      limitMiB: mode === 'limit' ? 'field pressure.limitMiB' : 'field pressure.balloonLimitMiB',
      balloonMiB: 'field pressure.balloonMiB',
    } as const;
    checkPressureSizes({ hotMiB: m.hot.sizeMiB, coldMiB: m.cold.sizeMiB, limitMiB, mode, balloonMiB }, (f) => names[f]);
    const spec = (strategy: PressureStrategy, delivery: PressureDelivery): PressureSpec => ({ strategy, delivery, hot: m.hot, cold: m.cold, mode, limitMiB, balloonMiB });
    for (const strategy of m.strategies) {
      if (strategyAdvice(strategy) === 'none') {
        out.push(pressureScenario(spec(strategy, 'external'), 'none', m.repetitions));
        continue;
      }
      for (const mechanism of m.mechanisms) out.push(pressureScenario(spec(strategy, 'external'), mechanism, m.repetitions));
      for (const delivery of m.selfDeliveries) out.push(pressureScenario(spec(strategy, delivery), 'none', m.repetitions));
    }
  }
  return out;
}
