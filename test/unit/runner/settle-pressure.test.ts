import { describe, expect, it } from 'vitest';
import { familyNulls } from '../../../core/metrics.ts';
import type { Sample, Scenario } from '../../../core/types.ts';
import type { SampleDraft } from '../../../bench/runner/sample-draft.ts';
import { ScenarioState } from '../../../bench/runner/scenario.ts';
import { optionalBlockProbes } from '../../../bench/runner/block.ts';
import { pressureRun } from '../reports/pressure-fixture.ts';
import { fixtureRun } from '../reports/fixture.ts';

/** A fixture sample turned into a draft, with or without a pressure window. */
function draft(sample: Sample, pressureWindow: SampleDraft['pressureWindow']): SampleDraft {
  return { sample, hintWindow: { fromNs: 0, toNs: 1 }, syscallTid: 1, targetTids: [1], backgroundReclaimPages: 0, pressureWindow };
}

describe('ScenarioState.settle and the reclaim probe', () => {
  const base = fixtureRun().scenarios[0]!;
  const scenario: Scenario = base.scenario;
  const sample: Sample = { ...base.samples[0]!, ...familyNulls() };
  const facts = {
    reclaims: [{ kind: 'memcg' as const, pid: 1, tid: 1, comm: 'node', beginNs: 1_000, durationNs: 1_000, reclaimedPages: 32 }],
    reclaimThrottles: [],
  };

  it('fills the reclaim fields and the timeline of a sample with a pressure window only', () => {
    const state = new ScenarioState(scenario);
    const timeline = [{ tMs: 0.0015, rssBytes: 1, swapBytes: 0, cgroupUsageBytes: 1, refaultPages: null, reclaimEvents: null }];
    state.addPending(draft({ ...sample, pressureTimeline: timeline }, { fromNs: 500, toNs: 10_000 }));
    state.addPending(draft(sample, null));
    state.settle(null, facts);
    const [pressured, hinted] = state.samples;
    expect(pressured).toMatchObject({ reclaimEvents: 1, reclaimLatencyMeanNs: 1_000, reclaimThrottleEvents: 0 });
    expect(pressured!.reclaimLatencyLog2Hist![9]).toBe(1);
    expect(pressured!.pressureTimeline![0]!.reclaimEvents).toBe(1);
    expect(hinted).toMatchObject({ reclaimEvents: null, reclaimLatencyMeanNs: null, reclaimLatencyLog2Hist: null, pressureTimeline: null });
  });

  it('leaves the reclaim fields null when the probe session gave no facts', () => {
    const state = new ScenarioState(scenario);
    state.addPending(draft(sample, { fromNs: 500, toNs: 10_000 }));
    state.settle(null);
    expect(state.samples[0]!.reclaimEvents).toBeNull();
  });
});

describe('optionalBlockProbes', () => {
  const hint = fixtureRun().scenarios[0]!.scenario;
  const pressured = pressureRun(2).scenarios[1]!.scenario;

  it('adds reclaim-events.bt only to blocks that run a pressure scenario', () => {
    expect(optionalBlockProbes([{ scenario: hint }], [0], true)).not.toContain('reclaim-events');
    expect(optionalBlockProbes([{ scenario: hint }, { scenario: pressured }], [0, 1], false)).toContain('reclaim-events');
    // A pressure scenario the block does not run does not count.
    expect(optionalBlockProbes([{ scenario: hint }, { scenario: pressured }], [0], true)).not.toContain('reclaim-events');
    expect(optionalBlockProbes([{ scenario: hint }], [0], true)).toEqual(expect.arrayContaining(['hint-tlb', 'hint-ipi', 'hint-sched', 'refault-latency']));
  });

  it('adds the explanation probes only when asked (--explain on)', () => {
    expect(optionalBlockProbes([{ scenario: hint }], [0], false)).toEqual([]);
    expect(optionalBlockProbes([{ scenario: pressured }], [0], false)).toEqual(['reclaim-events']);
  });
});
