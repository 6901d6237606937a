import { HintbenchError } from '../errors.ts';
import type { OptionValues } from './types.ts';

/** A string option's value, or undefined. */
export function stringOpt(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A positive integer option, or `fallback`; a bad value is an error naming the flag. */
export function intOpt(values: OptionValues, name: string, fallback: number, min = 1): number {
  const v = stringOpt(values, name);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new HintbenchError(`--${name} must be an integer >= ${min}, got '${v}'`, `pass e.g. --${name} ${Math.max(min, fallback)}`);
  return Number(v);
}

/** Throws when positionals were given to a command that takes none. */
export function noPositionals(command: string, positionals: string[]): void {
  if (positionals.length > 0) throw new HintbenchError(`unexpected argument '${positionals[0]}' for hintbench ${command}`, `run hintbench ${command} --help`);
}

/** Throws unless running as root. */
export function requireRoot(what: string): void {
  if (process.getuid?.() !== 0) {
    throw new HintbenchError(`${what} needs root (process_madvise needs CAP_SYS_NICE, bpftrace needs CAP_BPF and CAP_PERFMON, swap set-up needs CAP_SYS_ADMIN)`, `run it as root, e.g. sudo hintbench ${what.replace(/^hintbench /, '')}`, { exitCode: 1 });
  }
}
