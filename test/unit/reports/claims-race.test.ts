import { describe, expect, it } from 'vitest';
import { raceEvaluator, raceFindings } from '../../../reports/claims/race.ts';
import type { RaceRemedy } from '../../../core/schema/race.ts';
import type { RunResult, ScenarioResult } from '../../../core/types.ts';
import { fixtureRun } from './fixture.ts';

const CHURN = { slots: 16, opsPerSec: 500, minKiB: 16, maxKiB: 64 };

/** A run holding race scenarios with the given mis-hinted bytes (and stalls) per sample. */
function raceRun(spec: Array<{ mechanism: 'process_madvise' | 'ptrace'; remedy: RaceRemedy; mis: number[]; stallNs?: number[] }>): RunResult {
  const run = fixtureRun();
  const template = run.scenarios[0]!;
  const base = template.samples[0]!;
  run.scenarios = spec.map(
    ({ mechanism, remedy, mis, stallNs }): ScenarioResult => ({
      ...template,
      scenario: { ...template.scenario, id: `race/${mechanism}/${remedy}`, mechanism, advice: 'pageout', race: { delayUs: 20_000, remedy, churn: CHURN } },
      samples: mis.map((m, i) => ({ ...base, warmUp: false, repetition: i, raceMisHintedBytes: m, raceStallNs: stallNs?.[i] ?? (remedy === 'none' ? null : 20e6 + i * 1e6) })),
    }),
  );
  return run;
}

const RACY = [90_112, 155_648, 120_000, 204_800, 65_536, 131_072, 98_304, 176_128];
const ZEROS = [0, 0, 0, 0, 0, 0, 0, 0];

describe('race claim evaluator', () => {
  it('is supported when the race exists without a remedy and every remedy brings it to [0, 0]', () => {
    const row = raceEvaluator.evaluate(
      raceRun([
        { mechanism: 'process_madvise', remedy: 'none', mis: RACY },
        { mechanism: 'process_madvise', remedy: 'sigstop', mis: ZEROS },
        { mechanism: 'process_madvise', remedy: 'freezer', mis: ZEROS },
        { mechanism: 'process_madvise', remedy: 'ptrace_stop', mis: ZEROS },
        { mechanism: 'ptrace', remedy: 'none', mis: RACY },
        { mechanism: 'ptrace', remedy: 'sigstop', mis: ZEROS },
      ]),
    );
    expect(row?.verdict).toBe('supported');
    expect(row?.scenarioIds).toHaveLength(6);
    expect(row?.result).toContain('process_madvise: no remedy');
    expect(row?.result).toContain('sigstop: 0 KiB [0, 0] mis-hinted, stall');
  });

  it('is not supported when no race is seen without a remedy', () => {
    const row = raceEvaluator.evaluate(
      raceRun([
        { mechanism: 'process_madvise', remedy: 'none', mis: ZEROS },
        { mechanism: 'process_madvise', remedy: 'sigstop', mis: ZEROS },
      ]),
    );
    expect(row?.verdict).toBe('not supported');
    expect(row?.why).toContain('no race seen');
  });

  it('is not supported when a remedy leaves mis-hinted bytes with a CI above 0', () => {
    const row = raceEvaluator.evaluate(
      raceRun([
        { mechanism: 'process_madvise', remedy: 'none', mis: RACY },
        { mechanism: 'process_madvise', remedy: 'sigstop', mis: ZEROS },
        { mechanism: 'process_madvise', remedy: 'freezer', mis: RACY.map((v) => v / 2) },
      ]),
    );
    expect(row?.verdict).toBe('not supported');
    expect(row?.why).toContain('freezer with process_madvise');
  });

  it('is inconclusive when the samples are too few for 95 % intervals or straddle 0', () => {
    const few = raceEvaluator.evaluate(
      raceRun([
        { mechanism: 'process_madvise', remedy: 'none', mis: RACY.slice(0, 3) },
        { mechanism: 'process_madvise', remedy: 'sigstop', mis: ZEROS.slice(0, 3) },
      ]),
    );
    expect(few?.verdict).toBe('inconclusive');
    const straddling = raceEvaluator.evaluate(
      raceRun([
        { mechanism: 'process_madvise', remedy: 'none', mis: [0, 0, 0, 0, 4096, 8192, 12_288, 16_384] },
        { mechanism: 'process_madvise', remedy: 'sigstop', mis: ZEROS },
      ]),
    );
    expect(straddling?.verdict).toBe('inconclusive');
    expect(straddling?.why).toContain('the race with process_madvise (unclear)');
  });

  it('is inconclusive without a remedy scenario', () => {
    const row = raceEvaluator.evaluate(raceRun([{ mechanism: 'process_madvise', remedy: 'none', mis: RACY }]));
    expect(row?.verdict).toBe('inconclusive');
  });

  it('returns null for a run without race scenarios, and leaves warm-up samples out', () => {
    expect(raceEvaluator.evaluate(fixtureRun())).toBeNull();
    const run = raceRun([{ mechanism: 'process_madvise', remedy: 'none', mis: RACY }]);
    run.scenarios[0]!.samples[0]!.warmUp = true;
    expect(raceFindings(run)[0]!.race!.n).toBe(RACY.length - 1);
  });
});
