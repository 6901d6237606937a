/**
 * The `contended` target state: every thread of the workload is confined by affinity to one
 * CPU (the last it may use) at nice 19, and a CPU hog started by the runner (a shell busy
 * loop at nice 0, killed by the kernel should the runner be SIGKILLed) is confined to the same CPU. Leaving it kills the hog by pid and restores
 * the workload's affinity and nice values.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { HintbenchError } from '../../../core/errors.ts';
import { readProcStat } from '../../../core/proc/stat.ts';
import { threadIds } from '../../../core/proc/tasks.ts';
import { withParentDeathSignal } from '../../../core/process/parent-death.ts';
import { waitUntil } from '../../../core/process/wait.ts';
import { getCpuAffinity, getNice, setCpuAffinity, setNice } from '../../../core/sys/sched.ts';

/** Nice value of a contended target (the lowest priority). */
export const CONTENDED_NICE = 19;

/** A workload sharing one CPU with a hog. */
export interface ContendedTarget {
  pid: number;
  /** The CPU both are confined to. */
  cpu: number;
  /** The hog process. */
  hog: ChildProcess;
  hogPid: number;
  /** Affinity and nice of each thread before, to restore. */
  saved: Array<{ tid: number; cpus: number[]; nice: number }>;
}

/** Kills the hog (SIGKILL, by pid) and waits until it has exited. */
async function killHog(hog: ChildProcess): Promise<void> {
  if (hog.exitCode !== null || hog.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => hog.once('exit', () => resolve()));
  hog.kill('SIGKILL');
  await exited;
}

/** Starts the hog and confines it and every thread of `pid` to one CPU, the workload at nice 19. */
export async function contendProcess(pid: number): Promise<ContendedTarget> {
  const allowed = getCpuAffinity(pid);
  const cpu = allowed[allowed.length - 1];
  if (cpu === undefined) throw new HintbenchError(`pid ${pid} may run on no CPU`, 'check its affinity (taskset -p PID)');
  // Guarded: a SIGKILLed runner takes its hog with it (core/process/parent-death.ts).
  const cmd = withParentDeathSignal('/bin/sh', ['-c', 'while :; do :; done']);
  const hog = spawn(cmd.file, cmd.args, { stdio: 'ignore' });
  const hogPid = hog.pid;
  if (hogPid === undefined) throw new HintbenchError('the CPU hog (/bin/sh) did not start', 'check that /bin/sh exists');
  const t: ContendedTarget = { pid, cpu, hog, hogPid, saved: [] };
  try {
    setCpuAffinity(hogPid, [cpu]);
    for (const tid of threadIds(pid)) {
      t.saved.push({ tid, cpus: getCpuAffinity(tid), nice: getNice(pid, tid) });
      setCpuAffinity(tid, [cpu]);
      setNice(tid, CONTENDED_NICE);
    }
    const running = await waitUntil(() => readProcStat(hogPid)?.state === 'R', { timeoutMs: 2000 });
    if (!running) throw new HintbenchError(`the CPU hog (pid ${hogPid}) is not running on CPU ${cpu}`, 'check whether the machine is overloaded');
  } catch (err) {
    await uncontend(t);
    throw err;
  }
  return t;
}

/** Kills the hog and restores the workload's affinity and nice values (threads gone meanwhile are skipped). */
export async function uncontend(t: ContendedTarget): Promise<void> {
  await killHog(t.hog);
  for (const s of t.saved) {
    try {
      setNice(s.tid, s.nice);
      setCpuAffinity(s.tid, s.cpus);
    } catch {
      // the thread exited: nothing to restore
    }
  }
}

/** What can be done synchronously while the runner exits: kill the hog. Never throws. */
export function uncontendOnExit(t: ContendedTarget): void {
  try {
    process.kill(t.hogPid, 'SIGKILL');
  } catch {
    // exited already
  }
}
