/**
 * Waiting for a tracee's next state change, with a deadline, and with a look at the cgroup
 * freezer when a stop is late (a frozen target does not stop, or does not finish a system
 * call, until thawed). Synchronous, on the tracer's one thread.
 */
import { readProcStat } from '../../../core/proc/stat.ts';
import { FreezerWatch, thawCgroups } from '../../../core/cgroup/freezer.ts';
import { sleepUs, waitTid, yieldCpu } from '../../../core/sys/ptrace.ts';
import { WNOHANG } from '../../../core/sys/wait.ts';
import type { WaitStatus } from '../../../core/sys/ptrace-status.ts';
import { WaitTimer } from '../../../core/sys/ptrace-wait.ts';
import type { InjectionReport, WaitMode } from './report.ts';

/** A stop later than this is "not prompt": the freezer state is checked. */
const FIRST_FREEZER_CHECK_NS = 5_000_000n;
/** `block` waits poll waitpid(WNOHANG) this long before they sleep (measured: 4 KiB injection median 188 -> 99 us, sleeping target). */
const BLOCK_AFTER_NS = 100_000n;
/** While still waiting, the freezer state is checked again this often. */
const FREEZER_RECHECK_NS = 50_000_000n;
/** A never-ending wait (the wait's own deadline is the freezer re-check). */
export const NO_DEADLINE_NS = BigInt(Number.MAX_SAFE_INTEGER);

/** Polls waitpid(tid, WNOHANG | __WALL): spins with sched_yield for ~100 us, then sleeps in growing steps. Calls `onSlow` once after 50 ms. */
export function pollWait(tid: number, deadlineNs: bigint, onSlow?: () => void): WaitStatus | null {
  const start = process.hrtime.bigint();
  let sleep = 20;
  let slowCalled = false;
  for (;;) {
    const r = waitTid(tid, WNOHANG);
    if (!r.pending) return r.status;
    const now = process.hrtime.bigint();
    if (now >= deadlineNs) return null;
    if (now - start < 100_000n) {
      yieldCpu();
      continue;
    }
    if (!slowCalled && onSlow !== undefined && now - start > 50_000_000n) {
      slowCalled = true;
      onSlow();
    }
    sleepUs(sleep);
    sleep = Math.min(sleep * 2, 1000);
  }
}

/** Waits (up to 200 ms, outside the timed window) until thread `tid` is in state T again. */
export function waitForGroupStop(pid: number, tid: number): void {
  const deadline = process.hrtime.bigint() + 200_000_000n;
  while (process.hrtime.bigint() < deadline) {
    const state = readProcStat(pid, { tid })?.state;
    if (state === undefined || state === 'T') return; // gone, or stopped
    yieldCpu();
  }
}

/**
 * After an ESRCH mid-injection: waits (up to 2 s) for what happened to the thread. Its exit
 * status is collected here, so a killed target does not linger as a ptrace zombie.
 */
export function settle(tid: number): { state: 'exited' | 'stopped' | 'unknown'; status: WaitStatus | null } {
  let s: WaitStatus | null;
  try {
    s = pollWait(tid, process.hrtime.bigint() + 2_000_000_000n);
  } catch {
    return { state: 'exited', status: null }; // ECHILD: already reaped, not our tracee any more
  }
  if (s === null) return { state: 'unknown', status: null };
  if (s.kind === 'exited' || s.kind === 'signaled') return { state: 'exited', status: s };
  return { state: s.kind === 'stopped' ? 'stopped' : 'unknown', status: s };
}

/**
 * Waits for stops of one injection at a time. Keeps the deadline timer and freezer watch of
 * the tracer thread, and counts waits for the report's profile.
 */
export class StopWaiter {
  /** Deadline timer of blocking waits; null when it cannot be set up here (then waits poll). */
  private readonly timer = WaitTimer.create();
  readonly freezer = new FreezerWatch();
  /** Wait mode of the injection in progress. */
  mode: WaitMode = 'block';
  /** Time spent in wait(), in ns, since the last reset. */
  waitNs = 0;
  /** Waits that slept in a blocking waitpid, since the last reset. */
  blockedWaits = 0;

  /** Picks the wait mode of the next injection (poll when blocking waits are unavailable) and resets the counters. */
  begin(requested: WaitMode | undefined): WaitMode {
    this.mode = requested === 'poll' || this.timer === null ? 'poll' : 'block';
    this.waitNs = 0;
    this.blockedWaits = 0;
    return this.mode;
  }

  /** Disarms the deadline timer after an injection. */
  end(): void {
    this.timer?.disarm();
  }

  /**
   * Next state change of `tid` until `deadlineNs` (null when none came). A stop that is not
   * prompt makes it look at the freezer after 5 ms, then every 50 ms, and thaw what holds the
   * target (recorded in `report.thawed`; the injector freezes it again before the detach).
   */
  wait(tid: number, deadlineNs: bigint, pid: number, report: InjectionReport): WaitStatus | null {
    const t0 = process.hrtime.bigint();
    try {
      return this.waitInner(tid, deadlineNs, pid, report);
    } finally {
      this.waitNs += Number(process.hrtime.bigint() - t0);
    }
  }

  private waitInner(tid: number, deadlineNs: bigint, pid: number, report: InjectionReport): WaitStatus | null {
    const timer = this.timer;
    if (this.mode === 'poll' || timer === null) return pollWait(tid, deadlineNs, () => this.lateThaw(pid, tid, report));
    // Most stops arrive within tens of microseconds: poll for them first (sleeping and being
    // woken again costs more than that), then block. Each empty poll yields the CPU: on a
    // busy machine the tracee may be queued on this very CPU, behind the polling tracer.
    const spinUntil = process.hrtime.bigint() + BLOCK_AFTER_NS;
    do {
      const r = waitTid(tid, WNOHANG);
      if (!r.pending) return r.status;
      yieldCpu();
    } while (process.hrtime.bigint() < spinUntil);
    let now = process.hrtime.bigint();
    let checkAt = now + FIRST_FREEZER_CHECK_NS;
    for (;;) {
      if (now >= deadlineNs) return null;
      timer.armUntil(checkAt < deadlineNs ? checkAt : deadlineNs, now);
      this.blockedWaits++;
      const r = timer.wait(tid);
      if (!r.timedOut) return r.status;
      now = process.hrtime.bigint();
      if (now >= checkAt) {
        this.lateThaw(pid, tid, report);
        checkAt = now + FREEZER_RECHECK_NS;
      }
    }
  }

  /** The target's stop is late: if a freezer holds it, thaw it now and record it. */
  private lateThaw(pid: number, tid: number, report: InjectionReport): void {
    try {
      const more = this.freezer.freezing(pid, tid, { fresh: true }).filter((c) => !report.thawed.some((t) => t.dir === c.dir));
      if (more.length === 0) return;
      thawCgroups(more);
      report.thawed.push(...more);
      if (!thawStartedNs.has(report)) thawStartedNs.set(report, process.hrtime.bigint());
    } catch {
      /* target gone: the wait reports it */
    }
  }
}

/** When the first thaw of an injection happened (for report.windows.thawNs). */
export const thawStartedNs = new WeakMap<InjectionReport, bigint>();
