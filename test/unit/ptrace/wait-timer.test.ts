import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { WaitTimer } from '../../../core/sys/ptrace-wait.ts';

describe('WaitTimer: blocking waitpid with a deadline', () => {
  it('cuts a blocked wait short at the deadline, and again one period later without re-arming', async () => {
    const timer = WaitTimer.create(20_000_000);
    expect(timer).not.toBeNull();
    // The child sleeps far longer than the deadlines here: a wait that ends with timedOut ended
    // by the timer (and a broken timer fails the test after 60 s, not never).
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    await once(child, 'spawn');
    try {
      const t0 = process.hrtime.bigint();
      timer!.armUntil(t0 + 30_000_000n, t0);
      expect(timer!.wait(child.pid!)).toEqual({ timedOut: true });
      const t1 = process.hrtime.bigint();
      // not before the deadline (the clock's ms rounding aside)
      expect(Number(t1 - t0) / 1e6).toBeGreaterThanOrEqual(29);
      // The next expiry comes one period later: a wait entered after a missed expiry still
      // ends (without the period it would block until the child exits).
      expect(timer!.wait(child.pid!)).toEqual({ timedOut: true });
      timer!.disarm();
    } finally {
      child.kill('SIGKILL');
      timer!.close();
    }
  });
  it('returns the state change when it comes before the deadline', async () => {
    const timer = WaitTimer.create();
    const child = spawn('sleep', ['0.05'], { stdio: 'ignore' });
    await once(child, 'spawn');
    try {
      const t0 = process.hrtime.bigint();
      // a deadline far beyond the child's 50 ms: the wait must end with the child's exit
      timer!.armUntil(t0 + 600_000_000_000n, t0);
      let r: ReturnType<WaitTimer['wait']> | null = null;
      try {
        r = timer!.wait(child.pid!);
      } catch (err) {
        // libuv may reap the child first (its SIGCHLD handler): then waitpid reports ECHILD.
        expect((err as { code?: string }).code).toBe('ECHILD');
      }
      timer!.disarm();
      if (r !== null) expect(r).toEqual({ timedOut: false, pid: child.pid, status: { kind: 'exited', exitCode: 0 } });
    } finally {
      timer!.close();
    }
  });
  it('throws ECHILD for a pid that is not our child', () => {
    const timer = WaitTimer.create();
    try {
      expect(() => timer!.wait(1)).toThrow(/ECHILD/);
    } finally {
      timer!.close();
    }
  });
});
