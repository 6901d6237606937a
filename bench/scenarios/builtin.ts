import { HintbenchError } from '../../core/errors.ts';
import { MEMORY_KINDS } from '../../core/schema/enums.ts';
import type { Suite } from '../../core/types.ts';
import { expandMatrix, type Matrix } from './matrix.ts';
import { readSuiteFile } from './suite-file.ts';

/** Matrices of the built-in suites. */
const MATRICES: Record<string, { description: string; matrix: Matrix }> = {
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
    description:
      "COLD and PAGEOUT via process_madvise and ptrace over every memory kind (private anonymous, a file's clean page cache, a dirty shared file mapping, shmem, memfd, THP), 32 MiB of random content each, sleeping target, plus the baseline; 6 repetitions",
    matrix: {
      mechanisms: ['process_madvise', 'ptrace'],
      advices: ['cold', 'pageout'],
      memories: MEMORY_KINDS.map((kind) => ({ kind, content: 'random' as const, sizeMiB: 32, vmas: 1 })),
      targetStates: ['sleeping'],
      baseline: true,
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

/** Names of the built-in suites. */
export function builtinSuiteNames(): string[] {
  return Object.keys(MATRICES);
}

/** A built-in suite by name; an unknown name is a HintbenchError listing the known ones. */
export function builtinSuite(name: string, overrides?: { repetitions?: number }): Suite {
  const entry = MATRICES[name];
  if (entry === undefined) {
    throw new HintbenchError(
      `unknown suite '${name}'`,
      `use one of: ${builtinSuiteNames().join(', ')} (hintbench suites lists them), or the path of a suite file (docs/suites.md)`,
      { exitCode: 2 },
    );
  }
  const matrix = { ...entry.matrix, repetitions: overrides?.repetitions ?? entry.matrix.repetitions };
  return { name, description: entry.description, scenarios: expandMatrix(matrix) };
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
