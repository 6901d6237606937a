import { describe, expect, it } from 'vitest';
import { claimsRaceScenarios, raceScenarioId } from '../../../bench/scenarios/claims-race.ts';
import { ScenarioSchema } from '../../../core/schema/results.ts';

describe('claims-race scenarios', () => {
  it('holds every remedy with process_madvise and all but ptrace_stop with ptrace, as valid race scenarios', () => {
    const s = claimsRaceScenarios();
    expect(s.map((x) => `${x.mechanism}/${x.race?.remedy}`)).toEqual([
      'process_madvise/none',
      'process_madvise/sigstop',
      'process_madvise/freezer',
      'process_madvise/ptrace_stop',
      'ptrace/none',
      'ptrace/sigstop',
      'ptrace/freezer',
    ]);
    for (const x of s) expect(ScenarioSchema.parse(x)).toEqual(x);
    expect(new Set(s.map((x) => x.id)).size).toBe(s.length);
    expect(s.every((x) => x.repetitions >= 6 && x.advice === 'pageout')).toBe(true);
    expect(claimsRaceScenarios({ repetitions: 3 }).every((x) => x.repetitions === 3)).toBe(true);
  });
  it('gives stable ids', () => {
    expect(raceScenarioId('ptrace', 'cold', 'freezer', 1000, { slots: 4, opsPerSec: 100, minKiB: 8, maxKiB: 32 })).toBe('race/ptrace/cold/freezer/delay1000us-4x8-32KiB-100ops');
  });
});
