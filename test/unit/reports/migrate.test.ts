/** Reading a results.json of schema version 1: migrated on load to the current version. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../../core/schema/results.ts';
import { validateRunResult } from '../../../reports/json.ts';
import { FIXTURE_PATH, fixtureRun } from './fixture.ts';

const v1 = JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')) as {
  schemaVersion: number;
  scenarios: { samples: { repetition: number; retouchNs: number }[]; summary: Record<string, { n: number; median: number; p99: number }> }[];
};

describe('schema version 1 -> 2', () => {
  it('the fixture is a version 1 file', () => {
    expect(v1.schemaVersion).toBe(1);
    expect(SCHEMA_VERSION).toBe(2);
  });

  it('samples get warmUp false and block = repetition; the run gets sequential order, no seed, no stopping, no warnings', () => {
    const run = fixtureRun();
    expect(run.schemaVersion).toBe(2);
    expect([run.order, run.seed, run.stopping, run.warnings]).toEqual(['sequential', null, null, []]);
    for (const [i, sc] of run.scenarios.entries()) {
      expect(sc.samples).toHaveLength(v1.scenarios[i]!.samples.length);
      for (const s of sc.samples) {
        expect(s.warmUp).toBe(false);
        expect(s.block).toBe(s.repetition);
      }
    }
  });

  it('summaries are recomputed from the samples: the same n and median, an interval, no p99', () => {
    const run = fixtureRun();
    const old = v1.scenarios[0]!.summary.retouchNs!;
    const now = run.scenarios[0]!.summary.retouchNs!;
    expect(now.n).toBe(old.n);
    expect(now.median).toBe(old.median);
    expect(now).not.toHaveProperty('p99');
    // n = 3: [min, max] covers 1 - 2 / 8 = 75 %
    expect(now.ci).toMatchObject({ lower: now.min, upper: now.max, coverage: 0.75, meetsConfidence: false, relativeHalfWidth: null });
    const sorted = v1.scenarios[0]!.samples.map((s) => s.retouchNs).sort((a, b) => a - b);
    expect([now.min, now.median, now.max]).toEqual(sorted);
    // a scenario without samples has no summaries
    expect(run.scenarios[4]!.samples).toEqual([]);
    expect(run.scenarios[4]!.summary).toEqual({});
  });

  it('a damaged version 1 file is refused naming the field, like a current one', () => {
    const bad = structuredClone(v1) as unknown as { scenarios: { samples: Record<string, unknown>[] }[] };
    bad.scenarios[1]!.samples[0]!.retouchNs = 'fast';
    expect(() => validateRunResult(bad, 'old.json')).toThrow(/old\.json.*scenarios\[1\]\.samples\[0\]\.retouchNs/);
  });
});
