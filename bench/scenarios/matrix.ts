import type { Advice, MechanismName, MemorySpec, Scenario, TargetState } from '../../core/types.ts';

/** The axes of a suite; expandMatrix() turns them into scenarios. */
export interface Matrix {
  /** Mechanisms that deliver a hint (the `none` baseline is added by `baseline`). */
  mechanisms: Exclude<MechanismName, 'none'>[];
  advices: Advice[];
  memories: MemorySpec[];
  targetStates: TargetState[];
  /** Add the `none` baseline (same phases, no hint) once per memory and state. */
  baseline: boolean;
  repetitions: number;
}

/** Short label of a memory spec, e.g. `anon-random-256MiB-1vma`. */
export function memoryLabel(m: MemorySpec): string {
  return `${m.kind}-${m.content}-${m.sizeMiB}MiB-${m.vmas}vma`;
}

/** Stable scenario id: `mechanism/advice/memory/state`. */
export function scenarioId(mechanism: MechanismName, advice: Advice | 'none', memory: MemorySpec, state: TargetState): string {
  return `${mechanism}/${advice}/${memoryLabel(memory)}/${state}`;
}

/**
 * Expands a matrix into scenarios, memory-major so that one memory configuration's
 * scenarios (and their baseline) run next to each other.
 */
export function expandMatrix(matrix: Matrix): Scenario[] {
  const out: Scenario[] = [];
  for (const memory of matrix.memories) {
    for (const targetState of matrix.targetStates) {
      if (matrix.baseline) {
        out.push({ id: scenarioId('none', 'none', memory, targetState), mechanism: 'none', advice: 'none', memory, targetState, repetitions: matrix.repetitions });
      }
      for (const mechanism of matrix.mechanisms) {
        for (const advice of matrix.advices) {
          out.push({ id: scenarioId(mechanism, advice, memory, targetState), mechanism, advice, memory, targetState, repetitions: matrix.repetitions });
        }
      }
    }
  }
  return out;
}
