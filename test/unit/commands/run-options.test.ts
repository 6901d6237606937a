/** `hintbench run`'s stopping options and its progress printer, without running anything. */
import { describe, expect, it } from 'vitest';
import { ProgressPrinter } from '../../../bench/commands/progress.ts';
import { stoppingOption } from '../../../bench/commands/run.ts';
import { resolveSuite } from '../../../bench/scenarios/builtin.ts';
import { errorOf } from '../../helpers/errors.ts';

const smoke = resolveSuite('smoke');

describe('stopping options', () => {
  it('no option: the suite repetitions, fixed', () => {
    expect(stoppingOption({}, smoke, undefined)).toEqual({ minReps: 2, maxReps: 2, timeBudgetMs: null, targetHalfWidth: null });
  });

  it('--time-budget: adaptive with the recommended target, min 6, --reps as the cap', () => {
    expect(stoppingOption({ 'time-budget': '90s' }, smoke, undefined)).toEqual({ minReps: 6, maxReps: null, timeBudgetMs: 90_000, targetHalfWidth: 0.025 });
    expect(stoppingOption({ 'time-budget': '2m', 'target-ci': '5%', 'min-reps': '8' }, smoke, 40)).toEqual({
      minReps: 8,
      maxReps: 40,
      timeBudgetMs: 120_000,
      targetHalfWidth: 0.05,
    });
  });

  it('--target-ci with --reps as its bound', () => {
    expect(stoppingOption({ 'target-ci': '3' }, smoke, 50)).toEqual({ minReps: 6, maxReps: 50, timeBudgetMs: null, targetHalfWidth: 0.03 });
  });

  it('refuses, in one line with a fix: a bad duration or percentage, an unbounded target, --min-reps without a budget', () => {
    expect(errorOf(() => stoppingOption({ 'time-budget': '2 minutes' }, smoke, undefined)).message).toBe(
      "--time-budget must be a duration such as 90s, 2m or 1m30s, got '2 minutes'",
    );
    expect(errorOf(() => stoppingOption({ 'target-ci': '150%', 'time-budget': '1m' }, smoke, undefined)).message).toBe(
      "--target-ci must be a percentage above 0 and below 100, got '150%'",
    );
    const unbounded = errorOf(() => stoppingOption({ 'target-ci': '2%' }, smoke, undefined));
    expect(unbounded.message).toBe('--target-ci needs a bound: a run might never reach it');
    expect(unbounded.fix).toBe('add --time-budget DURATION or --reps N (a cap)');
    expect(errorOf(() => stoppingOption({ 'min-reps': '8' }, smoke, 5)).message).toBe('--min-reps applies only with --time-budget or --target-ci');
  });
});

describe('progress printer', () => {
  const sink = (isTTY: boolean) => {
    const out: string[] = [];
    return { out, stream: { isTTY, columns: 60, write: (t: string) => out.push(t) } };
  };

  it('not a terminal: every line plainly', () => {
    const { out, stream } = sink(false);
    const p = new ProgressPrinter(stream);
    p.line('block 1/2 [1/3] a rep 1: x', 'step');
    p.line('block 1/2 done', 'block');
    p.end();
    expect(out.join('')).toBe('block 1/2 [1/3] a rep 1: x\nblock 1/2 done\n');
  });

  it('a terminal: steps rewrite one live line, cut to the width; a block line replaces it and stays', () => {
    const { out, stream } = sink(true);
    const p = new ProgressPrinter(stream);
    p.line('step one', 'step');
    p.line(`step two ${'x'.repeat(100)}`, 'step');
    p.line('block done', 'block');
    expect(out[0]).toBe('\r\x1b[Kstep one');
    expect(out[1]!.length).toBe('\r\x1b[K'.length + 59);
    expect(out[1]!.endsWith('…')).toBe(true);
    expect(out[2]).toBe('\r\x1b[Kblock done\n');
  });

  it('quiet: nothing', () => {
    const { out, stream } = sink(true);
    const p = new ProgressPrinter(stream, { quiet: true });
    p.line('a', 'step');
    p.line('b', 'block');
    p.end();
    expect(out).toEqual([]);
  });
});
