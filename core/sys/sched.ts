/**
 * CPU affinity and nice value of one thread (sched_setaffinity(2), setpriority(2)), for
 * confining a target to a CPU at low priority (the `contended` target state).
 */
import { readFileSync } from 'node:fs';
import { HintbenchError } from '../errors.ts';
import { errnoName } from './errno.ts';
import { lastErrno, libc } from './libc.ts';

const setAffinity: (pid: number, size: number, mask: Buffer) => number = libc.func('int sched_setaffinity(int pid, size_t cpusetsize, void *mask)');
const getAffinity: (pid: number, size: number, mask: Buffer) => number = libc.func('int sched_getaffinity(int pid, size_t cpusetsize, void *mask)');
const setPriority: (which: number, who: number, prio: number) => number = libc.func('int setpriority(int which, int who, int prio)');

/** Bytes of the CPU masks used here (1024 CPUs, glibc's cpu_set_t). */
const MASK_BYTES = 128;
/** setpriority's `which` for one thread or process. */
const PRIO_PROCESS = 0;

function fail(call: string, tid: number): never {
  const code = errnoName(lastErrno());
  throw new HintbenchError(`${call} of thread ${tid} failed: ${code}`, code === 'ESRCH' ? `thread ${tid} is gone` : 'run as root (CAP_SYS_NICE)');
}

/** The CPUs thread `tid` may run on, ascending. */
export function getCpuAffinity(tid: number): number[] {
  const mask = Buffer.alloc(MASK_BYTES);
  if (getAffinity(tid, MASK_BYTES, mask) !== 0) fail('sched_getaffinity', tid);
  const cpus: number[] = [];
  for (let i = 0; i < MASK_BYTES * 8; i++) if ((mask[i >> 3]! >> (i & 7)) & 1) cpus.push(i);
  return cpus;
}

/** Confines thread `tid` to `cpus`. */
export function setCpuAffinity(tid: number, cpus: readonly number[]): void {
  const mask = Buffer.alloc(MASK_BYTES);
  for (const c of cpus) mask[c >> 3]! |= 1 << (c & 7);
  if (setAffinity(tid, MASK_BYTES, mask) !== 0) fail('sched_setaffinity', tid);
}

/** The nice value of thread `tid` of process `pid` (-20 ... 19), from /proc/PID/task/TID/stat (field 19). */
export function getNice(pid: number, tid: number = pid): number {
  const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  const nice = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[16]);
  if (!Number.isInteger(nice)) throw new HintbenchError(`/proc/${pid}/task/${tid}/stat: no nice value in '${text.trim()}'`, 'report this kernel version');
  return nice;
}

/** Sets the nice value of thread `tid` (on Linux, per thread). */
export function setNice(tid: number, nice: number): void {
  if (setPriority(PRIO_PROCESS, tid, nice) !== 0) fail('setpriority', tid);
}
