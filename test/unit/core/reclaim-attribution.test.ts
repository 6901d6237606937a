import { describe, expect, it } from 'vitest';
import { log2Bucket, reclaimInWindow } from '../../../core/reclaim-attribution.ts';
import type { PressureTimelinePoint } from '../../../core/schema/pressure.ts';
import type { ProbeReclaim } from '../../../core/types.ts';

const pass = (beginNs: number, durationNs: number, over: Partial<ProbeReclaim> = {}): ProbeReclaim => ({
  kind: 'memcg',
  pid: 10,
  tid: 10,
  comm: 'node',
  beginNs,
  durationNs,
  reclaimedPages: 32,
  ...over,
});
const point = (tMs: number): PressureTimelinePoint => ({ tMs, rssBytes: 1, swapBytes: 0, cgroupUsageBytes: 1, refaultPages: null, reclaimEvents: null });

describe('log2Bucket', () => {
  it('puts [2^i, 2^(i+1)) in bucket i, and 0 and 1 ns in bucket 0', () => {
    expect([0, 1, 2, 3, 4, 1023, 1024, 1025].map(log2Bucket)).toEqual([0, 0, 1, 1, 2, 9, 10, 10]);
  });
});

describe('reclaimInWindow', () => {
  const window = { fromNs: 1_000_000_000, toNs: 1_100_000_000 };

  it('is null throughout when the probe did not run, and leaves the timeline as it was', () => {
    const fig = reclaimInWindow({}, window, [point(5)]);
    expect(fig).toEqual({ reclaimEvents: null, reclaimLatencyMeanNs: null, reclaimLatencyLog2Hist: null, reclaimThrottleEvents: null, pressureTimeline: [point(5)] });
  });

  it('is zero, not null, when the probe ran and saw nothing in the window', () => {
    const fig = reclaimInWindow({ reclaims: [pass(10, 5)], reclaimThrottles: [] }, window, null);
    expect(fig).toMatchObject({ reclaimEvents: 0, reclaimLatencyMeanNs: null, reclaimLatencyLog2Hist: [], reclaimThrottleEvents: 0, pressureTimeline: null });
  });

  it('counts the passes that ended in the window, any task, with their mean and log2 histogram', () => {
    const reclaims = [
      pass(window.fromNs - 1_000, 500), // ended before the window
      pass(window.fromNs - 1_000, 2_000, { pid: 99, kind: 'direct' }), // began before, ended inside: counted
      pass(window.fromNs + 1_000_000, 4_096),
      pass(window.fromNs + 50_000_000, 5_000, { pid: 1 }),
      pass(window.toNs - 10, 100), // ends after the window
    ];
    const throttles = [
      { pid: 10, tid: 10, comm: 'node', atNs: window.fromNs + 5, delayedUs: 100, reason: 4 },
      { pid: 10, tid: 10, comm: 'node', atNs: window.toNs + 5, delayedUs: 100, reason: 4 },
    ];
    const fig = reclaimInWindow({ reclaims, reclaimThrottles: throttles }, window, [point(0), point(1), point(2), point(60), point(100)]);
    expect(fig.reclaimEvents).toBe(3);
    expect(fig.reclaimLatencyMeanNs).toBeCloseTo((2_000 + 4_096 + 5_000) / 3, 9);
    // 2000 -> bucket 10, 4096 and 5000 -> bucket 12
    expect(fig.reclaimLatencyLog2Hist).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2]);
    expect(fig.reclaimLatencyLog2Hist!.reduce((s, c) => s + c, 0)).toBe(fig.reclaimEvents);
    expect(fig.reclaimThrottleEvents).toBe(1);
    // tMs counts from fromNs: at 0 ms the pass that began before and ended at fromNs+1000 ns has not ended yet.
    expect(fig.pressureTimeline!.map((p) => p.reclaimEvents)).toEqual([0, 1, 2, 3, 3]);
  });

  it('does not change the timeline it was given', () => {
    const timeline = [point(10)];
    reclaimInWindow({ reclaims: [pass(window.fromNs, 1)], reclaimThrottles: [] }, window, timeline);
    expect(timeline[0]!.reclaimEvents).toBeNull();
  });
});
