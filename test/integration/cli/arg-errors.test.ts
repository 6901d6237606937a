/**
 * Option errors through the real command line: hintbench's own words naming the flag, on
 * exactly one line, exit 2 — none of node:util parseArgs' wording, and no raw control
 * characters from an argument.
 */
import { describe, expect, it } from 'vitest';
import { cli, errorLines } from './live-target.ts';

const NODE_WORDING = /ambiguous|argument missing|does not take an argument|To specify|positional argument|\.\./;

describe('command-line option errors', () => {
  it.each([
    [['hint', '--pid'], 'Error: --pid needs a value. Fix: give it as --pid PID; run `hintbench hint --help` for its options'],
    [
      ['hint', '--pid', '-5', '--advice', 'cold'],
      "Error: --pid has no value: the argument after it, '-5', starts with a dash. Fix: give --pid its value; write --pid=-5 if the value really starts with a dash",
    ],
    [['hint', '--json=yes'], "Error: --json takes no value, got '--json=yes'. Fix: write --json alone"],
    [['hint', '--rep', '3'], "Error: unknown option '--rep' for hintbench hint. Fix: run `hintbench hint --help` for its options (did you mean --repeat?)"],
    [['run', '--rep', '3'], "Error: unknown option '--rep' for hintbench run. Fix: run `hintbench run --help` for its options (did you mean --reps?)"],
    [['run', '-x'], "Error: unknown option '-x' for hintbench run. Fix: run `hintbench run --help` for its options"],
  ])('%j', async (args, line) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(errorLines(r)).toEqual([line]);
    expect(r.stderr).not.toMatch(NODE_WORDING);
  });

  it('a newline or escape sequence inside an argument is printed escaped, on one line', async () => {
    const r = await cli(['hint', '--pid', '4242', '--advice', 'cold\nError: fake second line\u001b[2J']);
    expect(r.code).toBe(2);
    expect(r.stderr.endsWith('\n')).toBe(true);
    expect(errorLines(r)).toEqual(["Error: unsupported advice 'cold\\nError: fake second line\\x1b[2J'. Fix: hintbench delivers --advice cold or --advice pageout"]);
    const cmd = await cli(['frob\nnicate']);
    expect(cmd.code).toBe(2);
    expect(errorLines(cmd)).toEqual(["Error: unknown command 'frob\\nnicate'. Fix: run `hintbench help` for the list of commands"]);
  });
});
