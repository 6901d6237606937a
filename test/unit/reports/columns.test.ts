import { describe, expect, it } from 'vitest';
import { SAMPLE_COLUMNS, sampleFieldOfHeader, sampleRows, snakeCase } from '../../../reports/columns.ts';
import { fixtureRun } from './fixture.ts';

describe('samples.csv columns', () => {
  it('snake_cases field names keeping units', () => {
    expect(snakeCase('userLatencyNs')).toBe('user_latency_ns');
    expect(snakeCase('sizeMiB')).toBe('size_mib');
    expect(snakeCase('retouchMajorFaultsProbe')).toBe('retouch_major_faults_probe');
    expect(sampleFieldOfHeader('pswpout_delta_pages')).toBe('pswpoutDeltaPages');
    expect(sampleFieldOfHeader('scenario_id')).toBeNull();
  });

  it('has one row per sample with the scenario context first', () => {
    const run = fixtureRun();
    const rows = sampleRows(run);
    expect(rows).toHaveLength(run.scenarios.reduce((n, s) => n + s.samples.length, 0));
    expect(SAMPLE_COLUMNS[0]!.header).toBe('scenario_id');
    expect(SAMPLE_COLUMNS[0]!.value(rows[0]!)).toBe(run.scenarios[0]!.scenario.id);
    const latency = SAMPLE_COLUMNS.find((c) => c.header === 'user_latency_ns')!;
    expect(latency.value(rows[0]!)).toBe(run.scenarios[0]!.samples[0]!.userLatencyNs);
  });
});
