/**
 * The `traced` target state: the workload is already under strace (`strace -f -qq -o
 * /dev/null -p PID`, every thread attached) when it is hinted, as under a debugger or a crash
 * reporter. A process has at most one ptracer, so ptrace injection must fail (EPERM) while
 * process_madvise, which needs no attach, works. Leaving it sends strace SIGINT (it detaches
 * and exits) and waits for the workload to be untraced.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { HintbenchError } from '../../../core/errors.ts';
import { readTaskStatus } from '../../../core/proc/status.ts';
import { threadIds } from '../../../core/proc/tasks.ts';
import { withParentDeathSignal } from '../../../core/process/parent-death.ts';
import { waitUntil } from '../../../core/process/wait.ts';

/** The tracer program (strace; found on PATH). */
export const FOREIGN_TRACER = 'strace';

/** A workload under a tracer the runner started. */
export interface TracedTarget {
  pid: number;
  tracer: ChildProcess;
  tracerPid: number;
  /** stderr of strace (its complaints, for errors). */
  stderr: string;
}

/** What the tracer and the target look like now. */
export interface TracerCheck {
  /** The tracer process is alive. */
  tracerAlive: boolean;
  /** Every thread of the target is still traced by it. */
  attached: boolean;
  /** The target is alive. */
  targetAlive: boolean;
}

function tracedBy(pid: number, tracerPid: number): boolean {
  const tids = threadIds(pid, { missingOk: true });
  if (tids.length === 0) return false;
  try {
    return tids.every((tid) => readTaskStatus(pid, tid).tracerPid === tracerPid);
  } catch {
    return false;
  }
}

function exited(c: ChildProcess): boolean {
  return c.exitCode !== null || c.signalCode !== null;
}

/** Whether tracer and target are alive and still attached. */
export function checkTracer(t: TracedTarget): TracerCheck {
  return { tracerAlive: !exited(t.tracer), attached: tracedBy(t.pid, t.tracerPid), targetAlive: existsSync(`/proc/${t.pid}`) };
}

/** Attaches strace to every thread of `pid`; resolves once each is traced by it. */
export async function traceProcess(pid: number, timeoutMs = 5000): Promise<TracedTarget> {
  // Guarded: a SIGKILLed runner takes its strace with it (the kernel then detaches the target).
  const cmd = withParentDeathSignal(FOREIGN_TRACER, ['-f', '-qq', '-o', '/dev/null', '-p', String(pid)]);
  const tracer = spawn(cmd.file, cmd.args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let spawnError: Error | null = null;
  tracer.once('error', (e) => {
    spawnError = e;
  });
  const t: TracedTarget = { pid, tracer, tracerPid: tracer.pid ?? -1, stderr: '' };
  tracer.stderr?.on('data', (d: Buffer) => {
    if (t.stderr.length < 2000) t.stderr += d.toString();
  });
  const attached = await waitUntil(() => spawnError !== null || exited(tracer) || (t.tracerPid > 0 && tracedBy(pid, t.tracerPid)), { timeoutMs });
  if (spawnError !== null) throw new HintbenchError(`cannot start ${FOREIGN_TRACER}: ${(spawnError as Error).message}`, 'install strace (apt-get install strace)');
  if (!attached || exited(tracer)) {
    await untrace(t);
    if (tracer.exitCode === 127) throw new HintbenchError(`cannot start ${FOREIGN_TRACER}: not found on PATH`, 'install strace (apt-get install strace)');
    throw new HintbenchError(
      `${FOREIGN_TRACER} (pid ${t.tracerPid}) did not attach to every thread of pid ${pid} within ${timeoutMs} ms${t.stderr === '' ? '' : `: ${t.stderr.trim()}`}`,
      'check that the target is not traced already and that ptrace is permitted (hintbench doctor)',
    );
  }
  return t;
}

/** Detaches the tracer (SIGINT; SIGKILL after `timeoutMs`) and waits until the target is untraced. */
export async function untrace(t: TracedTarget, timeoutMs = 5000): Promise<void> {
  if (!exited(t.tracer)) {
    const gone = new Promise<void>((resolve) => t.tracer.once('exit', () => resolve()));
    t.tracer.kill('SIGINT');
    const timer = setTimeout(() => t.tracer.kill('SIGKILL'), timeoutMs);
    await gone;
    clearTimeout(timer);
  }
  // The kernel detaches every thread by the time the tracer has been reaped.
  await waitUntil(() => !tracedBy(t.pid, t.tracerPid), { timeoutMs });
}

/** What can be done synchronously while the runner exits: kill the tracer (the kernel detaches it). Never throws. */
export function untraceOnExit(t: TracedTarget): void {
  try {
    if (!exited(t.tracer)) t.tracer.kill('SIGKILL');
  } catch {
    // exited already
  }
}
