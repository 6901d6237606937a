/**
 * Bad input through the real command line: each case is one line on stderr that says what
 * failed and what to do, a non-zero exit code, and no results directory left behind.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRun } from '../../helpers/prereq.ts';

const CLI = new URL('../../../bench/hintbench.js', import.meta.url).pathname;
const ready = canRun('CLI error paths', { root: true });

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; asNobody?: boolean }): Result {
  const cmd = opts.asNobody ? 'setpriv' : process.execPath;
  const argv = opts.asNobody ? ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, ...args] : [CLI, ...args];
  const r = spawnSync(cmd, argv, { cwd: opts.cwd, env: opts.env ?? process.env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** stderr lines that are not blank. */
function errorLines(r: Result): string[] {
  return r.stderr.split('\n').filter((l) => l.trim() !== '');
}

describe.skipIf(!ready)('hintbench command-line errors', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), 'hintbench-cli-'));
  });
  afterAll(() => {
    rmSync(cwd, { recursive: true, force: true });
  });
  const nothingWritten = (): void => {
    expect(existsSync(join(cwd, 'results')) ? readdirSync(join(cwd, 'results')) : []).toEqual([]);
  };

  it('unknown suite: one line naming it and listing the known suites, exit 2 (a bad value)', () => {
    const r = cli(['run', '--suite', 'nope', '--no-setup'], { cwd });
    expect(r.code).toBe(2);
    expect(errorLines(r)).toHaveLength(1);
    expect(r.stderr).toMatch(/^Error: unknown suite 'nope'\. Fix: use one of: default(, \w+)+ \(hintbench suites lists them\), or the path of a suite file/m);
    nothingWritten();
  });

  it('unknown command, unknown flag and bad value: all exit 2 with a pointer to help', () => {
    const a = cli(['frobnicate'], { cwd });
    expect(a.code).toBe(2);
    expect(errorLines(a)).toEqual(["Error: unknown command 'frobnicate'. Fix: run `hintbench help` for the list of commands"]);
    const b = cli(['run', '--sweet'], { cwd });
    expect(b.code).toBe(2);
    expect(errorLines(b)).toHaveLength(1);
    expect(b.stderr).toMatch(/--sweet.*Fix: run `hintbench run --help`/);
    const c = cli(['run', '--reps', 'x'], { cwd });
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/--reps must be an integer/);
    nothingWritten();
  });

  it('not root: run, setup and hint refuse with one line saying to use root', () => {
    for (const args of [['run'], ['setup'], ['hint', '--pid', String(process.pid), '--advice', 'cold']]) {
      const r = cli(args, { cwd: tmpdir(), asNobody: true });
      expect(r.code, args.join(' ')).toBe(1);
      expect(errorLines(r), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/needs root.*Fix: run it as root/);
    }
  });

  it('bpftrace missing: doctor fails the run before anything is written, setup says how to install it', () => {
    // A PATH with node and nothing else: no bpftrace, no apt-get.
    const bin = join(cwd, 'bin');
    mkdirSync(bin, { recursive: true });
    if (!existsSync(join(bin, 'node'))) symlinkSync(process.execPath, join(bin, 'node'));
    const env = { ...process.env, PATH: bin };
    const run = cli(['run', '--suite', 'smoke', '--no-setup'], { cwd, env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/bpftrace/);
    expect(run.stderr.trim().split('\n').at(-1)).toMatch(/^Error: the host cannot run the suite .*Fix:/);
    nothingWritten();
    const setup = cli(['setup'], { cwd, env });
    expect(setup.code).toBe(1);
    // bpftrace exists on this machine, just not on that PATH: setup must say so, not reinstall it
    expect(errorLines(setup).at(-1)).toMatch(/^Error: bpftrace is installed at \/\S+ but is not on PATH .*Fix: add \S+ to PATH/);
  });

  it('target pid gone: hint fails with one line naming the pid', async () => {
    const child = spawn('sleep', ['0']);
    const pid = child.pid!;
    await new Promise((r) => child.on('exit', r));
    const r = cli(['hint', '--pid', String(pid), '--advice', 'pageout', '--no-probe'], { cwd });
    expect(r.code).toBe(1);
    expect(errorLines(r)).toEqual([`Error: pid ${pid} does not exist. Fix: check the pid with ps; the process may have exited`]);
    const j = cli(['hint', '--pid', String(pid), '--advice', 'pageout', '--no-probe', '--json'], { cwd });
    expect(j.code).toBe(1);
    const obj = JSON.parse(j.stdout) as Record<string, unknown>;
    expect(obj.pid).toBe(pid);
    expect(String(obj.error)).toContain(`pid ${pid} does not exist`);
  });

  it('hint refuses pid 1, kernel threads, itself and unsupported advice', () => {
    const kthread = readdirSync('/proc').find((d) => /^\d+$/.test(d) && spawnSync('cat', [`/proc/${d}/stat`], { encoding: 'utf8' }).stdout.includes('(kthreadd)'));
    // exit 1: the target is refused; exit 2: the command line itself is wrong
    const cases: [string[], RegExp, number][] = [
      [['--pid', '1', '--advice', 'cold'], /refusing to hint pid 1/, 1],
      [['--pid', String(process.pid), '--advice', 'willneed'], /unsupported advice 'willneed'/, 2],
      [['--pid', String(process.pid), '--advice', 'cold', '--via', 'carrier-pigeon'], /unknown --via 'carrier-pigeon'/, 2],
    ];
    if (kthread !== undefined) cases.push([['--pid', kthread, '--advice', 'cold'], /is a kernel thread/, 1]);
    for (const [args, re, code] of cases) {
      const r = cli(['hint', ...args, '--no-probe'], { cwd });
      expect(r.code, args.join(' ')).toBe(code);
      expect(errorLines(r), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(re);
    }
    expect(kthread).toBeDefined();
    // itself: exec keeps the shell's pid, so $$ is hintbench's own pid
    const self = spawnSync('sh', ['-c', `exec "${process.execPath}" "${CLI}" hint --pid $$ --advice cold --no-probe`], { cwd, encoding: 'utf8' });
    expect(self.status).toBe(1);
    expect(self.stderr).toMatch(/^Error: refusing to hint hintbench itself \(pid \d+\)/);
  });
});
