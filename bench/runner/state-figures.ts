/**
 * The target-state figures of one sample (core/metrics/target-states.ts): from the start of
 * the hint until the memory is freed, the target's RSS is polled every ms (/proc/PID/statm
 * through a kept-open descriptor: one pread of a few us), concurrently with an asynchronous
 * hint such as the ptrace injector's and right after a synchronous one; and the
 * throttling counters of a throttled target's CPU cgroup and the runqueue wait of the
 * target's threads are read at both ends. After the hint: what the injector had to thaw, and
 * whether a foreign tracer survived.
 */
import { type CpuStat, readCpuStat } from '../../core/cgroup/cpu.ts';
import type { TARGET_STATE_FIELDS } from '../../core/metrics/target-states.ts';
import { KeptFiles } from '../../core/proc/kept-files.ts';
import { pageSizeBytes } from '../../core/sys/mman.ts';
import { sumSchedstat } from '../../core/proc/tasks.ts';
import type { HintOutcome, Scenario } from '../../core/types.ts';
import type { PtraceHintOutcome } from '../mechanisms/ptrace/index.ts';
import { foreignTracerOf, throttledCgroupOf } from './target-state.ts';

/** The target-state fields of a sample. */
export type StateFigures = { [K in keyof typeof TARGET_STATE_FIELDS]: (typeof TARGET_STATE_FIELDS)[K]['schema']['_output'] };

/** Longest wait for the RSS to drop after the hint returned, in ms. */
export const FREED_TIMEOUT_MS = 10_000;
/** Fraction of the hinted bytes the RSS must drop by for the memory to count as freed. */
export const FREED_FRACTION = 0.9;

function nowNs(): number {
  return Number(process.hrtime.bigint());
}

function runDelayNs(pid: number, tids: readonly number[]): number {
  return sumSchedstat(pid, tids).waitNs;
}

/** Resident pages of `pid` from /proc/PID/statm (second field) through a kept descriptor, in bytes; null when unreadable. */
function rssReader(pid: number): { read(): number | null; close(): void } {
  const files = new KeptFiles(1);
  const buf = Buffer.alloc(256);
  const path = `/proc/${pid}/statm`;
  const page = pageSizeBytes();
  return {
    read() {
      const text = files.text(path, buf);
      const resident = text === null ? Number.NaN : Number(text.split(' ')[1]);
      return Number.isFinite(resident) ? resident * page : null;
    },
    close: () => files.reset(),
  };
}

/** A watch started just before a hint; finish() after it returned gives the figures. */
export interface StateWatch {
  /** Stops polling once freed (or FREED_TIMEOUT_MS after the hint returned) and returns the figures. */
  finish(outcome: HintOutcome | null): Promise<StateFigures>;
}

/** Starts watching the target of `scenario` (pid, threads) from `fromNs` on; call right before the hint. */
export function watchState(scenario: Pick<Scenario, 'advice' | 'mechanism'>, pid: number, tids: readonly number[], bytesRequested: number): StateWatch {
  const cg = throttledCgroupOf(pid);
  const statBefore: CpuStat | null = cg === null ? null : readCpuStat(cg);
  const waitBefore = runDelayNs(pid, tids);
  const rss = rssReader(pid);
  const rssBefore = rss.read();
  const watchFreed = scenario.advice === 'pageout' && scenario.mechanism !== 'none' && rssBefore !== null;
  const threshold = rssBefore === null ? 0 : rssBefore - FREED_FRACTION * bytesRequested;
  const fromNs = nowNs();
  let freedAtNs: number | null = null;
  const poll = (): boolean => {
    if (freedAtNs !== null) return true;
    const now = rss.read();
    if (now !== null && now <= threshold) freedAtNs = nowNs();
    return freedAtNs !== null;
  };
  const timer = watchFreed ? setInterval(poll, 1) : null;
  return {
    async finish(outcome) {
      if (watchFreed) {
        poll();
        const deadline = Date.now() + FREED_TIMEOUT_MS;
        while (freedAtNs === null && Date.now() < deadline && outcome !== null && outcome.bytesAdvised > 0) {
          await new Promise((resolve) => setTimeout(resolve, 1));
          poll();
        }
        if (timer !== null) clearInterval(timer);
      }
      rss.close();
      const statAfter = cg === null ? null : readCpuStat(cg);
      const injection = outcome !== null && 'injection' in outcome ? (outcome as PtraceHintOutcome).injection : null;
      const tracer = foreignTracerOf(pid);
      return {
        freedNs: freedAtNs === null ? null : freedAtNs - fromNs,
        throttledPeriods: statBefore === null || statAfter === null ? null : statAfter.nrThrottled - statBefore.nrThrottled,
        throttledNs: statBefore === null || statAfter === null ? null : statAfter.throttledNs - statBefore.throttledNs,
        targetRunDelayNs: Math.max(0, runDelayNs(pid, tids) - waitBefore),
        injectorThawedCgroups: outcome === null ? null : (injection?.thawed.length ?? 0),
        injectorThawNs: injection?.windows.thawNs ?? null,
        foreignTracerPid: tracer?.tracerPid ?? null,
        foreignTracerIntact: tracer === null ? null : tracer.check.tracerAlive && tracer.check.attached && tracer.check.targetAlive,
      };
    },
  };
}
