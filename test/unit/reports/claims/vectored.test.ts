import { describe, expect, it } from 'vitest';
import { vectoredScenarios, VECTORED_MODES } from '../../../../bench/scenarios/claims-vectored.ts';
import { VECTORED_CLAIM_ID, vectoredClaim } from '../../../../reports/claims/vectored.ts';
import type { Scenario } from '../../../../core/types.ts';
import { syntheticResult, syntheticRun, syntheticSample } from './synthetic.ts';

const REPS = 6;
const scenarios = vectoredScenarios({ ranges: [1, 1024], rangeKiB: 4, content: 'random', advices: ['cold'], modes: [...VECTORED_MODES], repetitions: REPS });

/** Per-range cost of each mode at K, in ns: what the synthetic samples say (+ i ns of noise). */
type Costs = { vector: number; single: number; inject: number };

function resultsFor(costs: (k: number) => Costs) {
  return scenarios.map((s: Scenario) => {
    const k = s.vectored!.ranges;
    const c = costs(k);
    const cost = s.mechanism === 'ptrace' ? c.inject : s.vectored!.calls === 'vector' ? c.vector : c.single;
    return syntheticResult(
      s,
      Array.from({ length: REPS }, (_, i) => syntheticSample(i, { vectoredRanges: k, vectoredPerRangeNs: cost + i, userLatencyNs: (cost + i) * k })),
    );
  });
}

describe('vectored claim evaluator', () => {
  it('has no row for a run without vectored scenarios', () => {
    expect(vectoredClaim.evaluate(syntheticRun([]))).toBeNull();
  });
  it('is supported when the vectored call costs less per range than single calls and injection at every K > 1', () => {
    const row = vectoredClaim.evaluate(
      syntheticRun(resultsFor((k) => (k === 1 ? { vector: 3000, single: 3000, inject: 50_000 } : { vector: 1000, single: 9000, inject: 150_000 }))),
    )!;
    expect(row.id).toBe(VECTORED_CLAIM_ID);
    expect(row.verdict).toBe('supported');
    expect(row.why).toMatch(/every K > 1 \(1024\)/);
    expect(row.result).toMatch(/K = 1024 \(COLD\), 1 vectored call: per range vector 1\.00 µs \[/);
    expect(row.result).toMatch(/vector - single -8\.00 µs \[/);
    expect(row.scenarioIds).toHaveLength(6);
  });
  it('is not supported when single calls are cheaper per range at some K > 1', () => {
    expect(vectoredClaim.evaluate(syntheticRun(resultsFor(() => ({ vector: 9000, single: 1000, inject: 150_000 }))))!.verdict).toBe('not supported');
  });
  it('is inconclusive when the costs overlap, and K = 1 alone decides nothing', () => {
    expect(vectoredClaim.evaluate(syntheticRun(resultsFor(() => ({ vector: 1000, single: 1001, inject: 150_000 }))))!.verdict).toBe('inconclusive');
    const onlyK1 = resultsFor(() => ({ vector: 1000, single: 9000, inject: 150_000 })).filter((r) => r.scenario.vectored!.ranges === 1);
    const row = vectoredClaim.evaluate(syntheticRun(onlyK1))!;
    expect(row.verdict).toBe('inconclusive');
    expect(row.why).toMatch(/no K > 1/);
  });
  it('is inconclusive when too few samples give a 95 % interval', () => {
    const few = resultsFor(() => ({ vector: 1000, single: 9000, inject: 150_000 })).map((r) => ({ ...r, samples: r.samples.slice(0, 2) }));
    const row = vectoredClaim.evaluate(syntheticRun(few))!;
    expect(row.verdict).toBe('inconclusive');
    expect(row.result).toMatch(/only a \d+ % interval/);
  });
});
