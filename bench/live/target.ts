import { readFileSync } from 'node:fs';
import { HintbenchError } from '../errors.ts';
import { statField } from '../sys/proc.ts';

/** PF_KTHREAD in /proc/PID/stat's flags field (include/linux/sched.h). */
const PF_KTHREAD = 0x00200000;

/** Flags field (the 9th) of /proc/PID/stat text; comm may contain spaces and parentheses. */
export function parseStatFlags(statText: string): number {
  return statField(statText, 9);
}

/**
 * Refuses targets a system manager must not hint: pid 1, kernel threads, hintbench itself,
 * and pids that do not exist (or a --tid that is not a thread of the pid). Errors name the pid.
 */
export function checkLiveTarget(pid: number, tid?: number): void {
  if (!Number.isInteger(pid) || pid <= 0) throw new HintbenchError(`--pid must be a positive integer, got '${pid}'`, 'pass the pid of a running process');
  if (pid === 1) throw new HintbenchError('refusing to hint pid 1 (init)', 'pick an application process; hinting init can stall the whole system');
  if (pid === process.pid) throw new HintbenchError(`refusing to hint hintbench itself (pid ${pid})`, 'pass the pid of another process');
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    throw new HintbenchError(`pid ${pid} does not exist`, 'check the pid with ps; the process may have exited', { cause: err });
  }
  if ((parseStatFlags(stat) & PF_KTHREAD) !== 0) throw new HintbenchError(`pid ${pid} is a kernel thread`, 'kernel threads have no user memory; pick a user process');
  if (tid !== undefined) {
    try {
      readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch (err) {
      throw new HintbenchError(`--tid ${tid} is not a thread of pid ${pid}`, `list its threads with ls /proc/${pid}/task`, { cause: err });
    }
  }
}
