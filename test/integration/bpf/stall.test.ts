/**
 * stall.bt cross-checked against stops of known length and count: a python3 child held in
 * SIGSTOP (TASK_STOPPED), and a python3 child traced by strace while it makes a known number
 * of getppid() calls (two ptrace stops per syscall: entry and exit). The injector's own
 * PTRACE_SEIZE/INTERRUPT stops are tested with the ptrace mechanism.
 *
 * Every bound follows from the order of events, never from how fast the machine is: a stop
 * begins after the signal was sent and ends before the child says it runs again, and strace's
 * own listing of the traced syscalls gives the number of ptrace stops.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { readStatus } from '../../../core/proc/status.ts';
import { startProbeSession } from '../../../bpf/session.ts';
import { canRun, canUse } from '../../helpers/prereq.ts';

const run = canRun('bpf stall probe', { root: true, bpftrace: true, tracefs: true });
const haveStrace =
  run &&
  canUse(
    'stall.bt against strace',
    ((): boolean => {
      try {
        execFileSync('strace', ['-V'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })(),
    'apt-get install -y strace',
  );

/** A python3 child and a reader of its stdout lines. */
function startPython(source: string): { child: ChildProcessWithoutNullStreams; nextLine: () => Promise<string> } {
  const child = spawn('python3', ['-c', source], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    child,
    nextLine: async () => {
      const r = await lines.next();
      if (r.done === true) throw new Error(`python3 child ${child.pid} closed its stdout`);
      return r.value;
    },
  };
}

/** Voluntary context switches of a task so far (/proc/PID/status). */
function voluntarySwitches(pid: number): number {
  const m = /^voluntary_ctxt_switches:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (m === null) throw new Error(`no voluntary_ctxt_switches in /proc/${pid}/status`);
  return Number(m[1]);
}

/** Polls `done` every ms until it holds; `what` names the condition if it never does within `timeoutMs`. */
async function until(done: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(1);
  }
}

/** The stall of a stop held this long, in ms (the length of what is measured, not a wait for anything). */
const HOLD_MS = 200;

