/**
 * Which process and thread `hintbench hint` acts on, checked before any work: refuses what a
 * system manager must not or cannot hint (pid 1, kernel threads, hintbench itself, zombies,
 * exiting processes), and resolves a thread id given as --pid to its process.
 */
import { HintbenchError } from '../../core/errors.ts';
import { PF_KTHREAD, readProcStat, taskFinished, type ProcStat } from '../../core/proc/stat.ts';
import { readTaskIdentity, type TaskIdentity } from '../../core/proc/status.ts';
import { threadIds } from '../../core/proc/tasks.ts';
import type { MechanismName } from '../../core/types.ts';

/** The process and thread a live hint acts on. */
export interface LiveTarget {
  /** The process (thread group id) whose memory is hinted. */
  pid: number;
  /** The thread ptrace injects into: --tid, else the thread given as --pid, else the main thread, else the first live thread. */
  tid: number;
  /** A live thread whose /proc entry shows the process's memory (maps, status): the main thread while it runs. */
  viewTid: number;
  /** True when the main thread has exited while other threads still run. */
  mainThreadExited: boolean;
  /** What was resolved on the way, in words (a thread given as --pid, an exited main thread). */
  notes: string[];
}

/** /proc/PID/task/TID/stat of one task, or null when it is gone. */
function taskStat(pid: number, tid: number): ProcStat | null {
  return readProcStat(pid, { tid });
}

/** Thread ids of process `pid`, ascending (empty when it is gone). */
function taskIds(pid: number): number[] {
  return threadIds(pid, { missingOk: true });
}

/** Why a process that has no live thread cannot be hinted. */
function goneError(pid: number, leader: ProcStat | null, identity: TaskIdentity): HintbenchError {
  if (leader?.state === 'Z') {
    return new HintbenchError(
      `pid ${pid} is a zombie: it has exited and its memory is freed; its parent (pid ${identity.ppid}) has not reaped it yet`,
      'nothing to hint: pick a live process (ps -o pid,stat,comm marks zombies with Z)',
    );
  }
  return new HintbenchError(`pid ${pid} is exiting: its memory is being freed`, 'nothing to hint: pick a live process');
}

/**
 * Resolves `--pid` and `--tid` into the process and thread to act on, for mechanism `via`.
 * - A thread id given as --pid stands for its process (its thread group); ptrace injects
 *   into that thread unless --tid names another. Both mechanisms hint the same memory.
 * - A zombie or exiting process is refused (its memory is gone), with the parent to blame.
 * - A process whose main thread has exited while others run: its memory is read through a
 *   live thread; ptrace injects into --tid or the first live thread; process_madvise is
 *   refused, because the kernel reaches a process's memory through its main thread (ESRCH).
 * Errors name the pid or tid and say what to do.
 */
export function resolveLiveTarget(pidArg: number, tidArg: number | undefined, via: Exclude<MechanismName, 'none'>): LiveTarget {
  if (!Number.isSafeInteger(pidArg) || pidArg <= 0) throw new HintbenchError(`--pid must be a positive integer, got '${pidArg}'`, 'pass the pid of a running process');
  if (tidArg !== undefined && (!Number.isSafeInteger(tidArg) || tidArg <= 0))
    throw new HintbenchError(`--tid must be a positive integer, got '${tidArg}'`, `list the threads with ls /proc/${pidArg}/task`);
  let identity: TaskIdentity;
  try {
    identity = readTaskIdentity(pidArg);
  } catch (err) {
    throw new HintbenchError(`pid ${pidArg} does not exist`, 'check the pid with ps; the process may have exited', { cause: err });
  }
  const pid = identity.tgid;
  const notes: string[] = [];
  if (pid !== pidArg) notes.push(`${pidArg} is a thread of process ${pid}: hinting process ${pid}`);
  if (pid === 1) throw new HintbenchError('refusing to hint pid 1 (init)', 'pick an application process; hinting init can stall the whole system');
  if (pid === process.pid) throw new HintbenchError(`refusing to hint hintbench itself (pid ${pid})`, 'pass the pid of another process');

  const leader = taskStat(pid, pid);
  if (leader !== null && (leader.flags & PF_KTHREAD) !== 0) throw new HintbenchError(`pid ${pid} is a kernel thread`, 'kernel threads have no user memory; pick a user process');
  const tids = taskIds(pid);
  const live = tids.filter((t) => !taskFinished(taskStat(pid, t)));
  if (live.length === 0) throw goneError(pid, leader, identity);
  const mainThreadExited = !live.includes(pid);

  if (tidArg !== undefined) {
    if (!tids.includes(tidArg)) throw new HintbenchError(`--tid ${tidArg} is not a thread of pid ${pid}`, `list its threads with ls /proc/${pid}/task`);
    if (!live.includes(tidArg))
      throw new HintbenchError(
        `thread ${tidArg} of pid ${pid} has exited`,
        `pick a live thread from /proc/${pid}/task (${live.slice(0, 5).join(', ')}${live.length > 5 ? ', ...' : ''})`,
      );
  }
  if (mainThreadExited && via === 'process_madvise') {
    throw new HintbenchError(
      `the main thread of pid ${pid} has exited (${live.length} other thread${live.length === 1 ? ' still runs' : 's still run'}); process_madvise reaches a process's memory through its main thread and fails with ESRCH`,
      `use --via ptrace, which injects into a live thread (e.g. --tid ${live[0]})`,
    );
  }
  let tid = tidArg ?? (pidArg !== pid && live.includes(pidArg) ? pidArg : pid);
  if (tidArg === undefined && mainThreadExited) {
    tid = live.includes(pidArg) ? pidArg : live[0]!;
    notes.push(`the main thread of pid ${pid} has exited: injecting into thread ${tid}`);
  }
  return { pid, tid, viewTid: mainThreadExited ? tid : pid, mainThreadExited, notes };
}

/**
 * Words for a target that went away during the hint, or null while it still runs: a hint
 * error is then explained by the exit rather than by the errno it produced.
 */
export function describeExit(pid: number): string | null {
  const leader = taskStat(pid, pid);
  if (leader === null && taskIds(pid).length === 0) return `pid ${pid} exited during the hint`;
  const live = taskIds(pid).filter((t) => !taskFinished(taskStat(pid, t)));
  if (live.length > 0) return null;
  return leader?.state === 'Z' ? `pid ${pid} exited during the hint (it is now a zombie)` : `pid ${pid} exited during the hint`;
}
