import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimResultsDir, releaseResultsDir, utcStamp, type ClaimedDir } from '../../../bench/runner/results-dir.ts';
import { errorOf } from '../../helpers/errors.ts';

let base: string;
const claims: ClaimedDir[] = [];
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'hintbench-claim-'));
});
afterEach(() => {
  for (const c of claims.splice(0)) {
    try {
      c.dir.close();
    } catch {
      /* closed */
    }
  }
  rmSync(base, { recursive: true, force: true });
});

function claim(opts: Parameters<typeof claimResultsDir>[0]): ClaimedDir {
  const c = claimResultsDir(opts);
  claims.push(c);
  return c;
}

const date = new Date('2026-11-25T17:40:12.345Z');

describe('claimResultsDir without --out', () => {
  it('creates <root>/<UTC time>-<suite> (mode 0755 whatever the umask), and a suffix for every run that starts in the same second', () => {
    const root = join(base, 'results');
    const old = process.umask(0o077);
    let paths: string[];
    try {
      paths = [1, 2, 3].map(() => claim({ root, suite: 'smoke', date }).dir.path);
    } finally {
      process.umask(old);
    }
    expect(utcStamp(date)).toBe('2026-11-25T17-40-12Z');
    expect(paths).toEqual([join(root, '2026-11-25T17-40-12Z-smoke'), join(root, '2026-11-25T17-40-12Z-smoke-2'), join(root, '2026-11-25T17-40-12Z-smoke-3')]);
    expect(readdirSync(root).sort()).toEqual(paths.map((p) => p.slice(root.length + 1)).sort());
    expect(lstatSync(paths[0]!).mode & 0o777).toBe(0o755);
  });

  it('release removes a directory it created while nothing was written, and keeps it otherwise', () => {
    const root = join(base, 'results');
    const empty = claim({ root, suite: 's', date });
    releaseResultsDir(empty);
    expect(existsSync(empty.dir.path)).toBe(false);
    const used = claim({ root, suite: 's', date });
    used.dir.write('results.json', '{}');
    releaseResultsDir(used);
    expect(readdirSync(used.dir.path)).toEqual(['results.json']);
  });
});

describe('claimResultsDir with --out', () => {
  it('creates a missing directory and its parents', () => {
    const out = join(base, 'a', 'b', 'c');
    const c = claim({ out, suite: 's', date });
    expect(c.created).toBe(true);
    expect(c.dir.path).toBe(out);
    expect(readdirSync(out)).toEqual([]);
  });

  it('accepts an existing empty directory of the user, and does not remove it on release', () => {
    const out = join(base, 'empty');
    mkdirSync(out);
    const c = claim({ out, suite: 's', date });
    expect(c.created).toBe(false);
    releaseResultsDir(c);
    expect(existsSync(out)).toBe(true);
  });

  it('refuses a non-empty directory unless --force, naming what is in it', () => {
    const out = join(base, 'full');
    mkdirSync(out);
    writeFileSync(join(out, 'report.md'), 'old');
    const e = errorOf(() => claim({ out, suite: 's', date }));
    expect(e.message).toBe(`--out ${out} is not empty (1 entry: report.md)`);
    expect(e.fix).toMatch(/--force/);
    expect(claim({ out, suite: 's', date, force: true }).created).toBe(false);
  });

  it('refuses a file and a symlink whatever the flags', () => {
    const file = join(base, 'file');
    writeFileSync(file, 'x');
    expect(errorOf(() => claim({ out: file, suite: 's', date, force: true })).message).toBe(`--out ${file} is a file, not a directory`);
    const target = join(base, 'real');
    mkdirSync(target);
    const link = join(base, 'link');
    symlinkSync(target, link);
    const e = errorOf(() => claim({ out: link, suite: 's', date, force: true }));
    expect(e.message).toBe(`--out ${link} is a symbolic link (it points to ${target})`);
    expect(readdirSync(target)).toEqual([]);
  });

  it('refuses a path under a file', () => {
    const file = join(base, 'file');
    writeFileSync(file, 'x');
    const e = errorOf(() => claim({ out: join(file, 'sub', 'dir'), suite: 's', date }));
    expect(e.message).toBe(`--out ${join(file, 'sub', 'dir')} cannot be used: a part of the path is a file, not a directory`);
    expect(e.fix).toBe('pass a directory you can write to');
  });

  it('fails at once on /proc, where mkdir answers ENOENT (a recursive mkdir loops there)', () => {
    const t0 = Date.now();
    const e = errorOf(() => claim({ out: '/proc/hbtest/x', suite: 's', date }));
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(e.message).toBe('--out /proc/hbtest/x: cannot create /proc/hbtest: the filesystem does not allow creating it (e.g. /proc or /sys)');
    expect(e.fix).toMatch(/writable filesystem/);
  });
});
