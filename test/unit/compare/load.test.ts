/** Loading runs for compare and export: bad input is a one-line error with exit code 2. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HintbenchError } from '../../../core/errors.ts';
import { checkSameSchemaVersion, loadRun } from '../../../reports/compare/load.ts';
import { FIXTURE_PATH } from '../reports/fixture.ts';

const root = mkdtempSync(join(tmpdir(), 'hb-compare-load-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function dirWith(name: string, text: string | null): string {
  const dir = join(root, name);
  mkdirSync(dir);
  if (text !== null) writeFileSync(join(dir, 'results.json'), text);
  return dir;
}

function usageError(fn: () => unknown): HintbenchError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(HintbenchError);
    expect((e as HintbenchError).exitCode).toBe(2);
    expect(`${(e as Error).message} ${(e as HintbenchError).fix}`).not.toContain('\n');
    return e as HintbenchError;
  }
  throw new Error('no error thrown');
}

const fixture = readFileSync(FIXTURE_PATH, 'utf8');

describe('loadRun', () => {
  it('reads a directory or its results.json', () => {
    const dir = dirWith('ok', fixture);
    expect(loadRun(dir).run.suite).toBe('default');
    expect(loadRun(join(dir, 'results.json')).dir).toBe(dir);
  });

  it('a directory without results.json', () => {
    const dir = dirWith('empty', null);
    expect(usageError(() => loadRun(dir)).message).toBe(`${dir} holds no results.json`);
  });

  it('a missing directory', () => {
    expect(usageError(() => loadRun(join(root, 'nope'))).message).toContain('does not exist');
  });

  it('a truncated results.json', () => {
    const dir = dirWith('truncated', fixture.slice(0, 700));
    expect(usageError(() => loadRun(dir)).message).toMatch(/results\.json is not valid JSON/);
  });

  it('a schemaVersion this build does not read', () => {
    const dir = dirWith('v99', fixture.replace('"schemaVersion": 1', '"schemaVersion": 99'));
    expect(usageError(() => loadRun(dir)).message).toMatch(/schemaVersion 99 is not known to this hintbench/);
  });

  it('runs with different schema versions are not compared', () => {
    const a = loadRun(dirWith('a', fixture));
    const b = loadRun(dirWith('b', fixture));
    checkSameSchemaVersion([a, b]);
    const other = { ...b, fileSchemaVersion: 2 };
    expect(usageError(() => checkSameSchemaVersion([a, other])).message).toMatch(/has results schemaVersion 2, .* has 1$/);
  });
});
