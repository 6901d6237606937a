/**
 * hintbench's command line: parses argv, calls one command, and is the single place that
 * prints `Error: ...` and decides the exit code.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { HintbenchError } from '../core/errors.ts';
import { hintbenchVersion } from '../core/version.ts';
import { parseArgsError, USAGE_EXIT } from './commands/args.ts';
import { COMMANDS, type Command } from './commands/index.ts';
import { oneLine } from './commands/one-line.ts';

function usage(): string {
  const lines = ['Usage: hintbench <command> [options]', '', 'Commands:'];
  for (const c of COMMANDS) lines.push(`  ${c.usage.padEnd(44)} ${c.summary}`);
  lines.push(
    '',
    'Run `hintbench help <command>` or `hintbench <command> --help` for its options. Docs: README.md, docs/.',
    'Exit codes: 0 success; 1 an error (target, host, files; `run`: a scenario failed); 2 a bad command line',
    '(unknown command or option, missing or invalid value); 3 `run` finished with a partial scenario;',
    '130 interrupted.',
  );
  return lines.join('\n');
}

function commandHelp(c: Command): string {
  const lines = [`Usage: hintbench ${c.usage}`, '', c.summary, ''];
  for (const [name, o] of Object.entries(c.options)) {
    const flag = `--${name}${o.type === 'string' ? ` ${o.valueName ?? 'VALUE'}` : ''}`;
    lines.push(`  ${flag.padEnd(28)} ${o.help}`);
  }
  return lines.join('\n');
}

/** `hintbench help COMMAND`: that command's help, as `hintbench COMMAND --help` prints it. */
function helpFor(args: readonly string[]): number {
  const [name, extra] = args;
  const command = COMMANDS.find((c) => c.name === name || c.aliases?.includes(name!));
  if (command === undefined || extra !== undefined) {
    const what = command === undefined ? `unknown command '${name}'` : `hintbench help takes one command, got '${args.join(' ')}'`;
    process.stderr.write(`${formatError(new HintbenchError(what, 'run `hintbench help` for the list of commands', { exitCode: USAGE_EXIT }))}\n`);
    return USAGE_EXIT;
  }
  process.stdout.write(`${commandHelp(command)}\n`);
  return 0;
}

/**
 * Formats any thrown value as the one-line error the user sees: `Error: what. Fix: how`,
 * with control characters (a newline read from a file, an escape sequence) escaped.
 */
export function formatError(err: unknown): string {
  if (err instanceof HintbenchError) return oneLine(`Error: ${err.message}. Fix: ${err.fix}`);
  if (err instanceof Error) return oneLine(`Error: ${err.message}`);
  return oneLine(`Error: ${String(err)}`);
}

/** Runs hintbench with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'help' && rest.length > 0) return helpFor(rest);
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? USAGE_EXIT : 0;
  }
  if (name === '--version' || name === 'version') {
    process.stdout.write(`${hintbenchVersion()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
  if (command === undefined) {
    process.stderr.write(`${formatError(new HintbenchError(`unknown command '${name}'`, 'run `hintbench help` for the list of commands'))}\n`);
    return USAGE_EXIT;
  }
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    const options: ParseArgsConfig['options'] = { help: { type: 'boolean', short: 'h' } };
    for (const [k, o] of Object.entries(command.options)) options[k] = { type: o.type };
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (err) {
    process.stderr.write(`${formatError(parseArgsError(err, command.name, rest, command.options))}\n`);
    return USAGE_EXIT;
  }
  if (parsed.values.help === true) {
    process.stdout.write(`${commandHelp(command)}\n`);
    return 0;
  }
  try {
    return await command.run(parsed.values, parsed.positionals);
  } catch (err) {
    process.stderr.write(`${formatError(err)}\n`);
    if (process.env.HINTBENCH_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return err instanceof HintbenchError ? err.exitCode : 1;
  }
}
