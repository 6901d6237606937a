/**
 * stall.bt cross-checked against stops of known length and count: a child held in SIGSTOP
 * for a measured time (TASK_STOPPED), and a python3 child traced by strace while it makes a
 * known number of getppid() calls (two ptrace stops per syscall: entry and exit). The
 * injector's own PTRACE_SEIZE/INTERRUPT stops are tested with the ptrace mechanism.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startProbeSession } from '../../../bpf/session.ts';
import { canRun, canUse } from '../../helpers/prereq.ts';

const run = canRun('bpf stall probe', { root: true, bpftrace: true, tracefs: true });
const haveStrace = run && canUse('stall.bt against strace', ((): boolean => {
  try {
    execFileSync('strace', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})(), 'apt-get install -y strace');

describe.skipIf(!run)('stall.bt', () => {
  it('measures a SIGSTOP of known length as one stopped stall', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const session = await startProbeSession({ scripts: ['stall'] });
    let stoppedNs = 0;
    try {
      await sleep(50);
      const a = process.hrtime.bigint();
      process.kill(child.pid!, 'SIGSTOP');
      await sleep(200);
      process.kill(child.pid!, 'SIGCONT');
      stoppedNs = Number(process.hrtime.bigint() - a);
      await sleep(50);
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    const report = await session.stop();
    const mine = report.stalls.filter((s) => s.tid === child.pid);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.state).toBe('stopped');
    // The stall runs from the switch-out after SIGSTOP to the switch-in after SIGCONT: inside
    // the window this process measured, and most of it.
    expect(mine[0]!.durationNs).toBeLessThanOrEqual(stoppedNs);
    expect(mine[0]!.durationNs).toBeGreaterThan(stoppedNs - 20e6);
  });

  it.skipIf(!haveStrace)('counts two traced stops per syscall of a strace-traced thread', async () => {
    const K = 200;
    const py = 'import os, sys\nsys.stdin.readline()\nfor _ in range(' + K + '): os.getppid()\nsys.stdout.write("done\\n"); sys.stdout.flush()\nsys.stdin.readline()\n';
    const child = spawn('python3', ['-c', py], { stdio: ['pipe', 'pipe', 'ignore'] });
    const out = join(tmpdir(), `hintbench-strace-${process.pid}.txt`);
    const session = await startProbeSession({ scripts: ['stall'] });
    const strace = spawn('strace', ['-qq', '-e', 'trace=getppid', '-o', out, '-p', String(child.pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      await sleep(500); // strace seizes the child while it blocks in read()
      const done = once(child.stdout!, 'data');
      child.stdin!.write('go\n');
      await done;
      strace.kill('SIGINT');
      await once(strace, 'exit');
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit').catch(() => undefined);
    }
    const report = await session.stop();
    const traced = report.stalls.filter((s) => s.tid === child.pid && s.state === 'traced');
    const getppids = readFileSync(out, 'utf8').split('\n').filter((l) => l.startsWith('getppid(')).length;
    rmSync(out, { force: true });
    expect(getppids).toBe(K);
    // Every traced syscall stops at entry and at exit; other syscalls (read, write) and the
    // attach add a few more stops, never fewer.
    expect(traced.length).toBeGreaterThanOrEqual(2 * K);
    expect(traced.length).toBeLessThanOrEqual(2 * K + 40);
    expect(traced.every((s) => s.durationNs > 0)).toBe(true);
  });
});
