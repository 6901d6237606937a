/** The threads of a process: their ids, scheduler statistics, and the file descriptors a process holds. */
import { readdirSync, readlinkSync } from 'node:fs';
import { HintbenchError } from '../errors.ts';
import { readProcFile } from './read.ts';

/** Scheduler statistics of one thread (/proc/PID/task/TID/schedstat). */
export interface Schedstat {
  /** Time spent on the CPU, in ns. */
  runNs: number;
  /** Time spent waiting on a runqueue, in ns. */
  waitNs: number;
  /** Number of timeslices run. */
  timeslices: number;
}

/** Parses /proc/PID/task/TID/schedstat (`run_ns wait_ns timeslices`). */
export function parseSchedstat(text: string, source = 'schedstat'): Schedstat {
  const [run, wait, slices] = text.trim().split(/\s+/).map(Number);
  if (run === undefined || wait === undefined || slices === undefined || [run, wait, slices].some(Number.isNaN)) {
    throw new HintbenchError(`${source}: expected three numbers, got '${text.trim()}'`, 'enable CONFIG_SCHEDSTATS or report this kernel version');
  }
  return { runNs: run, waitNs: wait, timeslices: slices };
}

/** CPU and runqueue time of thread `tid` of process `pid`. */
export function readSchedstat(pid: number, tid: number = pid): Schedstat {
  return parseSchedstat(readProcFile(pid, `task/${tid}/schedstat`), `/proc/${pid}/task/${tid}/schedstat`);
}

/** On-CPU and runqueue time summed over threads `tids` of `pid`, in ns; a thread gone meanwhile counts 0 (its time is lost for both readings of a delta alike). */
export function sumSchedstat(pid: number, tids: readonly number[]): { runNs: number; waitNs: number } {
  let runNs = 0;
  let waitNs = 0;
  for (const tid of tids) {
    try {
      const s = readSchedstat(pid, tid);
      runNs += s.runNs;
      waitNs += s.waitNs;
    } catch {
      // thread exited in between
    }
  }
  return { runNs, waitNs };
}

/**
 * Thread ids of a process, ascending. A process that is gone throws a HintbenchError naming
 * it, or gives [] with `missingOk`.
 */
export function threadIds(pid: number, opts: { missingOk?: boolean } = {}): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`)
      .map(Number)
      .filter(Number.isInteger)
      .sort((a, b) => a - b);
  } catch (e) {
    if (opts.missingOk === true) return [];
    throw new HintbenchError(`process ${pid} does not exist (listing /proc/${pid}/task)`, 'check the pid; the process may have exited', { cause: e });
  }
}

/** True when process `pid` holds an open pidfd (an fd linking to `anon_inode:[pidfd]`); false when it holds none or is gone. */
export function holdsPidfd(pid: number): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  return fds.some((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`) === 'anon_inode:[pidfd]';
    } catch {
      return false;
    }
  });
}
