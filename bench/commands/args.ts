import { HintbenchError } from '../../core/errors.ts';
import { requireRoot } from '../../core/process/privileges.ts';
import type { OptionValues } from './types.ts';

/** A string option's value, or undefined. */
export function stringOpt(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** Exit code of every command-line error: an unknown command or flag, a missing, malformed or out-of-range value, an unexpected argument. */
export const USAGE_EXIT = 2;

/**
 * An error in the command line itself, found before anything is done (exit USAGE_EXIT).
 * Errors that depend on the system (a pid that does not exist, a file that cannot be read,
 * a host that is not ready) are plain HintbenchErrors (exit 1).
 */
export function usageError(message: string, fix: string): HintbenchError {
  return new HintbenchError(message, fix, { exitCode: USAGE_EXIT });
}

/** A value as it may be quoted in a message: at most 24 characters. */
function quoted(v: string): string {
  return v.length <= 24 ? v : `${v.slice(0, 21)}...`;
}

/**
 * An integer option within [min, max], or `fallback` when absent; a bad value is an error
 * naming the flag. Values beyond `max` (default: the largest integer a Number holds exactly)
 * are refused however many digits they have.
 */
export function intOpt(values: OptionValues, name: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const v = stringOpt(values, name);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || BigInt(v) < BigInt(min)) throw usageError(`--${name} must be an integer >= ${min}, got '${quoted(v)}'`, `pass e.g. --${name} ${Math.max(min, fallback)}`);
  if (BigInt(v) > BigInt(max)) throw usageError(`--${name} ${quoted(v)} is too large: at most ${max}`, `pass --${name} ${max} or less`);
  return Number(v);
}

/** Throws when positionals were given to a command that takes none. */
export function noPositionals(command: string, positionals: string[]): void {
  if (positionals.length > 0) throw usageError(`unexpected argument '${positionals[0]}' for hintbench ${command}`, `run hintbench ${command} --help`);
}

/** Throws unless running as root; `command` is the hintbench command, e.g. `hintbench run`. */
export function requireRootFor(command: string): void {
  requireRoot(command, 'process_madvise needs CAP_SYS_NICE, bpftrace needs CAP_BPF and CAP_PERFMON, swap set-up needs CAP_SYS_ADMIN', command);
}

/** Node's parseArgs error, as far as hintbench reads it. */
interface ParseArgsFailure {
  code?: string;
  message: string;
}

/** Known option names close to `given` (a prefix of it or it of them, or one edit apart), for "did you mean". */
function closeOptions(given: string, known: readonly string[]): string[] {
  const g = given.replace(/^-+/, '').split('=')[0]!;
  if (g === '') return [];
  const oneEditApart = (a: string, b: string): boolean => {
    if (Math.abs(a.length - b.length) > 1) return false;
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    return a.slice(i + (a.length >= b.length ? 1 : 0)) === b.slice(i + (b.length >= a.length ? 1 : 0));
  };
  return known.filter((k) => k.startsWith(g) || g.startsWith(k) || oneEditApart(g, k));
}

/**
 * Translates an error of node:util parseArgs into hintbench's own one-line error naming the
 * flag: an unknown option (with the close known ones), an option without its value, a value
 * that starts with a dash, or a value given to a flag that takes none. The CLI exits USAGE_EXIT.
 */
export function parseArgsError(err: unknown, command: string, args: readonly string[], options: Readonly<Record<string, { type: string; valueName?: string }>>): HintbenchError {
  const e = (err ?? {}) as ParseArgsFailure;
  const message = typeof e.message === 'string' ? e.message : String(err);
  const help = `run \`hintbench ${command} --help\` for its options`;
  const flag = /option '(-{1,2}[^' =]*)/i.exec(message)?.[1] ?? '';
  const name = flag.replace(/^-+/, '');
  const spec = options[name];
  const exit = { exitCode: USAGE_EXIT, cause: err };
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const close = closeOptions(flag, Object.keys(options));
    const hint =
      close.length > 0
        ? ` (did you mean ${close
            .slice(0, 3)
            .map((c) => `--${c}`)
            .join(', ')}?)`
        : '';
    return new HintbenchError(`unknown option '${flag}' for hintbench ${command}`, `${help}${hint}`, exit);
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/argument missing/.test(message)) {
      return new HintbenchError(`${flag} needs a value`, `give it as ${flag} ${spec?.valueName ?? 'VALUE'}; ${help}`, exit);
    }
    if (/ambiguous/.test(message)) {
      const at = args.indexOf(flag);
      const next = at >= 0 ? args[at + 1] : undefined;
      return new HintbenchError(
        `${flag} has no value: the argument after it${next === undefined ? '' : `, '${next}',`} starts with a dash`,
        `give ${flag} its value; write ${flag}=${next ?? '-VALUE'} if the value really starts with a dash`,
        exit,
      );
    }
    if (/does not take an argument/.test(message)) {
      const given = args.find((a) => a.startsWith(`${flag}=`));
      return new HintbenchError(`${flag} takes no value${given === undefined ? '' : `, got '${given}'`}`, `write ${flag} alone`, exit);
    }
  }
  return new HintbenchError(`cannot read the options of hintbench ${command}: ${message.split('\n')[0]}`, help, exit);
}
