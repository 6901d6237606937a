import { execFileSync } from 'node:child_process';
import { linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HintbenchError } from '../../../core/errors.ts';
import { OutputDir, readFileNoFollow } from '../../../reports/output-dir.ts';

let base: string;
let dir: OutputDir;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'hintbench-outdir-'));
  mkdirSync(join(base, 'out'));
  dir = OutputDir.open(join(base, 'out'));
});
afterEach(() => {
  dir.close();
  rmSync(base, { recursive: true, force: true });
});

describe('OutputDir', () => {
  it('writes a file with mode 0644 whatever the umask, leaving no temporary file', () => {
    const old = process.umask(0o077);
    try {
      expect(dir.write('results.json', '{"a":1}')).toBe(join(base, 'out', 'results.json'));
    } finally {
      process.umask(old);
    }
    expect(readFileSync(join(base, 'out', 'results.json'), 'utf8')).toBe('{"a":1}');
    expect(lstatSync(join(base, 'out', 'results.json')).mode & 0o777).toBe(0o644);
    expect(readdirSync(join(base, 'out'))).toEqual(['results.json']);
  });

  it('replaces a symlink or hard link planted under the name instead of writing through it', () => {
    const victim = join(base, 'victim');
    writeFileSync(victim, 'secret', { mode: 0o600 });
    symlinkSync(victim, join(base, 'out', 'report.md'));
    linkSync(victim, join(base, 'out', 'samples.csv'));
    dir.write('report.md', 'report');
    dir.write('samples.csv', 'csv');
    expect(readFileSync(victim, 'utf8')).toBe('secret');
    expect(lstatSync(victim).mode & 0o777).toBe(0o600);
    expect(lstatSync(join(base, 'out', 'report.md')).isFile()).toBe(true);
    expect(readFileSync(join(base, 'out', 'report.md'), 'utf8')).toBe('report');
    expect(readFileSync(join(base, 'out', 'samples.csv'), 'utf8')).toBe('csv');
  });

  it('keeps writing into the directory it opened when the path is renamed and replaced by a symlink', () => {
    const elsewhere = join(base, 'elsewhere');
    mkdirSync(elsewhere);
    renameSync(join(base, 'out'), join(base, 'moved'));
    symlinkSync(elsewhere, join(base, 'out'));
    dir.write('results.json', 'x');
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(readdirSync(join(base, 'moved'))).toEqual(['results.json']);
  });

  it('names the file in a write error and leaves nothing behind', () => {
    mkdirSync(join(base, 'out', 'report.html'));
    writeFileSync(join(base, 'out', 'report.html', 'keep'), '');
    let err: unknown;
    try {
      dir.write('report.html', 'x');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HintbenchError);
    expect((err as Error).message).toMatch(new RegExp(`^cannot write ${join(base, 'out', 'report.html')}: `));
    expect((err as Error).message).not.toContain('/proc/self/fd');
    expect(readdirSync(join(base, 'out'))).toEqual(['report.html']);
  });

  it('refuses names that are not plain file names', () => {
    expect(() => dir.write('../x', '')).toThrow(/not a file name/);
    expect(() => dir.write('..', '')).toThrow(/not a file name/);
  });

  it('reads regular files only: a symlink is ELOOP, a FIFO does not block', () => {
    writeFileSync(join(base, 'secret'), 'root only', { mode: 0o600 });
    symlinkSync(join(base, 'secret'), join(base, 'out', 'results.json'));
    expect(() => dir.read('results.json')).toThrow(expect.objectContaining({ code: 'ELOOP' }));
    expect(() => readFileNoFollow(join(base, 'out', 'results.json'))).toThrow(expect.objectContaining({ code: 'ELOOP' }));
    execFileSync('mkfifo', [join(base, 'out', 'fifo')]);
    expect(() => dir.read('fifo')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    dir.write('ok.txt', 'fine');
    expect(dir.read('ok.txt')).toBe('fine');
  });
});
