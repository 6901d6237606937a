import { describe, expect, it } from 'vitest';
import { DEFAULT_FLEET, fleetScenarios } from '../../../bench/scenarios/claims-fleet.ts';
import { DEFAULT_VECTORED, vectoredScenarios } from '../../../bench/scenarios/claims-vectored.ts';
import { parseSuiteFile } from '../../../bench/scenarios/suite-file.ts';
import { appMemory } from '../../../bench/runner/fleet.ts';
import { checkMemoryPlan, type MemoryBudget, planContent, RUN_RESERVE_BYTES, scenarioNeedBytes, WORKLOAD_BASE_BYTES } from '../../../bench/runner/plan.ts';
import { HintbenchError } from '../../../core/errors.ts';

const MIB = 2 ** 20;

describe('fleet scenarios', () => {
  it('default: 4 apps of 16 MiB (random, mixed, zero), frozen, both mechanisms and advices, 6 fleets each', () => {
    const s = fleetScenarios();
    expect(s.map((x) => x.id)).toEqual([
      'fleet/process_madvise/cold/4x16MiB-random+mixed+zero/frozen',
      'fleet/process_madvise/pageout/4x16MiB-random+mixed+zero/frozen',
      'fleet/ptrace/cold/4x16MiB-random+mixed+zero/frozen',
      'fleet/ptrace/pageout/4x16MiB-random+mixed+zero/frozen',
    ]);
    expect(s.every((x) => x.fleet?.apps === 4 && x.memory.sizeMiB === 16 && x.memory.vmas === 1 && x.repetitions === 6)).toBe(true);
    expect(DEFAULT_FLEET.states).toEqual(['frozen']);
  });
  it('cycles the content over the apps', () => {
    const [s] = fleetScenarios({ ...DEFAULT_FLEET, apps: 5, contents: ['zero', 'random'] });
    expect([0, 1, 2, 3, 4].map((i) => appMemory(s!.memory, s!.fleet!, i).content)).toEqual(['zero', 'random', 'zero', 'random', 'zero']);
  });
  it('counts every app in the memory plan, and swap for the least compressible content', () => {
    const [s] = fleetScenarios({ ...DEFAULT_FLEET, apps: 32, appSizeMiB: 256, contents: ['zero', 'mixed'] });
    expect(planContent(s!)).toBe('mixed');
    expect(scenarioNeedBytes(s!)).toBe(32 * (256 * MIB + MIB + WORKLOAD_BASE_BYTES) + RUN_RESERVE_BYTES);
    const small: MemoryBudget = { memAvailableBytes: 8192 * MIB, swap: [] };
    let err: unknown;
    try {
      checkMemoryPlan({ name: 't', description: 't', scenarios: [s!] }, small);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HintbenchError);
    expect((err as HintbenchError).message).toMatch(
      /^scenario fleet\/process_madvise\/cold\/32x256MiB-zero\+mixed\/frozen needs about 12,576 MiB of memory \(32 workloads of 256 MiB/,
    );
    expect((err as HintbenchError).fix).toMatch(/use at most 119 MiB per workload/);
  });
});

describe('vectored scenarios', () => {
  it('default: K = 1, 64, 1024, 4096 one-page ranges, COLD, three modes, 6 samples each', () => {
    const s = vectoredScenarios();
    expect(s).toHaveLength(12);
    expect(s.slice(0, 3).map((x) => x.id)).toEqual([
      'vectored/process_madvise/cold/vector/K1x4KiB-random',
      'vectored/process_madvise/cold/per-range/K1x4KiB-random',
      'vectored/ptrace/cold/per-range/K1x4KiB-random',
    ]);
    for (const x of s) {
      expect(x.memory.vmas).toBe(x.vectored!.ranges);
      expect(x.memory.sizeMiB * 1024).toBe(x.vectored!.ranges * DEFAULT_VECTORED.rangeKiB);
      expect(x.targetState).toBe('sleeping');
    }
    expect(new Set(s.map((x) => x.vectored!.ranges))).toEqual(new Set([1, 64, 1024, 4096]));
  });
});

describe('suite files with fleets and vectored sections', () => {
  it('expands them with defaults and the suite repetitions, without memories', () => {
    const suite = parseSuiteFile(
      JSON.stringify({
        name: 'c',
        repetitions: 2,
        fleets: [{ apps: 3, states: ['stopped'], advices: ['pageout'] }],
        vectored: { ranges: [8], modes: ['vector', 'inject'], repetitions: 4 },
      }),
      'c.json',
    );
    expect(suite.scenarios.map((s) => `${s.id} x${s.repetitions}`)).toEqual([
      'fleet/process_madvise/pageout/3x16MiB-random+mixed+zero/stopped x2',
      'fleet/ptrace/pageout/3x16MiB-random+mixed+zero/stopped x2',
      'vectored/process_madvise/cold/vector/K8x4KiB-random x4',
      'vectored/ptrace/cold/per-range/K8x4KiB-random x4',
    ]);
  });
  it.each([
    [{ fleets: [{ states: ['running'] }] }, /field fleets\[0\]\.states\[0\] must be one of frozen, stopped, got "running"/],
    [{ fleets: [{ apps: 0 }] }, /field fleets\[0\]\.apps must be an integer from 1 to 256, got 0/],
    [{ fleets: [{ appSizeMib: 4 }] }, /field fleets\[0\]\.appSizeMib is not a known field/],
    [{ vectored: { rangeKiB: 6 } }, /field vectored\.rangeKiB must be a multiple of the 4 KiB page/],
    [{ vectored: { modes: ['batched'] } }, /field vectored\.modes\[0\] must be one of vector, per-range, inject, got "batched"/],
    [{ vectored: { ranges: [] } }, /field vectored\.ranges must be a non-empty list/],
    [{ name: 'x' }, /field memories is missing, and so are fleets, vectored, race and pressure/],
  ])('names the field: %j', (bad, message) => {
    expect(() => parseSuiteFile(JSON.stringify(bad), 'bad.json')).toThrow(message);
  });
});
