/**
 * Plans the host cannot carry are refused before anything starts: workloads larger than the
 * memory there is, suites with more samples than the cap, absurd --reps. Each is one line
 * naming the scenario, suite or flag, with the override where one is sane. And `hintbench
 * report` takes a results.json as well as its directory.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMemoryPlan, readMemoryBudget } from '../../../bench/runner/plan.ts';
import { parseSuiteFile } from '../../../bench/scenarios/suite-file.ts';
import { canRun } from '../../helpers/prereq.ts';
import { cli, errorLines } from './run-cli.ts';

const ready = canRun('hintbench run plan checks', { root: true });
const FIXTURE_RESULTS = new URL('../../fixtures/results/results.json', import.meta.url).pathname;

describe.skipIf(!ready)('hintbench run: plans refused up front', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), 'hintbench-plan-'));
  });
  afterAll(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  /** Writes a suite file and returns its path. */
  const suiteFile = (name: string, body: object): string => {
    const path = join(cwd, `${name}.json`);
    writeFileSync(path, JSON.stringify({ name, ...body }));
    return path;
  };
  const nothingStarted = (r: { stdout: string }): void => {
    expect(r.stdout).not.toMatch(/Preparing the host|Running suite/);
    expect(existsSync(join(cwd, 'results')) ? readdirSync(join(cwd, 'results')) : []).toEqual([]);
  };

  it('30,000 MiB in 10 VMAs and 27,000 MiB in one: one line naming the scenario, the need, what there is and the override', () => {
    // The sizes the problem was seen with; larger where this host has more memory than that.
    const budget = readMemoryBudget();
    const beyondMiB = Math.ceil((budget.memAvailableBytes + budget.swap.reduce((s, d) => s + d.freeBytes, 0)) / 2 ** 20) + 1024;
    for (const [sizeMiB, vmas] of [
      [Math.max(30_000, beyondMiB), 10],
      [Math.max(27_000, beyondMiB), 1],
    ] as const) {
      const path = suiteFile(`big-${vmas}`, { memories: [{ sizeMiB, vmas }], advices: ['pageout'], baseline: false, repetitions: 1 });
      const r = cli(['run', '--suite', path], { cwd });
      expect(r.code, r.stderr).toBe(1);
      expect(errorLines(r)).toHaveLength(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `^Error: scenario process_madvise/pageout/anon-random-${sizeMiB}MiB-${vmas}vma/sleeping needs about [\\d,]+ MiB of memory \\(${sizeMiB.toLocaleString('en-US')} MiB of workload data plus overhead\\) but this host has [\\d,]+ MiB \\(MemAvailable [\\d,]+ MiB \\+ [\\d,]+ MiB of usable swap[^)]*\\)\\. Fix: use at most [\\d,]+ MiB per workload .*--ignore-memory-check runs it anyway`,
        ),
      );
      nothingStarted(r);
    }
  });

  it('what the check refuses follows from MemAvailable and swap now (not a fixed limit)', () => {
    const budget = readMemoryBudget();
    const availMiB = Math.floor(budget.memAvailableBytes / 2 ** 20);
    const suite = (sizeMiB: number) => parseSuiteFile(JSON.stringify({ memories: [{ sizeMiB }], repetitions: 1 }), 'x.json');
    expect(() => checkMemoryPlan(suite(availMiB + 1), budget)).toThrow(/needs about/);
    expect(() => checkMemoryPlan(suite(Math.floor(availMiB / 2)), budget)).not.toThrow();
  });

  it('--reps 99999999999999999999: one line, at most 10000', () => {
    const r = cli(['run', '--suite', 'smoke', '--reps', '99999999999999999999'], { cwd });
    expect(r.code).toBe(2); // a bad value on the command line
    expect(errorLines(r)).toEqual([
      "Error: --reps must be at most 10000, got '99999999999999999999'. Fix: pass e.g. --reps 5 (a suite of N scenarios takes N x reps samples, about 1 s each)",
    ]);
    nothingStarted(r);
  });

  it('19.2 million samples: refused with the count, a duration and --max-samples; the cap can be lowered too', () => {
    const memories = Array.from({ length: 96 }, (_, i) => ({ sizeMiB: 1 + i, content: 'zero' }));
    const path = suiteFile('huge', { memories, mechanisms: ['process_madvise', 'ptrace'], targetStates: ['running', 'sleeping', 'stopped', 'frozen'], repetitions: 10_000 });
    const r = cli(['run', '--suite', path], { cwd });
    expect(r.code).toBe(1);
    expect(errorLines(r)).toEqual([
      "Error: suite 'huge' has 19,200,000 samples (1920 scenarios), more than the cap of 10,000; at about 1 s per sample it would run 222 days. Fix: lower --reps or the suite's repetitions and matrix, or raise the cap with --max-samples 19200000",
    ]);
    nothingStarted(r);
    const small = cli(['run', '--suite', 'smoke', '--max-samples', '5'], { cwd });
    expect(small.code).toBe(1);
    expect(errorLines(small)).toEqual([
      "Error: suite 'smoke' has 10 samples (5 scenarios), more than the cap of 5; at about 1 s per sample it would run 1 min. Fix: lower --reps or the suite's repetitions and matrix, or raise the cap with --max-samples 10",
    ]);
  });
});

describe.skipIf(!ready)('hintbench report <results.json>', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hintbench-report-file-'));
    copyFileSync(FIXTURE_RESULTS, join(dir, 'results.json'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses the directory of a results.json it is given', () => {
    const r = cli(['report', join(dir, 'results.json')], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(join(dir, 'report.html'));
    expect(existsSync(join(dir, 'report.md'))).toBe(true);
  });

  it('says exactly what to pass for another file', () => {
    const r = cli(['report', join(dir, 'report.md')], { cwd: dir });
    expect(r.code).toBe(1);
    expect(errorLines(r)).toEqual([
      `Error: ${join(dir, 'report.md')} is a file, not a results directory. Fix: pass the directory written by \`hintbench run\` (e.g. ${dir}) or its results.json`,
    ]);
  });
});
