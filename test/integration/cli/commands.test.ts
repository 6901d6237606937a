/** The small commands through the real command line: doctor, suites, report, help, version. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canRun } from '../../helpers/prereq.ts';

const CLI = new URL('../../../bench/hintbench.js', import.meta.url).pathname;
const ready = canRun('hintbench doctor and friends', { root: true, bpftrace: true, swap: true, tracefs: true });

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!ready)('hintbench commands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hintbench-cmd-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('doctor --json: every check with a status, and a run can succeed on this prepared host', () => {
    const r = cli(['doctor', '--json']);
    expect(r.code, r.stdout).toBe(0);
    const report = JSON.parse(r.stdout) as { canRun: boolean; checks: { id: string; status: string; detail: string }[] };
    expect(report.canRun).toBe(true);
    const ids = report.checks.map((c) => c.id);
    for (const id of ['swap', 'bpftrace', 'tracefs', 'tracepoints'])
      expect(
        ids.some((x) => x.includes(id)),
        id,
      ).toBe(true);
    expect(report.checks.every((c) => ['ok', 'warn', 'fail'].includes(c.status) && c.detail.length > 0)).toBe(true);
    expect(report.checks.some((c) => c.status === 'fail')).toBe(false);
  });

  it('suites lists the built-in suites with their sizes', () => {
    const r = cli(['suites']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^default +20 scenarios, 120 samples: /m);
    expect(r.stdout).toMatch(/^smoke +5 scenarios, 10 samples: COLD and PAGEOUT /m);
    expect(r.stdout).not.toContain('Seconds:');
    const v = cli(['suites', '--verbose']);
    expect(v.stdout).toMatch(/^ {4}ptrace\/pageout\/anon-random-128MiB-1vma\/running x6$/m);
  });

  it('report on a directory without results.json names it', () => {
    const r = cli(['report', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(dir);
  });

  it('help, --help per command, and --version', () => {
    expect(cli(['help']).stdout).toMatch(/^Usage: hintbench <command>/);
    const h = cli(['hint', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/--ranges R/);
    expect(cli(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(cli([]).code).toBe(2);
    // help COMMAND is that command's help, not the global one
    const run = cli(['help', 'run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(cli(['run', '--help']).stdout);
    expect(run.stdout).toMatch(/^Usage: hintbench run /);
    const unknown = cli(['help', 'frob']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("Error: unknown command 'frob'. Fix: run `hintbench help` for the list of commands\n");
    expect(cli(['help']).stdout).toMatch(/^Exit codes: 0 success; 1 an error .*; 2 a bad command line$/m);
  });

  it('report --format text: the 80-column summary of a results directory, nothing written', () => {
    const fixture = new URL('../../fixtures/results/results.json', import.meta.url).pathname;
    const r = cli(['report', fixture, '--format', 'text']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^hintbench \S+, suite \S+, /);
    expect(r.stdout).toContain('Key findings:');
    expect(Math.max(...r.stdout.split('\n').map((l) => [...l].length))).toBeLessThanOrEqual(80);
    const bad = cli(['report', fixture, '--format', 'pdf']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^Error: --format must be one of files, text, got 'pdf'\. Fix: /);
  });

  it('run --explain takes on or off: anything else is a bad command line naming the flag, before any host change', () => {
    const bad = cli(['run', '--suite', 'smoke', '--explain', 'maybe']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("Error: --explain must be on or off, got 'maybe'. Fix: pass --explain on or --explain off (default)\n");
  });
});
