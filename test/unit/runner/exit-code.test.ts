import { describe, expect, it } from 'vitest';
import { RUN_EXIT, runExitCode } from '../../../bench/commands/run.ts';
import type { ScenarioStatus } from '../../../core/types.ts';
import { fixtureRun } from '../reports/fixture.ts';

function runWith(statuses: ScenarioStatus[]): ReturnType<typeof fixtureRun> {
  const run = fixtureRun();
  const template = run.scenarios[0]!;
  run.scenarios = statuses.map((status) => ({ ...template, status }));
  return run;
}

describe('hintbench run exit codes', () => {
  it('0 when every scenario is ok, 3 when one is partial, 1 when one failed (failed wins)', () => {
    expect(RUN_EXIT).toEqual({ ok: 0, failed: 1, partial: 3, interrupted: 130 });
    expect(runExitCode(runWith(['ok', 'ok']))).toBe(0);
    expect(runExitCode(runWith(['ok', 'partial']))).toBe(3);
    expect(runExitCode(runWith(['partial', 'failed', 'ok']))).toBe(1);
    expect(runExitCode(runWith([]))).toBe(0);
  });
});
