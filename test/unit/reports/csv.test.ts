import { describe, expect, it } from 'vitest';
import { SAMPLE_COLUMNS, SAMPLE_FIELDS, snakeCase } from '../../../reports/columns.ts';
import { samplesCsv } from '../../../reports/csv.ts';
import { fixtureRun, parseCsv } from './fixture.ts';

describe('samplesCsv', () => {
  it('has the declared header and one row per sample, in scenario order', () => {
    const run = fixtureRun();
    const rows = parseCsv(samplesCsv(run));
    expect(rows[0]).toEqual(SAMPLE_COLUMNS.map((c) => c.header));
    const samples = run.scenarios.flatMap((s) => s.samples.map((x) => ({ id: s.scenario.id, rep: x.repetition, pid: x.pid })));
    expect(rows.length - 1).toBe(samples.length);
    const col = (h: string): number => rows[0]!.indexOf(h);
    rows.slice(1).forEach((r, i) => {
      expect(r).toHaveLength(SAMPLE_COLUMNS.length);
      expect(r[col('scenario_id')]).toBe(samples[i]!.id);
      expect(r[col('repetition')]).toBe(String(samples[i]!.rep));
      expect(r[col('pid')]).toBe(String(samples[i]!.pid));
    });
  });

  it('carries every Sample field under its snake_case name, nulls empty, booleans and errors as text', () => {
    const run = fixtureRun();
    const baseline = run.scenarios.find((s) => s.scenario.mechanism === 'none')!;
    baseline.samples[0]!.errors = ['EINTR: one', 'comma, and "quote"'];
    baseline.samples[0]!.dataIntact = false;
    const rows = parseCsv(samplesCsv(run));
    const header = rows[0]!;
    for (const field of SAMPLE_FIELDS) expect(header).toContain(snakeCase(field));
    const first = rows.find((r) => r[0] === baseline.scenario.id)!;
    expect(first[header.indexOf('user_latency_ns')]).toBe('');
    expect(first[header.indexOf('data_intact')]).toBe('false');
    expect(first[header.indexOf('errors')]).toBe('EINTR: one; comma, and "quote"');
    expect(first[header.indexOf('retouch_ns')]).toBe(String(baseline.samples[0]!.retouchNs));
  });

  it('gives only the header for a run without samples', () => {
    const run = fixtureRun();
    run.scenarios = run.scenarios.filter((s) => s.samples.length === 0);
    expect(parseCsv(samplesCsv(run))).toEqual([SAMPLE_COLUMNS.map((c) => c.header)]);
  });
});
