import { describe, expect, it } from 'vitest';
import { frozenCallee } from '../../../../reports/claims/frozen-callee.ts';
import { addScenario, around, emptyRun } from './synthetic.ts';

function run(pmMs: number, ptMs: number, ptThawed: number, ptSleepingMs = pmMs) {
  const r = emptyRun();
  addScenario(
    r,
    'ptrace',
    'sleeping',
    around(ptSleepingMs * 1e6).map((freedNs) => ({ freedNs })),
  );
  addScenario(
    r,
    'process_madvise',
    'frozen',
    around(pmMs * 1e6).map((freedNs) => ({ freedNs, injectorThawedCgroups: 0, injectorThawNs: null, targetCpuNs: 0 })),
  );
  addScenario(
    r,
    'ptrace',
    'frozen',
    around(ptMs * 1e6).map((freedNs) => ({ freedNs, injectorThawedCgroups: ptThawed, injectorThawNs: ptThawed > 0 ? freedNs : null, targetCpuNs: 2e7 })),
  );
  return r;
}

describe('frozen-callee', () => {
  it('is supported when ptrace had to thaw every time and freed later', () => {
    const row = frozenCallee.evaluate(run(20, 45, 1));
    expect(row?.verdict).toBe('supported');
    expect(row?.result).toMatch(/thawed the target's cgroup and froze it again in 6 of 6 samples/);
  });

  it('is not supported when ptrace freed sooner', () => {
    expect(frozenCallee.evaluate(run(45, 20, 1))?.verdict).toBe('not supported');
  });

  it('is not supported when no injection needed a thaw', () => {
    expect(frozenCallee.evaluate(run(20, 20.5, 0))?.verdict).toBe('not supported');
  });

  it('is not supported when freezing did not slow the injection (ptrace frozen faster than ptrace sleeping)', () => {
    expect(frozenCallee.evaluate(run(20, 45, 1, 90))?.verdict).toBe('not supported');
  });

  it('is inconclusive when ptrace is slower than process_madvise but no slower than unfrozen', () => {
    const row = frozenCallee.evaluate(run(20, 45, 1, 45));
    expect(row?.verdict).toBe('inconclusive');
    expect(row?.result).toMatch(/ptrace frozen \/ sleeping 1\.00×/);
  });

  it('is inconclusive when the freed times do not differ clearly', () => {
    expect(frozenCallee.evaluate(run(20, 20.5, 1))?.verdict).toBe('inconclusive');
  });

  it('gives no row without frozen scenarios', () => {
    expect(frozenCallee.evaluate(emptyRun())).toBeNull();
  });
});
