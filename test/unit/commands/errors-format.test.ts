import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatError } from '../../../bench/cli.ts';
import { intOpt, parseArgsError } from '../../../bench/commands/args.ts';
import { oneLine } from '../../../bench/commands/one-line.ts';
import { HintbenchError } from '../../../core/errors.ts';

const OPTIONS = {
  pid: { type: 'string', valueName: 'PID' },
  json: { type: 'boolean' },
  reps: { type: 'string', valueName: 'N' },
  repeat: { type: 'string', valueName: 'N' },
} as const;

/** The error hintbench makes of parseArgs' failure on `args`. */
function translated(args: string[]): HintbenchError {
  try {
    parseArgs({
      args,
      options: { pid: { type: 'string' }, json: { type: 'boolean' }, reps: { type: 'string' }, repeat: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    return parseArgsError(err, 'hint', args, OPTIONS);
  }
  throw new Error(`parseArgs accepted ${args.join(' ')}`);
}

describe('parseArgs errors in hintbench words', () => {
  it('unknown option: names it and the close known ones', () => {
    const e = translated(['--rep', '3']);
    expect(e.message).toBe("unknown option '--rep' for hintbench hint");
    expect(e.fix).toBe('run `hintbench hint --help` for its options (did you mean --reps, --repeat?)');
    expect(e.exitCode).toBe(2);
    expect(translated(['--sweet']).fix).toBe('run `hintbench hint --help` for its options');
    expect(translated(['-x']).message).toBe("unknown option '-x' for hintbench hint");
  });
  it('missing value, a value that starts with a dash, a value for a flag that takes none', () => {
    expect(formatError(translated(['--pid']))).toBe('Error: --pid needs a value. Fix: give it as --pid PID; run `hintbench hint --help` for its options');
    expect(formatError(translated(['--pid', '-5']))).toBe(
      "Error: --pid has no value: the argument after it, '-5', starts with a dash. Fix: give --pid its value; write --pid=-5 if the value really starts with a dash",
    );
    expect(formatError(translated(['--json=yes']))).toBe("Error: --json takes no value, got '--json=yes'. Fix: write --json alone");
  });
  it('no Node wording leaks through', () => {
    for (const args of [['--rep'], ['--pid'], ['--pid', '--json'], ['--json=1'], ['-q']]) {
      const line = formatError(translated(args));
      expect(line).not.toMatch(/ambiguous|argument missing|does not take an argument|To specify|\.\./);
      expect(line.split('\n')).toHaveLength(1);
    }
  });
});

describe('intOpt', () => {
  it('refuses values beyond the maximum however many digits they have', () => {
    expect(intOpt({ repeat: '1000000' }, 'repeat', 1, 1, 1_000_000)).toBe(1_000_000);
    expect(() => intOpt({ repeat: '1000001' }, 'repeat', 1, 1, 1_000_000)).toThrow('--repeat 1000001 is too large: at most 1000000');
    expect(() => intOpt({ repeat: '99999999999999999999' }, 'repeat', 1, 1, 1_000_000)).toThrow('--repeat 99999999999999999999 is too large: at most 1000000');
    expect(() => intOpt({ reps: '99999999999999999999' }, 'reps', 5)).toThrow(`--reps 99999999999999999999 is too large: at most ${Number.MAX_SAFE_INTEGER}`);
    expect(() => intOpt({ reps: '0' }, 'reps', 5)).toThrow("--reps must be an integer >= 1, got '0'");
    expect(() => intOpt({ reps: '1e3' }, 'reps', 5)).toThrow(/must be an integer/);
  });
});

describe('one-line errors', () => {
  it('escapes newlines and every other control character', () => {
    expect(oneLine('a\nb\r\tc\u001b[31md\u007f\u0085\u2028')).toBe('a\\nb\\r\\tc\\x1b[31md\\x7f\\x85\\u2028');
    expect(oneLine('plain text, ünïcödé')).toBe('plain text, ünïcödé');
  });
  it('formatError prints exactly one line whatever the message holds', () => {
    const e = new HintbenchError("cannot read suite file '/tmp/a\nb.json': line 1\n  {", 'fix the file\nand rerun');
    const line = formatError(e);
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toBe("Error: cannot read suite file '/tmp/a\\nb.json': line 1\\n  {. Fix: fix the file\\nand rerun");
    expect(formatError(new Error('x\ny')).split('\n')).toHaveLength(1);
    expect(formatError('raw\rstring')).toBe('Error: raw\\rstring');
  });
});
