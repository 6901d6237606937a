/**
 * The pressure timeline of one sample: the workload's RSS and swap, the cgroup's usage and
 * the workingset refaults since the phase began, read every `intervalMs` on this process's
 * event loop while the pressure phase runs. A synchronous step of the runner (the write that
 * lowers the limit, in which the kernel reclaims) holds the loop: a point is taken right
 * before and right after it instead.
 */
import { type Memcg, readMemcgStat, readMemcgUsage } from '../../core/cgroup/memcg.ts';
import { readStatus } from '../../core/proc/status.ts';
import type { PressureTimelinePoint } from '../../core/schema/pressure.ts';

/** Default interval between two timeline points, ms. */
export const DEFAULT_TIMELINE_INTERVAL_MS = 50;
/** Most points one timeline keeps (a longer phase keeps its first points and its last). */
export const MAX_TIMELINE_POINTS = 2_000;

/** Workingset refaults (anon + file) in a memory.stat reading; null when it has neither key. */
export function refaultsOf(stat: Record<string, number>): number | null {
  const anon = stat.workingset_refault_anon;
  const file = stat.workingset_refault_file;
  if (anon === undefined && file === undefined) return null;
  return (anon ?? 0) + (file ?? 0);
}

/** Samples a workload and its cgroup through the pressure phase. */
export class PressureTimeline {
  readonly points: PressureTimelinePoint[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly refaults0: number | null;
  private stopped = false;

  /**
   * @param fromNs CLOCK_MONOTONIC instant the phase began (process.hrtime), ns: tMs counts from it.
   */
  constructor(
    private readonly pid: number,
    private readonly cg: Memcg,
    private readonly fromNs: number,
    private readonly intervalMs: number = DEFAULT_TIMELINE_INTERVAL_MS,
  ) {
    this.refaults0 = refaultsOf(readMemcgStat(cg));
  }

  /** Takes one point now; a workload or cgroup that is gone ends the sampling quietly. */
  point(): void {
    if (this.stopped) return;
    try {
      const st = readStatus(this.pid);
      const usage = readMemcgUsage(this.cg);
      const refaults = refaultsOf(readMemcgStat(this.cg));
      const tMs = Math.max(0, (Number(process.hrtime.bigint()) - this.fromNs) / 1e6);
      if (this.points.length >= MAX_TIMELINE_POINTS) this.points.pop();
      this.points.push({
        tMs: Math.round(tMs * 1000) / 1000,
        rssBytes: st.rssBytes,
        swapBytes: st.swapBytes,
        cgroupUsageBytes: usage.memoryBytes,
        refaultPages: refaults === null || this.refaults0 === null ? null : Math.max(0, refaults - this.refaults0),
        reclaimEvents: null,
      });
    } catch {
      this.stop();
    }
  }

  /** Takes a point now and then every interval until stop(). */
  start(): void {
    this.point();
    this.timer = setInterval(() => this.point(), this.intervalMs);
    this.timer.unref();
  }

  /** Takes a last point and stops. */
  finish(): PressureTimelinePoint[] {
    this.point();
    this.stop();
    return this.points;
  }

  /** Stops without a further point. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
