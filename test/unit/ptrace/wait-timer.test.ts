import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { WaitTimer } from '../../../bench/sys/ptrace-wait.ts';

describe('WaitTimer: blocking waitpid with a deadline', () => {
  it('cuts a blocked wait short at the deadline, and again one period later without re-arming', async () => {
    const timer = WaitTimer.create(20_000_000);
    expect(timer).not.toBeNull();
    const child = spawn('sleep', ['5'], { stdio: 'ignore' });
    await once(child, 'spawn');
    try {
      const t0 = process.hrtime.bigint();
      timer!.armUntil(t0 + 30_000_000n, t0);
      expect(timer!.wait(child.pid!)).toEqual({ timedOut: true });
      const t1 = process.hrtime.bigint();
      expect(Number(t1 - t0) / 1e6).toBeGreaterThanOrEqual(29);
      expect(Number(t1 - t0) / 1e6).toBeLessThan(1000);
      // The next expiry comes one period later: a wait entered after a missed expiry still ends.
      expect(timer!.wait(child.pid!)).toEqual({ timedOut: true });
      const t2 = process.hrtime.bigint();
      expect(Number(t2 - t1) / 1e6).toBeLessThan(1000);
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
      timer!.armUntil(t0 + 5_000_000_000n, t0);
      const r = timer!.wait(child.pid!);
      timer!.disarm();
      // libuv may reap the child first (its SIGCHLD handler): then waitpid reports ECHILD.
      if (!r.timedOut) expect(r.status).toEqual({ kind: 'exited', exitCode: 0 });
      expect(Number(process.hrtime.bigint() - t0) / 1e6).toBeLessThan(4000);
    } catch (err) {
      expect((err as { code?: string }).code).toBe('ECHILD');
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
