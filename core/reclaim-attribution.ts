/**
 * Attribution of reclaim-events.bt's passes to the pressure phase of one sample.
 *
 * The probe's tracepoints carry no cgroup, and the thread that reclaims for a memory cgroup is
 * whichever charged it or wrote its limit: on cgroup v1, lowering memory.limit_in_bytes
 * reclaims in the writer's context (the runner), a fault of the workload over the limit in
 * the workload's own, a balloon's allocation in the balloon's. So the passes are counted
 * system-wide by time: a pass belongs to the window when it ENDED inside it. Scenarios run
 * one at a time, so inside a pressure window the only memcg reclaim is that sample's
 * cgroup's (or another cgroup's over its own limit, which is noise on a shared machine);
 * kswapd, DAMON and MADV_PAGEOUT do not reclaim through these tracepoints, and direct
 * reclaim needs the whole machine short of free memory.
 */
import type { PressureTimelinePoint } from './schema/pressure.ts';
import type { ProbeFacts } from './types.ts';

/** The reclaim fields of a pressure sample (core/metrics/pressure.ts). */
export interface ReclaimFigures {
  /** Memcg and direct reclaim passes that ended in the window; null when the probe did not run. */
  reclaimEvents: number | null;
  /** Mean duration of those passes, in ns; null when there were none or the probe did not run. */
  reclaimLatencyMeanNs: number | null;
  /** Passes per duration bucket: element i counts passes that took [2^i, 2^(i+1)) ns (0 and 1 ns in element 0). */
  reclaimLatencyLog2Hist: number[] | null;
  /** Reclaim throttling events in the window. */
  reclaimThrottleEvents: number | null;
  /** The timeline with each point's `reclaimEvents` (passes ended since the window began); null stays null. */
  pressureTimeline: PressureTimelinePoint[] | null;
}

/** The log2 bucket of a duration: i such that 2^i <= ns < 2^(i+1); 0 for 0 and 1 ns. */
export function log2Bucket(ns: number): number {
  return ns <= 1 ? 0 : Math.floor(Math.log2(ns));
}

/**
 * The reclaim figures of one pressure window [fromNs, toNs] (CLOCK_MONOTONIC ns, bpftrace's
 * nsecs), and the reclaim count of every point of `timeline` (its tMs counted from fromNs).
 * Every figure is null when the probe did not run in the session (`facts.reclaims` absent).
 */
export function reclaimInWindow(
  facts: Pick<ProbeFacts, 'reclaims' | 'reclaimThrottles'>,
  window: { fromNs: number; toNs: number },
  timeline: readonly PressureTimelinePoint[] | null,
): ReclaimFigures {
  const points = timeline === null ? null : timeline.map((p) => ({ ...p }));
  if (facts.reclaims === undefined) {
    return { reclaimEvents: null, reclaimLatencyMeanNs: null, reclaimLatencyLog2Hist: null, reclaimThrottleEvents: null, pressureTimeline: points };
  }
  const ends = facts.reclaims
    .map((r) => ({ endNs: r.beginNs + r.durationNs, durationNs: r.durationNs }))
    .filter((r) => r.endNs >= window.fromNs && r.endNs <= window.toNs)
    .sort((a, b) => a.endNs - b.endNs);
  const hist: number[] = [];
  for (const r of ends) {
    const i = log2Bucket(r.durationNs);
    while (hist.length <= i) hist.push(0);
    hist[i]! += 1;
  }
  const sumNs = ends.reduce((s, r) => s + r.durationNs, 0);
  const throttles = (facts.reclaimThrottles ?? []).filter((t) => t.atNs >= window.fromNs && t.atNs <= window.toNs).length;
  if (points !== null) {
    for (const p of points) {
      const atNs = window.fromNs + p.tMs * 1e6;
      p.reclaimEvents = ends.filter((r) => r.endNs <= atNs).length;
    }
  }
  return {
    reclaimEvents: ends.length,
    reclaimLatencyMeanNs: ends.length > 0 ? sumNs / ends.length : null,
    reclaimLatencyLog2Hist: hist,
    reclaimThrottleEvents: throttles,
    pressureTimeline: points,
  };
}
