/**
 * Command line of the working-set workload (workloads/working-set.ts), both ways: the runner
 * builds it from a spec, the workload parses it back and names the flag that is wrong.
 */
import { parseArgs } from 'node:util';
import { CONTENTS, MEMORY_KINDS, isOneOf } from '../core/schema/enums.ts';
import type { WorkingSetSpecSchema } from '../core/schema/memory.ts';
import type { z } from 'zod';
import { quantileOfSorted } from '../core/stats/quantiles.ts';
import { defaultFileDir } from './kinds.ts';
import { fileURLToPath } from 'node:url';

/** The memory of a working-set workload. */
export type WorkingSetSpec = z.infer<typeof WorkingSetSpecSchema>;

/** Parsed command line of the working-set workload. */
export interface WorkingSetOptions {
  spec: WorkingSetSpec;
  /** Directory for the files of file-backed kinds. */
  fileDir: string;
}

/** The workload's arguments for a spec. */
export function workingSetArgs(spec: WorkingSetSpec, fileDir?: string): string[] {
  const args: string[] = [];
  for (const role of ['hot', 'cold'] as const) {
    const part = spec[role];
    args.push(`--${role}-mib`, String(part.sizeMiB), `--${role}-kind`, part.kind, `--${role}-content`, part.content);
  }
  return fileDir === undefined ? args : [...args, '--file-dir', fileDir];
}

/** Parses the workload's arguments; throws Error naming the flag on anything invalid. */
export function parseWorkingSetOptions(argv: string[]): WorkingSetOptions {
  const str = { type: 'string' } as const;
  const { values } = parseArgs({
    args: argv,
    options: {
      'hot-mib': str,
      'hot-kind': { type: 'string', default: 'anon' },
      'hot-content': { type: 'string', default: 'random' },
      'cold-mib': str,
      'cold-kind': { type: 'string', default: 'anon' },
      'cold-content': { type: 'string', default: 'random' },
      'file-dir': { type: 'string', default: defaultFileDir() },
    },
    strict: true,
  });
  const part = (role: 'hot' | 'cold'): WorkingSetSpec['hot'] => {
    const sizeMiB = Number(values[`${role}-mib`]);
    if (!(sizeMiB > 0) || !Number.isFinite(sizeMiB)) throw new Error(`--${role}-mib must be a positive number, got ${values[`${role}-mib`]}`);
    const kind = values[`${role}-kind`];
    if (!isOneOf(MEMORY_KINDS, kind)) throw new Error(`--${role}-kind must be one of ${MEMORY_KINDS.join(', ')}, got ${kind}`);
    const content = values[`${role}-content`];
    if (!isOneOf(CONTENTS, content)) throw new Error(`--${role}-content must be one of ${CONTENTS.join(', ')}, got ${content}`);
    return { sizeMiB, kind, content };
  };
  return { spec: { hot: part('hot'), cold: part('cold') }, fileDir: values['file-dir'] };
}

/** Path of the working-set workload program. */
export const WORKING_SET_PROGRAM = fileURLToPath(new URL('./working-set.ts', import.meta.url));

/** Access-time quantiles of values (ns), rounded to whole ns; zeros when there are none. */
export function latencyQuantiles(values: Float64Array): { p50Ns: number; p99Ns: number; maxNs: number } {
  if (values.length === 0) return { p50Ns: 0, p99Ns: 0, maxNs: 0 };
  const sorted = Array.from(values.slice().sort());
  const q = (p: number): number => Math.max(0, Math.round(quantileOfSorted(sorted, p)));
  return { p50Ns: q(0.5), p99Ns: q(0.99), maxNs: q(1) };
}
