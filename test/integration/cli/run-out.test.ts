/**
 * Where `hintbench run` writes: a bad --out is refused in one line before the host is
 * touched, runs started together never share a directory, and no file is written through a
 * link, even as root in a directory another user owns (nor by `hintbench report`).
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, lchownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResultsJson } from '../../../reports/json.ts';
import { canRun } from '../../helpers/prereq.ts';
import { cli, cliAsync, errorLines, suiteFixture, type CliResult } from './run-cli.ts';

const ready = canRun('hintbench run --out', { root: true, bpftrace: true, swap: true, tracefs: true });
const NOBODY = 65534;

/** The run stopped at the --out check: one error line, exit 1, and the host was not touched. */
function refusedBeforeSetup(r: CliResult, message: string): void {
  expect(r.code, r.stderr).toBe(1);
  expect(errorLines(r)).toHaveLength(1);
  expect(r.stderr.trim()).toMatch(new RegExp(`^Error: ${message.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\. Fix: \\S`));
  expect(r.stdout).not.toMatch(/Preparing the host/);
}

describe.skipIf(!ready)('hintbench run --out', () => {
  let base: string;
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'hintbench-out-'));
  });
  afterAll(() => {
    try {
      execFileSync('chattr', ['-i', join(base, 'immutable')], { stdio: 'ignore' });
    } catch {
      /* not created */
    }
    rmSync(base, { recursive: true, force: true });
  });

  it('refuses /proc, a file, a symlink, a non-empty and an immutable directory, each in one line before host set-up', () => {
    const suite = ['--suite', suiteFixture('one')];
    const t0 = Date.now();
    refusedBeforeSetup(
      cli(['run', ...suite, '--out', '/proc/hbtest'], { cwd: base }),
      '--out /proc/hbtest: cannot create the directory: the filesystem does not allow creating it (e.g. /proc or /sys)',
    );
    expect(Date.now() - t0).toBeLessThan(60_000);

    const file = join(base, 'a-file');
    writeFileSync(file, 'keep');
    refusedBeforeSetup(cli(['run', ...suite, '--out', file], { cwd: base }), `--out ${file} is a file, not a directory`);
    refusedBeforeSetup(
      cli(['run', ...suite, '--out', join(file, 'sub')], { cwd: base }),
      `--out ${join(file, 'sub')} cannot be used: a part of the path is a file, not a directory`,
    );
    expect(readFileSync(file, 'utf8')).toBe('keep');

    const link = join(base, 'link');
    mkdirSync(join(base, 'target'));
    symlinkSync(join(base, 'target'), link);
    refusedBeforeSetup(cli(['run', ...suite, '--out', link, '--force'], { cwd: base }), `--out ${link} is a symbolic link (it points to ${join(base, 'target')})`);

    const full = join(base, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'notes.txt'), 'mine');
    refusedBeforeSetup(cli(['run', ...suite, '--out', full], { cwd: base }), `--out ${full} is not empty (1 entry: notes.txt)`);

    const immutable = join(base, 'immutable');
    mkdirSync(immutable);
    execFileSync('chattr', ['+i', immutable]);
    refusedBeforeSetup(
      cli(['run', ...suite, '--out', immutable], { cwd: base }),
      `--out ${immutable} is not writable: operation not permitted (an immutable directory, or a filesystem that refuses it)`,
    );
    execFileSync('chattr', ['-i', immutable]);
    expect(readdirSync(immutable)).toEqual([]);
    expect(readdirSync(join(base, 'target'))).toEqual([]);
  });

  it('three runs started together from one directory write three directories, all complete', async () => {
    const cwd = join(base, 'together');
    mkdirSync(cwd);
    const runs = await Promise.all([1, 2, 3].map(() => cliAsync(['run', '--suite', suiteFixture('one'), '--no-setup'], { cwd })));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const dirs = runs.map((r) => /^Results: (\S+)$/m.exec(r.stdout)?.[1]);
    expect(new Set(dirs).size).toBe(3);
    expect(readdirSync(join(cwd, 'results')).sort()).toEqual(dirs.map((d) => d!.split('/').at(-1)).sort());
    for (const d of dirs) {
      const run = readResultsJson(join(d!, 'results.json'));
      expect(run.finishedAt).not.toBeNull();
      expect(run.scenarios.map((s) => s.samples.filter((x) => !x.warmUp).length)).toEqual([1]);
    }
  });

  it('as root in a directory owned by nobody: refused without --force; with --force no link in it is followed (run and report)', () => {
    const dir = join(base, 'nobodys');
    mkdirSync(dir);
    chownSync(dir, NOBODY, NOBODY);
    const secrets = ['secret-report', 'secret-tmp', 'secret-results'].map((n) => join(base, n));
    for (const s of secrets) writeFileSync(s, `root only: ${s}\n`, { mode: 0o600 });
    const plant = (name: string, target: string): void => {
      rmSync(join(dir, name), { force: true });
      symlinkSync(target, join(dir, name));
      lchownSync(join(dir, name), NOBODY, NOBODY);
    };
    plant('report.md', secrets[0]!);
    plant('samples.csv.tmp', secrets[1]!);
    plant('results.json', secrets[2]!);
    const untouched = (): void => {
      for (const s of secrets) {
        expect(readFileSync(s, 'utf8')).toBe(`root only: ${s}\n`);
        expect(statSync(s).mode & 0o777).toBe(0o600);
      }
    };

    refusedBeforeSetup(cli(['run', '--suite', suiteFixture('one'), '--out', dir], { cwd: base }), `--out ${dir} belongs to uid ${NOBODY} (nobody), not to you (uid 0 (root))`);
    untouched();

    const r = cli(['run', '--suite', suiteFixture('one'), '--no-setup', '--out', dir, '--force'], { cwd: base });
    expect(r.code, r.stderr).toBe(0);
    untouched();
    for (const f of ['report.md', 'results.json', 'samples.csv', 'report.html']) {
      const st = lstatSync(join(dir, f));
      expect(st.isFile(), f).toBe(true);
      expect(st.uid, f).toBe(0);
      expect(st.mode & 0o777, f).toBe(0o644);
    }
    expect(lstatSync(join(dir, 'samples.csv.tmp')).isSymbolicLink()).toBe(true);
    expect(readResultsJson(join(dir, 'results.json')).scenarios).toHaveLength(1);

    // hintbench report rewrites the files in place: links planted meanwhile are replaced too
    plant('report.md', secrets[0]!);
    plant('samples.csv', secrets[1]!);
    const rep = cli(['report', dir], { cwd: base });
    expect(rep.code, rep.stderr).toBe(0);
    untouched();
    expect(lstatSync(join(dir, 'report.md')).isFile()).toBe(true);
    // a results.json that is a link is not read at all
    plant('results.json', secrets[2]!);
    const bad = cli(['report', dir], { cwd: base });
    expect(bad.code).toBe(1);
    expect(errorLines(bad)).toEqual([
      `Error: results file ${join(dir, 'results.json')} is a symbolic link, which hintbench does not follow. Fix: pass a results directory written by \`hintbench run\` (it holds results.json)`,
    ]);
    expect(bad.stderr).not.toContain('root only');
    untouched();
    expect(existsSync(join(base, 'results'))).toBe(false);
  });
});
