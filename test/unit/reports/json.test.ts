import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readResultsJson, validateRunResult, writeResultsJson } from '../../../reports/json.ts';
import { fixtureRun } from './fixture.ts';
import { errorOf } from '../../helpers/errors.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hintbench-json-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('results.json', () => {
  it('round-trips and leaves no temporary file behind', () => {
    const run = fixtureRun();
    const path = writeResultsJson(dir, run);
    expect(path).toBe(join(dir, 'results.json'));
    expect(readdirSync(dir)).toEqual(['results.json']);
    expect(readResultsJson(path)).toEqual(run);
    run.suite = 'second';
    writeResultsJson(dir, run);
    expect(readResultsJson(path).suite).toBe('second');
    expect(readdirSync(dir)).toEqual(['results.json']);
  });

  it('names the file and the nested field of a schema error', () => {
    const run = fixtureRun() as unknown as { scenarios: { samples: Record<string, unknown>[] }[] };
    run.scenarios[1]!.samples[2]!.userLatencyNs = 'abc';
    const path = join(dir, 'results.json');
    writeFileSync(path, JSON.stringify(run));
    const e = errorOf(() => readResultsJson(path));
    expect(e.message).toContain(path);
    expect(e.message).toContain('scenarios[1].samples[2].userLatencyNs');
    expect(e.message).toContain('"abc"');
    expect(e.fix).toMatch(/results-schema\.md/);
  });

  it('names a missing field, a wrong enum value and a wrong summary', () => {
    const missing = fixtureRun() as unknown as Record<string, unknown> & { environment: Record<string, unknown> };
    delete missing.environment.pageSizeBytes;
    expect(errorOf(() => validateRunResult(missing, 'x.json')).message).toMatch(/x\.json.*environment\.pageSizeBytes.*missing/);

    const badEnum = fixtureRun() as unknown as { scenarios: { scenario: Record<string, unknown> }[] };
    badEnum.scenarios[0]!.scenario.mechanism = 'telepathy';
    expect(errorOf(() => validateRunResult(badEnum, 'y.json')).message).toContain('scenarios[0].scenario.mechanism must be one of process_madvise, ptrace, none');

    const badSummary = fixtureRun() as unknown as { scenarios: { summary: Record<string, Record<string, unknown>> }[] };
    badSummary.scenarios[0]!.summary.retouchNs!.median = null;
    expect(errorOf(() => validateRunResult(badSummary, 'z.json')).message).toContain('scenarios[0].summary.retouchNs.median');
  });

  it('refuses an unknown schemaVersion, naming it', () => {
    const run = { ...fixtureRun(), schemaVersion: 7 };
    const path = join(dir, 'results.json');
    writeFileSync(path, JSON.stringify(run));
    const e = errorOf(() => readResultsJson(path));
    expect(e.message).toContain(path);
    expect(e.message).toContain('schemaVersion 7');
  });

  it('explains a missing file and damaged JSON', () => {
    const absent = join(dir, 'nope', 'results.json');
    expect(errorOf(() => readResultsJson(absent)).message).toBe(`results file ${absent} does not exist`);
    const path = join(dir, 'results.json');
    writeFileSync(path, readFileSync(new URL('../../fixtures/results/results.json', import.meta.url), 'utf8').slice(0, 500));
    expect(errorOf(() => readResultsJson(path)).message).toMatch(new RegExp(`^${path.replace(/[.]/g, '\\.')} is not valid JSON`));
  });

  it('reports a write failure naming the path and leaves nothing', () => {
    const e = errorOf(() => writeResultsJson(join(dir, 'missing-dir'), fixtureRun()));
    expect(e.message).toContain(join(dir, 'missing-dir', 'results.json'));
    expect(readdirSync(dir)).toEqual([]);
  });
});
