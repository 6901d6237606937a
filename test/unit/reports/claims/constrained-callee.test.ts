import { describe, expect, it } from 'vitest';
import { constrainedCallee, judgeState } from '../../../../reports/claims/constrained-callee.ts';
import { addScenario, around, emptyRun } from './synthetic.ts';

/** A run with sleeping and throttled scenarios whose freedNs are centred on the given medians (ms). */
function run(ms: { pmFree: number; ptFree: number; pm: number; pt: number }, n = 6) {
  const r = emptyRun();
  const freed = (c: number) =>
    around(c * 1e6, n).map((freedNs) => ({ freedNs, userLatencyNs: freedNs, callerCpuNs: 1e6, targetCpuNs: 1e6, throttledPeriods: 3, throttledNs: 1e8 }));
  addScenario(r, 'process_madvise', 'sleeping', freed(ms.pmFree));
  addScenario(r, 'ptrace', 'sleeping', freed(ms.ptFree));
  addScenario(r, 'process_madvise', 'throttled', freed(ms.pm));
  addScenario(r, 'ptrace', 'throttled', freed(ms.pt));
  return r;
}

describe('constrained-callee', () => {
  it('is supported when ptrace is slower than process_madvise and than itself unconstrained', () => {
    const row = constrainedCallee.evaluate(run({ pmFree: 20, ptFree: 20, pm: 21, pt: 200 }));
    expect(row?.verdict).toBe('supported');
    expect(row?.result).toMatch(/throttled: memory freed after/);
    expect(row?.result).toMatch(/95 % CI/);
    expect(row?.scenarioIds).toHaveLength(4);
  });

  it('is not supported when ptrace frees sooner than process_madvise', () => {
    expect(constrainedCallee.evaluate(run({ pmFree: 20, ptFree: 20, pm: 40, pt: 20 }))?.verdict).toBe('not supported');
  });

  it('is inconclusive when the intervals contain 1', () => {
    const r = emptyRun();
    const same = [{ freedNs: 1e6 }, { freedNs: 3e6 }, { freedNs: 2e6 }, { freedNs: 4e6 }];
    const other = [{ freedNs: 2.5e6 }, { freedNs: 1.5e6 }, { freedNs: 3.5e6 }, { freedNs: 2.2e6 }];
    addScenario(r, 'process_madvise', 'sleeping', same);
    addScenario(r, 'ptrace', 'sleeping', same);
    addScenario(r, 'process_madvise', 'throttled', same);
    addScenario(r, 'ptrace', 'throttled', other);
    const j = judgeState(r, 'throttled');
    expect(j?.mechanisms?.side).toBe('undecided');
    expect(j?.verdict).toBe('inconclusive');
  });

  it('is inconclusive with too few samples, whatever the medians', () => {
    expect(constrainedCallee.evaluate(run({ pmFree: 20, ptFree: 20, pm: 21, pt: 200 }, 2))?.verdict).toBe('inconclusive');
  });

  it('gives no row for a run without its scenarios', () => {
    expect(constrainedCallee.evaluate(emptyRun())).toBeNull();
  });

  it('is not supported when one constrained state refutes it, even if the other supports it', () => {
    const r = run({ pmFree: 20, ptFree: 20, pm: 21, pt: 200 });
    addScenario(
      r,
      'process_madvise',
      'contended',
      around(40e6).map((freedNs) => ({ freedNs })),
    );
    addScenario(
      r,
      'ptrace',
      'contended',
      around(20e6).map((freedNs) => ({ freedNs })),
    );
    const row = constrainedCallee.evaluate(r);
    expect(row?.verdict).toBe('not supported');
    expect(row?.result).toMatch(/contended: .* → not supported/);
  });
});
