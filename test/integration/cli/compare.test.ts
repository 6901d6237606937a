/**
 * `hintbench compare` and `hintbench export` through the real command line: bad input is one
 * line on stderr with exit 2; verdicts decide the exit code; every output format is written.
 * The last test runs two small real suites (run --export, then run --baseline).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../core/types.ts';
import { canRun } from '../../helpers/prereq.ts';
import { syntheticRun } from '../../unit/compare/synthetic.ts';
import { bmfProblems, githubBenchmarkProblems } from '../../unit/export/formats.ts';
import { FIXTURE_PATH } from '../../unit/reports/fixture.ts';
import { cli, errorLines, suiteFixture } from './run-cli.ts';

const root = mkdtempSync(join(tmpdir(), 'hb-compare-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const fixtureText = readFileSync(FIXTURE_PATH, 'utf8');

function resultsDir(name: string, content: string | RunResult | null): string {
  const dir = join(root, name);
  mkdirSync(dir);
  if (content !== null) writeFileSync(join(dir, 'results.json'), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return dir;
}

/** The command failed with exit 2 and one line `Error: ... Fix: ...` matching `message`. */
function expectUsageError(args: string[], message: RegExp): void {
  const r = cli(args, { cwd: root });
  expect(r.code, r.stderr).toBe(2);
  const lines = errorLines(r);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^Error: .*\. Fix: .+/);
  expect(lines[0]).toMatch(message);
  expect(r.stdout).toBe('');
}

describe('hintbench compare and export: input errors', () => {
  const good = resultsDir('good', fixtureText);

  it('a directory without results.json', () => {
    const empty = resultsDir('empty', null);
    expectUsageError(['compare', good, empty], /empty holds no results\.json/);
    expectUsageError(['export', empty, '--format', 'bmf'], /empty holds no results\.json/);
  });

  it('a different (unknown) schemaVersion', () => {
    const v99 = resultsDir('v99', fixtureText.replace('"schemaVersion": 1', '"schemaVersion": 99'));
    expectUsageError(['compare', good, v99], /schemaVersion 99 is not known/);
  });

  it('no scenario in common', () => {
    const other = JSON.parse(fixtureText) as RunResult;
    for (const s of other.scenarios) s.scenario.id = `other/${s.scenario.id}`;
    expectUsageError(['compare', good, resultsDir('other', other)], /have no scenario in common/);
  });

  it('a truncated results.json', () => {
    expectUsageError(['compare', resultsDir('truncated', fixtureText.slice(0, 900)), good], /truncated\/results\.json is not valid JSON/);
  });

  it('missing arguments and bad flags', () => {
    expectUsageError(['compare', good], /needs a base results directory and at least one new one/);
    expectUsageError(['compare', good, good, '--threshold', 'lots'], /--threshold 'lots' is not a percentage/);
    expectUsageError(['compare', good, good, '--format', 'pdf'], /--format 'pdf' is not a compare format/);
    expectUsageError(['compare', good, good, '--frmat', 'json'], /unknown option '--frmat'/);
    expectUsageError(['export', good], /needs --format/);
    expectUsageError(['export', good, '--format', 'junit'], /--format 'junit' is not an export format/);
  });
});

