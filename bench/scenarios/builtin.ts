import { HintbenchError } from '../../core/errors.ts';
import { MEMORY_KINDS } from '../../core/schema/enums.ts';
import type { Scenario, Suite } from '../../core/types.ts';
import { CLAIMS_DESCRIPTION, claimsScenarios } from './claims.ts';
import { expandMatrix, type Matrix } from './matrix.ts';
import { expandPressure, type PressureMatrix } from './pressure.ts';
import { readSuiteFile } from './suite-file.ts';

/** A built-in suite: the matrix of the hint family or of the pressure family, and its default time budget when it has one. */
type BuiltinEntry = { description: string; defaultTimeBudgetMs?: number } & ({ matrix: Matrix } | { pressure: PressureMatrix });

/**
 * Default time budget of the `pressure` suite, ms: 13 scenarios of about 2.5 s per sample
 * (a fresh workload in a fresh memory cgroup, two hot-set measurements, the pressure, a
 * re-touch) give one warm-up block and the 6 measured ones of an adaptive run on 2 vCPUs.
 */
export const PRESSURE_SUITE_BUDGET_MS = 4 * 60_000;

/**
 * Default time budget of the `kinds` suite: 6 measured repetitions of its 30 scenarios took
 * 91 s here (blocks of about 13 s), so 2.5 minutes leaves room for a few more blocks when a
 * key metric's interval is still wide.
 */
export const KINDS_SUITE_BUDGET_MS = 150_000;

/** Matrices of the built-in suites. */
const MATRICES: Record<string, BuiltinEntry> = {
  default: {
    description:
      'COLD and PAGEOUT via process_madvise and ptrace injection of 128 MiB random and 64 MiB zero-filled anon memory, target running and sleeping, plus the no-hint baseline; 6 repetitions (the fewest with a 95 % median interval) after one warm-up',
    matrix: {
      mechanisms: ['process_madvise', 'ptrace'],
      advices: ['cold', 'pageout'],
      memories: [
        { kind: 'anon', content: 'random', sizeMiB: 128, vmas: 1 },
        { kind: 'anon', content: 'zero', sizeMiB: 64, vmas: 1 },
      ],
      targetStates: ['running', 'sleeping'],
      baseline: true,
      repetitions: 6,
    },
  },
  states: {
    description:
      'PAGEOUT of 64 MiB random anon memory via process_madvise and ptrace against targets running, sleeping, stopped (SIGSTOP) and frozen (cgroup freezer), plus the baseline; 3 repetitions',
    matrix: {
      mechanisms: ['process_madvise', 'ptrace'],
      advices: ['pageout'],
      memories: [{ kind: 'anon', content: 'random', sizeMiB: 64, vmas: 1 }],
      targetStates: ['running', 'sleeping', 'stopped', 'frozen'],
      baseline: true,
      repetitions: 3,
    },
  },
  kinds: {
    defaultTimeBudgetMs: KINDS_SUITE_BUDGET_MS,
    description:
      "COLD and PAGEOUT via process_madvise and ptrace over every memory kind (private anonymous, a file's clean page cache, a dirty shared file mapping, shmem, memfd, THP), 32 MiB of random content each, sleeping target, plus the baseline; at least 6 repetitions, adaptive under a 2.5-minute budget",
    matrix: {
      mechanisms: ['process_madvise', 'ptrace'],
      advices: ['cold', 'pageout'],
      memories: MEMORY_KINDS.map((kind) => ({ kind, content: 'random' as const, sizeMiB: 32, vmas: 1 })),
      targetStates: ['sleeping'],
      baseline: true,
      repetitions: 6,
    },
  },
  pressure: {
    description:
      'strategy lab: a 32 MiB hot + 96 MiB cold set of random anon memory in a memory cgroup whose limit drops to 120 MiB after the hint; no hint, COLD of the cold set, PAGEOUT of the cold set, PAGEOUT of everything, each via process_madvise and ptrace and delivered by the workload itself (madvise, process_madvise on its own pid), plus proactive reclaim (cgroup v2 memory.reclaim) where the host has it; time budget 4 min',
    defaultTimeBudgetMs: PRESSURE_SUITE_BUDGET_MS,
    pressure: {
      strategies: ['none', 'cold_cold_set', 'pageout_cold_set', 'pageout_all', 'memory_reclaim'],
      mechanisms: ['process_madvise', 'ptrace'],
      selfDeliveries: ['self_madvise', 'self_process_madvise'],
      hot: { kind: 'anon', content: 'random', sizeMiB: 32 },
      cold: { kind: 'anon', content: 'random', sizeMiB: 96 },
      modes: ['limit'],
      limitMiB: null,
      balloonLimitMiB: null,
      balloonMiB: null,
      repetitions: 6,
    },
  },
  smoke: {
    description: 'COLD and PAGEOUT via process_madvise and ptrace of 16 MiB random anon memory, sleeping target, 2 repetitions, plus the baseline',
    matrix: {
      mechanisms: ['process_madvise', 'ptrace'],
      advices: ['cold', 'pageout'],
      memories: [{ kind: 'anon', content: 'random', sizeMiB: 16, vmas: 1 }],
      targetStates: ['sleeping'],
      baseline: true,
      repetitions: 2,
    },
  },
};

/** Built-in suites composed of parts rather than one matrix. */
const COMPOSED: Record<string, { description: string; scenarios: (repetitions?: number) => Scenario[] }> = {
  claims: { description: CLAIMS_DESCRIPTION, scenarios: claimsScenarios },
};

/** Names of the built-in suites. */
export function builtinSuiteNames(): string[] {
  return [...Object.keys(MATRICES), ...Object.keys(COMPOSED)];
}

/** A built-in suite by name; an unknown name is a HintbenchError listing the known ones. */
export function builtinSuite(name: string, overrides?: { repetitions?: number }): Suite {
  const composed = COMPOSED[name];
  if (composed !== undefined) return { name, description: composed.description, scenarios: composed.scenarios(overrides?.repetitions) };
  const entry = MATRICES[name];
  if (entry === undefined) {
    throw new HintbenchError(
      `unknown suite '${name}'`,
      `use one of: ${builtinSuiteNames().join(', ')} (hintbench suites lists them), or the path of a suite file (docs/suites.md)`,
      { exitCode: 2 },
    );
  }
  const budget = entry.defaultTimeBudgetMs === undefined ? {} : { defaultTimeBudgetMs: entry.defaultTimeBudgetMs };
  if ('pressure' in entry) {
    const pressure = { ...entry.pressure, repetitions: overrides?.repetitions ?? entry.pressure.repetitions };
    return { name, description: entry.description, scenarios: expandPressure(pressure), ...budget };
  }
  const matrix = { ...entry.matrix, repetitions: overrides?.repetitions ?? entry.matrix.repetitions };
  return { name, description: entry.description, scenarios: expandMatrix(matrix), ...budget };
}

/**
 * The suite `nameOrPath` names: a built-in suite, or a JSON suite file when the argument
 * ends in `.json` or contains a `/`.
 */
export function resolveSuite(nameOrPath: string, overrides?: { repetitions?: number }): Suite {
  if (!nameOrPath.endsWith('.json') && !nameOrPath.includes('/')) return builtinSuite(nameOrPath, overrides);
  const suite = readSuiteFile(nameOrPath);
  if (overrides?.repetitions === undefined) return suite;
  return { ...suite, scenarios: suite.scenarios.map((s) => ({ ...s, repetitions: overrides.repetitions! })) };
}