describe.skipIf(!run)('stall.bt', () => {
  it('measures a SIGSTOP of known length as one stopped stall', async () => {
    const py = 'import os, signal, time\nsignal.signal(signal.SIGCONT, lambda *a: os.write(1, b"cont\\n"))\nos.write(1, b"ready\\n")\nwhile True: time.sleep(60)\n';
    const { child, nextLine } = startPython(py);
    const pid = child.pid!;
    expect(await nextLine()).toBe('ready');
    const session = await startProbeSession({ scripts: ['stall'] });
    let sentStopNs = 0n;
    let seenStoppedNs = 0n;
    let sentContNs = 0n;
    let runningAgainNs = 0n;
    try {
      const switchesBefore = voluntarySwitches(pid);
      sentStopNs = process.hrtime.bigint();
      process.kill(pid, 'SIGSTOP');
      // Stopped and switched out: the kernel counts the voluntary switch just before the
      // sched_switch tracepoint fires (interrupts off), so the stall began before this.
      await until(() => readStatus(pid).state === 'T' && voluntarySwitches(pid) > switchesBefore, `child ${pid} stopped`);
      seenStoppedNs = process.hrtime.bigint();
      await sleep(HOLD_MS);
      sentContNs = process.hrtime.bigint();
      process.kill(pid, 'SIGCONT');
      expect(await nextLine()).toBe('cont'); // printed by its SIGCONT handler: it has run again
      runningAgainNs = process.hrtime.bigint();
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit').catch(() => undefined);
    }
    const report = await session.stop();
    const mine = report.stalls.filter((s) => s.tid === pid);
    expect(mine).toHaveLength(1);
    const stall = mine[0]!;
    expect(stall.state).toBe('stopped');
    const endNs = stall.startNs + stall.durationNs;
    // began after SIGSTOP was sent and no later than it was seen switched out ...
    expect(stall.startNs).toBeGreaterThanOrEqual(Number(sentStopNs));
    expect(stall.startNs).toBeLessThanOrEqual(Number(seenStoppedNs));
    // ... ended after SIGCONT was sent and before the child's handler said it runs again
    expect(endNs).toBeGreaterThanOrEqual(Number(sentContNs));
    expect(endNs).toBeLessThanOrEqual(Number(runningAgainNs));
    expect(stall.durationNs).toBeGreaterThanOrEqual(Number(sentContNs - seenStoppedNs));
    expect(report.undeliveredLines.filter((u) => u.tid === pid)).toEqual([]);
  });

  it.skipIf(!haveStrace)('counts two traced stops per syscall of a strace-traced thread', async () => {
    const K = 200;
    const py = `import os, sys\nsys.stdout.write("ready\\n"); sys.stdout.flush()\nsys.stdin.readline()\nfor _ in range(${K}): os.getppid()\nsys.stdout.write("done\\n"); sys.stdout.flush()\nsys.stdin.readline()\n`;
    const { child, nextLine } = startPython(py);
    const pid = child.pid!;
    const out = join(tmpdir(), `hintbench-strace-${process.pid}.txt`);
    let listing = '';
    const session = await startProbeSession({ scripts: ['stall'] });
    try {
      // Attach only once python3 has started up and blocks in read(): its start-up syscalls stay untraced.
      expect(await nextLine()).toBe('ready');
      const strace = spawn('strace', ['-o', out, '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
      let straceErr = '';
      // strace prints "Process N attached" after PTRACE_SEIZE and PTRACE_INTERRUPT: from then on
      // every syscall of the child stops, so the getppid() loop is traced from its first call.
      await new Promise<void>((resolve, reject) => {
        strace.stderr!.on('data', (d: Buffer) => {
          straceErr += d.toString();
          if (new RegExp(`Process ${pid} attached`).test(straceErr)) resolve();
        });
        strace.once('exit', (code) => reject(new Error(`strace exited (${String(code)}) before attaching: ${straceErr}`)));
      });
      child.stdin.write('go\n');
      expect(await nextLine()).toBe('done');
      const exited = once(strace, 'exit');
      strace.kill('SIGINT');
      await exited;
      listing = readFileSync(out, 'utf8');
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit').catch(() => undefined);
      rmSync(out, { force: true });
    }
    const report = await session.stop();
    const traced = report.stalls.filter((s) => s.tid === pid && s.state === 'traced');
    const lines = listing.split('\n').filter((l) => l.trim() !== '');
    expect(lines.filter((l) => l.startsWith('getppid(')).length).toBe(K);
    // strace lists every syscall the child made while traced: a finished one stopped twice
    // (entry, exit); one still running at detach (`<detached ...>`, `<unfinished ...>`) once;
    // a signal (`--- SIG...`) once, at its delivery.
    const finished = lines.filter((l) => /\)\s+= /.test(l)).length;
    const unfinished = lines.filter((l) => /<(detached|unfinished) \.\.\.>/.test(l)).length;
    const signals = lines.filter((l) => l.startsWith('--- SIG')).length;
    expect(finished + unfinished + signals, listing).toBe(lines.length);
    const syscallStops = 2 * finished + unfinished + signals;
    // Besides those: the PTRACE_INTERRUPT stop at attach, and at detach the interrupt stop plus
    // the exit stop of the read() it interrupts. No fewer than the syscall stops, at most 3 more.
    expect(traced.length, `${traced.length} traced stops for ${finished} finished and ${unfinished} unfinished syscalls`).toBeGreaterThanOrEqual(syscallStops);
    expect(traced.length).toBeLessThanOrEqual(syscallStops + 3);
    expect(traced.every((s) => s.durationNs > 0)).toBe(true);
    expect(report.undeliveredLines.filter((u) => u.tid === pid)).toEqual([]);
  });
});
