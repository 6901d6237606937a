import { copyFileSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rebuildReports, resultsDirOf } from '../../../reports/write.ts';
import { FIXTURE_PATH } from './fixture.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hintbench-rebuild-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('hintbench report: what it accepts', () => {
  it('takes the results directory or its results.json', async () => {
    copyFileSync(FIXTURE_PATH, join(dir, 'results.json'));
    expect(resultsDirOf(dir)).toBe(dir);
    expect(resultsDirOf(join(dir, 'results.json'))).toBe(dir);
    const paths = await rebuildReports(join(dir, 'results.json'));
    expect(paths[0]).toBe(join(dir, 'report.html'));
  });

  it('says what to pass for another file', () => {
    writeFileSync(join(dir, 'samples.csv'), 'x');
    expect(() => resultsDirOf(join(dir, 'samples.csv'))).toThrow(`${join(dir, 'samples.csv')} is a file, not a results directory`);
    expect(() => resultsDirOf(join(dir, 'nope', 'results.json'))).toThrow(`results directory ${join(dir, 'nope', 'results.json')} does not exist`);
  });
});

describe('hintbench report: links planted in the directory', () => {
  it('replaces report files that are symlinks instead of writing through them', async () => {
    copyFileSync(FIXTURE_PATH, join(dir, 'results.json'));
    const victim = join(dir, '..', `${dir.split('/').at(-1)}-victim`);
    writeFileSync(victim, 'root only', { mode: 0o600 });
    try {
      symlinkSync(victim, join(dir, 'report.md'));
      symlinkSync(victim, join(dir, 'samples.csv'));
      await rebuildReports(dir);
      expect(readFileSync(victim, 'utf8')).toBe('root only');
      expect(lstatSync(victim).mode & 0o777).toBe(0o600);
      expect(lstatSync(join(dir, 'report.md')).isFile()).toBe(true);
      expect(readFileSync(join(dir, 'report.md'), 'utf8')).toMatch(/^# hintbench report/);
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      rmSync(victim, { force: true });
    }
  });

  it('refuses a results.json that is a symlink, naming it', async () => {
    symlinkSync(FIXTURE_PATH, join(dir, 'results.json'));
    await expect(rebuildReports(dir)).rejects.toThrow(`results file ${join(dir, 'results.json')} is a symbolic link, which hintbench does not follow`);
    expect(readdirSync(dir)).toEqual(['results.json']);
  });
});
