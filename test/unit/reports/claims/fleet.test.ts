import { describe, expect, it } from 'vitest';
import { fleetScenarios } from '../../../../bench/scenarios/claims-fleet.ts';
import { FLEET_CLAIM_ID, fleetClaim } from '../../../../reports/claims/fleet.ts';
import type { Scenario } from '../../../../core/types.ts';
import { syntheticResult, syntheticRun, syntheticSample } from './synthetic.ts';

const APPS = 4;
const REPS = 3;
const [pm, pt] = fleetScenarios({
  apps: APPS,
  appSizeMiB: 8,
  contents: ['random', 'zero'],
  states: ['frozen'],
  mechanisms: ['process_madvise', 'ptrace'],
  advices: ['pageout'],
  repetitions: REPS,
});

/** A fleet scenario's result: app j of fleet i took `appNs(i, j)` ns; ptrace apps stalled half of it. */
function fleetResult(scenario: Scenario, appNs: (i: number, j: number) => number, opts: { intact?: number; leftBehind?: string[] } = {}) {
  const samples = Array.from({ length: REPS }, (_, i) => {
    const hint = Array.from({ length: APPS }, (_, j) => appNs(i, j));
    const stall = hint.map((h) => (scenario.mechanism === 'ptrace' ? h / 2 : 0));
    const total = hint.reduce((a, b) => a + b, 0);
    return syntheticSample(i, {
      fleetApps: APPS,
      fleetAppsIntact: opts.intact ?? APPS,
      fleetLeftBehind: opts.leftBehind ?? [],
      fleetAppHintNs: hint,
      fleetAppStallNs: stall,
      fleetTotalNs: total,
      fleetFreedBytes: APPS * 8 * 2 ** 20,
      fleetFreedPerSecondBytes: (APPS * 8 * 2 ** 20 * 1e9) / total,
      fleetCallerCpuNs: total / 2,
      fleetAppsCpuNs: scenario.mechanism === 'ptrace' ? total / 2 : 1000,
    });
  });
  return syntheticResult(scenario, samples);
}

const fast = (i: number, j: number): number => 1_000_000 + 10_000 * (i * APPS + j);
const slow = (i: number, j: number): number => 9_000_000 + 10_000 * (i * APPS + j);
const same = (i: number, j: number): number => 5_000_000 + 10_000 * ((i * APPS + j) % 3);

describe('fleet claim evaluator', () => {
  it('has no row for a run without fleet scenarios', () => {
    expect(fleetClaim.evaluate(syntheticRun([]))).toBeNull();
  });
  it('is supported when process_madvise takes less time per app, with the per-app shift CI and the fleet figures in the result', () => {
    const row = fleetClaim.evaluate(syntheticRun([fleetResult(pm!, fast), fleetResult(pt!, slow)]))!;
    expect(row.id).toBe(FLEET_CLAIM_ID);
    expect(row.verdict).toBe('supported');
    expect(row.scenarioIds).toEqual([pm!.id, pt!.id]);
    expect(row.result).toMatch(/PAGEOUT, 4 x 8 MiB frozen \(below\): per app process_madvise - ptrace -8\.00 ms \[/);
    expect(row.result).toMatch(/per-app stall median 0 s/);
    expect(row.result).toMatch(/freed .*MiB\/s/);
    expect(row.why).toMatch(/all 24 apps kept their data/);
  });
  it('is not supported when injection is faster per app', () => {
    expect(fleetClaim.evaluate(syntheticRun([fleetResult(pm!, slow), fleetResult(pt!, fast)]))!.verdict).toBe('not supported');
  });
  it('is inconclusive when the per-app times overlap', () => {
    const row = fleetClaim.evaluate(syntheticRun([fleetResult(pm!, same), fleetResult(pt!, same)]))!;
    expect(row.verdict).toBe('inconclusive');
    expect(row.result).toMatch(/\(across\)/);
  });
  it('is inconclusive when an app lost data or something was left behind, whatever the times', () => {
    expect(fleetClaim.evaluate(syntheticRun([fleetResult(pm!, fast, { intact: APPS - 1 }), fleetResult(pt!, slow)]))!.why).toMatch(/3 of 24 apps lost data/);
    const left = fleetClaim.evaluate(syntheticRun([fleetResult(pm!, fast), fleetResult(pt!, slow, { leftBehind: ['cgroup /x'] })]))!;
    expect(left.verdict).toBe('inconclusive');
    expect(left.why).toMatch(/3 things were left behind/);
  });
  it('ignores warm-up fleets', () => {
    const a = fleetResult(pm!, slow);
    const warm = fleetResult(pm!, fast).samples.map((s) => ({ ...s, warmUp: true }));
    a.samples = [...warm, ...fleetResult(pm!, fast).samples];
    expect(fleetClaim.evaluate(syntheticRun([a, fleetResult(pt!, slow)]))!.verdict).toBe('supported');
  });
});