describe('hintbench compare: verdicts and outputs', () => {
  const base = resultsDir('syn-base', syntheticRun({ n: 30, seed: 1 }));
  const same = resultsDir('syn-same', syntheticRun({ n: 30, seed: 2 }));
  const slower = resultsDir('syn-slower', syntheticRun({ n: 30, seed: 3, scale: { userLatencyNs: 1.1 } }));

  it('no regression: exit 0, the table fits 100 columns', () => {
    const r = cli(['compare', base, same], { cwd: root });
    expect(r.code, r.stderr).toBe(0);
    for (const line of r.stdout.split('\n')) expect([...line].length).toBeLessThanOrEqual(100);
    expect(r.stdout).toMatch(/^no regression: 0 regressed/m);
    expect(r.stdout).toContain('Same environment as the base run.');
  });

  it('a 10 % slower user latency: exit 1, JSON names the cells', () => {
    const r = cli(['compare', base, slower, '--format', 'json'], { cwd: root });
    expect(r.code, r.stderr).toBe(1);
    const c = JSON.parse(r.stdout) as { regressed: boolean; cells: { field: string; verdict: string }[] };
    expect(c.regressed).toBe(true);
    expect(c.cells.filter((x) => x.verdict === 'regressed').map((x) => x.field)).toEqual(['userLatencyNs', 'userLatencyNs']);
  });

  it('a per-metric threshold above the shift keeps it from regressing: exit 0', () => {
    const r = cli(['compare', base, slower, '--threshold', '5%,userLatencyNs=20%'], { cwd: root });
    expect(r.code, r.stdout).toBe(0);
  });

  it('--out-dir writes every format; --out one; several new runs at once', () => {
    const out = resultsDir('compare-out', null);
    const r = cli(['compare', base, same, slower, '--out-dir', out], { cwd: root });
    expect(r.code).toBe(1);
    expect(readdirSync(out).sort()).toEqual(['compare.html', 'compare.json', 'compare.md', 'compare.txt']);
    expect(readFileSync(join(out, 'compare.md'), 'utf8')).toMatch(/^## hintbench compare: regression/);
    expect(readFileSync(join(out, 'compare.html'), 'utf8')).toContain('<svg');
    const one = join(out, 'single.md');
    expect(cli(['compare', base, same, '--format', 'markdown', '--out', one], { cwd: root }).code).toBe(0);
    expect(readFileSync(one, 'utf8')).toMatch(/^## hintbench compare: no regression/);
  });

  it('export writes documented formats into the results directory', () => {
    const r = cli(['export', base, '--format', 'bmf,github-benchmark'], { cwd: root });
    expect(r.code, r.stderr).toBe(0);
    const files = r.stdout.trim().split('\n');
    expect(files).toHaveLength(3);
    expect(bmfProblems(JSON.parse(readFileSync(files[0]!, 'utf8')))).toEqual([]);
    for (const f of files.slice(1)) expect(githubBenchmarkProblems(JSON.parse(readFileSync(f, 'utf8')))).toEqual([]);
  });
});

const ready = canRun('compare on real runs', { root: true, bpftrace: true, swap: true, tracefs: true });

describe.skipIf(!ready)('run --export and run --baseline on real runs', () => {
  it('a run exports; a second run compares with it, writes the comparison and exits 0 or 1 as its verdicts say', () => {
    const first = join(root, 'real-a');
    const second = join(root, 'real-b');
    const a = cli(['run', '--suite', suiteFixture('one'), '--reps', '6', '--no-setup', '--out', first, '--export', 'bmf,github-benchmark'], { cwd: root, timeoutMs: 300_000 });
    expect(a.code, a.stderr).toBe(0);
    expect(bmfProblems(JSON.parse(readFileSync(join(first, 'bencher-bmf.json'), 'utf8')))).toEqual([]);
    const b = cli(['run', '--suite', suiteFixture('one'), '--reps', '6', '--no-setup', '--out', second, '--baseline', first], { cwd: root, timeoutMs: 300_000 });
    const c = JSON.parse(readFileSync(join(second, 'compare.json'), 'utf8')) as { regressed: boolean; cells: { nBase: number; nNew: number }[] };
    expect(b.code, b.stderr).toBe(c.regressed ? 1 : 0);
    expect(c.cells.length).toBeGreaterThan(0);
    expect(c.cells.every((x) => x.nBase === 6 && x.nNew === 6)).toBe(true);
    expect(b.stdout).toMatch(/(no regression|REGRESSION): \d+ regressed/);
  });

  it('run --baseline with a directory without results.json fails before measuring, exit 2', () => {
    const empty = resultsDir('real-empty', null);
    const out = join(root, 'never');
    const r = cli(['run', '--suite', suiteFixture('one'), '--no-setup', '--out', out, '--baseline', empty], { cwd: root });
    expect(r.code).toBe(2);
    expect(errorLines(r)).toHaveLength(1);
    expect(() => readdirSync(out)).toThrow();
  });
});
