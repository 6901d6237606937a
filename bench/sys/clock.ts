import koffi from 'koffi';
import { SyscallError } from './errno.ts';
import { lastErrno, libc } from './libc.ts';

const Timespec = koffi.struct('hb_timespec', { tv_sec: 'int64', tv_nsec: 'int64' });
const clockGettime = libc.func('int clock_gettime(int clockid, _Out_ hb_timespec *tp)');
void Timespec;

/** CLOCK_THREAD_CPUTIME_ID: CPU time of the calling thread. */
const CLOCK_THREAD_CPUTIME_ID = 3;
function read(clockid: number, what: string): number {
  const ts = { tv_sec: 0, tv_nsec: 0 };
  if (clockGettime(clockid, ts) !== 0) throw new SyscallError(`clock_gettime(${what})`, lastErrno());
  return Number(ts.tv_sec) * 1e9 + Number(ts.tv_nsec);
}

/**
 * CPU time consumed so far by the calling thread, in ns. Exact (the kernel brings the
 * running task's runtime up to date on read), unlike /proc/.../schedstat which lags a tick.
 */
export function threadCpuNs(): number {
  return read(CLOCK_THREAD_CPUTIME_ID, 'CLOCK_THREAD_CPUTIME_ID');
}
