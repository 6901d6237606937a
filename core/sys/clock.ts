import { SyscallError } from './errno.ts';
import { lastErrno, libc } from './libc.ts';

/** clock_gettime(2) writing into a caller-owned struct timespec (two int64s): no allocation per call. */
const clockGettime: (clockid: number, tp: BigInt64Array) => number = libc.func('int clock_gettime(int clockid, void *tp)');

/** CLOCK_THREAD_CPUTIME_ID: CPU time of the calling thread. */
const CLOCK_THREAD_CPUTIME_ID = 3;

/** The timespec every read reuses (calls are synchronous). */
const timespec = new BigInt64Array(2);

/**
 * CPU time consumed so far by the calling thread, in ns. Exact (the kernel brings the
 * running task's runtime up to date on read), unlike /proc/.../schedstat which lags a tick.
 */
export function threadCpuNs(): number {
  if (clockGettime(CLOCK_THREAD_CPUTIME_ID, timespec) !== 0) throw new SyscallError('clock_gettime(CLOCK_THREAD_CPUTIME_ID)', lastErrno());
  return Number(timespec[0]!) * 1e9 + Number(timespec[1]!);
}
