/**
 * process_madvise(2): advise another process's memory through a pidfd.
 *
 * The kernel takes at most UIO_MAXIOV (1024) iovecs and MAX_RW_COUNT bytes per call (it
 * silently truncates beyond that), walks the iovecs in order and stops at the first one that
 * fails, returning the bytes advised so far. processMadviseAll() turns that into: batches
 * within both limits, continue after the advised bytes, retry the range that failed once on
 * its own, record it as skipped if it fails again, and stop only on errors that no other
 * range can escape (target gone, no permission, no syscall, bad pidfd).
 */
import type { AddrRange, SkippedRange } from '../types.ts';
import { errnoName, errnoValue } from './errno.ts';
import { lastErrno, libc } from './libc.ts';
import { pageSizeBytes } from './mman.ts';
import { syscallNumber } from './syscall.ts';

/** process_madvise's number on this architecture (resolved once). */
const PROCESS_MADVISE_NR = syscallNumber('process_madvise');

/** UIO_MAXIOV: most iovecs one call accepts. */
export const MAX_IOVECS = 1024;
/** MAX_RW_COUNT with 4 KiB pages: INT_MAX & PAGE_MASK, most bytes one call advises. */
export const MAX_RW_COUNT = 0x7ffff000;

/** MAX_RW_COUNT for a given page size (INT_MAX rounded down to a page). */
export function maxRwCountFor(pageSizeBytesValue: number): number {
  return 0x7fffffff - (0x7fffffff % pageSizeBytesValue);
}

/** Per-call limits of process_madvise. */
export interface BatchLimits {
  /** Most iovecs per call. */
  maxIovecs: number;
  /** Most bytes per call (keep it a multiple of the page size). */
  maxBytes: number;
}

/** The kernel's limits for 4 KiB pages. */
export const DEFAULT_LIMITS: Readonly<BatchLimits> = { maxIovecs: MAX_IOVECS, maxBytes: MAX_RW_COUNT };

/** Result of one raw call: `ret` is bytes advised or -1; `errno` is set when ret < 0. */
export interface RawResult {
  ret: number;
  errno: number;
}

/** One process_madvise call; injectable so the batching loop can be tested with a fake. */
export type RawCall = (pidfd: number, ranges: AddrRange[], adviceValue: number) => RawResult;

/** What processMadviseAll() achieved. */
export interface MadviseAllResult {
  /** Bytes the kernel reported as advised, summed over all calls. */
  bytesAdvised: number;
  /** process_madvise calls issued (batches plus retries). */
  syscalls: number;
  /** Ranges that failed twice, with the errno name. */
  skipped: SkippedRange[];
  /** Fatal error that stopped the loop (`ENAME: explanation`), or null. */
  error: string | null;
}

/** Options of processMadviseAll(). */
export interface MadviseAllOptions {
  /** Per-call limits; defaults to 1024 iovecs and MAX_RW_COUNT for this page size. */
  limits?: BatchLimits;
  /** The raw call; defaults to the real syscall. */
  raw?: RawCall;
}

/** errnos after which no further range can succeed, with what they mean here. */
const FATAL: Readonly<Record<string, string>> = {
  ESRCH: 'the target process has exited',
  EPERM: 'not permitted: process_madvise needs CAP_SYS_NICE and ptrace read access to the target (run as root)',
  ENOSYS: 'this kernel has no process_madvise (needs Linux 5.10 or later)',
  EBADF: 'the pidfd is not valid',
  EFAULT: 'the kernel could not read the iovec array',
};

/** Splits ranges longer than `maxBytes` into pieces of at most `maxBytes`. */
function splitLong(ranges: AddrRange[], maxBytes: number): AddrRange[] {
  const out: AddrRange[] = [];
  for (const r of ranges) {
    if (r.lengthBytes <= 0) continue;
    let start = r.startAddr;
    let left = r.lengthBytes;
    while (left > maxBytes) {
      out.push({ startAddr: start, lengthBytes: maxBytes });
      start += maxBytes;
      left -= maxBytes;
    }
    out.push({ startAddr: start, lengthBytes: left });
  }
  return out;
}

/**
 * Groups ranges into calls of at most `limits.maxIovecs` entries and `limits.maxBytes` total
 * bytes, in order; a range longer than `maxBytes` is split into pieces. Empty ranges are dropped.
 */
export function batchRanges(ranges: AddrRange[], limits: BatchLimits = DEFAULT_LIMITS): AddrRange[][] {
  const batches: AddrRange[][] = [];
  let current: AddrRange[] = [];
  let bytes = 0;
  for (const piece of splitLong(ranges, limits.maxBytes)) {
    if (current.length === limits.maxIovecs || bytes + piece.lengthBytes > limits.maxBytes) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(piece);
    bytes += piece.lengthBytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * libc syscall() declared with process_madvise's fixed argument list: cheaper per call than
 * the variadic binding (koffi need not parse argument types each time); glibc's syscall()
 * only moves registers, so a fixed prototype is safe for integer and pointer arguments.
 */
const processMadviseSyscall: (nr: number, pidfd: number, iov: BigUint64Array, vlen: number, advice: number, flags: number) => number = libc.func(
  'long syscall(long nr, int pidfd, void *iov, size_t vlen, int advice, unsigned int flags)',
);

/** iovec buffer reused by every call (calls are synchronous), grown on demand. */
let iovBuffer = new BigUint64Array(2 * 16);

/**
 * One process_madvise(pidfd, iovecs, n, advice, 0) call. The iovec array is a BigUint64Array
 * of (base, length) pairs. Returns the kernel's result and errno.
 */
export function processMadviseRaw(pidfd: number, ranges: AddrRange[], adviceValue: number): RawResult {
  if (iovBuffer.length < ranges.length * 2) iovBuffer = new BigUint64Array(ranges.length * 2);
  const iov = iovBuffer;
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    iov[2 * i] = BigInt(r.startAddr);
    iov[2 * i + 1] = BigInt(r.lengthBytes);
  }
  const ret = processMadviseSyscall(PROCESS_MADVISE_NR, pidfd, iov, ranges.length, adviceValue, 0);
  return ret < 0 ? { ret: -1, errno: lastErrno() } : { ret, errno: 0 };
}

/** Formats a fatal errno as `ENAME: explanation`. */
function fatalMessage(name: string): string {
  return `${name}: ${FATAL[name] ?? 'process_madvise failed'}`;
}

/**
 * Advises all `ranges` of the process behind `pidfd`, in as few calls as the limits allow.
 * A call that advises fewer bytes than asked is continued right after the advised bytes; the
 * range where it stopped is retried once alone and, if that fails too, recorded as skipped
 * (with its errno name) before going on. ESRCH, EPERM, ENOSYS, EBADF and EFAULT stop the loop
 * and set `error`.
 */
export function processMadviseAll(pidfd: number, ranges: AddrRange[], adviceValue: number, opts: MadviseAllOptions = {}): MadviseAllResult {
  const limits = opts.limits ?? { maxIovecs: MAX_IOVECS, maxBytes: maxRwCountFor(pageSizeBytes()) };
  const raw = opts.raw ?? processMadviseRaw;
  const result: MadviseAllResult = { bytesAdvised: 0, syscalls: 0, skipped: [], error: null };
  // Work list; `pending` is consumed from the front as bytes are advised or skipped.
  let pending = splitLong(ranges, limits.maxBytes);

  const call = (batch: AddrRange[]): RawResult => {
    result.syscalls += 1;
    return raw(pidfd, batch, adviceValue);
  };
  const isFatal = (errno: number): boolean => errnoName(errno) in FATAL;
  /** Drops `bytes` from the front of `pending` (may end inside a range). */
  const consume = (bytes: number): void => {
    let left = bytes;
    let i = 0;
    while (left > 0 && i < pending.length) {
      const r = pending[i]!;
      if (r.lengthBytes <= left) {
        left -= r.lengthBytes;
        i += 1;
      } else {
        pending[i] = { startAddr: r.startAddr + left, lengthBytes: r.lengthBytes - left };
        left = 0;
      }
    }
    pending = pending.slice(i);
  };

  while (pending.length > 0) {
    const batch = batchRanges(pending.slice(0, limits.maxIovecs), limits)[0]!;
    const batchBytes = batch.reduce((s, r) => s + r.lengthBytes, 0);
    const first = call(batch);
    if (first.ret < 0 && isFatal(first.errno)) {
      result.error = fatalMessage(errnoName(first.errno));
      return result;
    }
    const advised = Math.max(0, Math.min(first.ret, batchBytes));
    result.bytesAdvised += advised;
    consume(advised);
    if (advised === batchBytes) continue;

    // The call stopped at pending[0]: retry that range alone, once.
    const stuck = pending[0]!;
    const retry = call([stuck]);
    if (retry.ret < 0) {
      if (isFatal(retry.errno)) {
        result.error = fatalMessage(errnoName(retry.errno));
        return result;
      }
      result.skipped.push({ ...stuck, reason: errnoName(retry.errno) });
      consume(stuck.lengthBytes);
      continue;
    }
    const retried = Math.min(retry.ret, stuck.lengthBytes);
    result.bytesAdvised += retried;
    if (retried < stuck.lengthBytes) {
      result.skipped.push({
        startAddr: stuck.startAddr + retried,
        lengthBytes: stuck.lengthBytes - retried,
        reason: `short: ${retried} of ${stuck.lengthBytes} bytes advised`,
      });
    }
    consume(stuck.lengthBytes);
  }
  return result;
}

/**
 * Whether this kernel has process_madvise, probed with pidfd -1: EBADF means the syscall
 * exists ('available'), ENOSYS that it does not ('enosys'), EPERM that a seccomp filter or
 * LSM forbids it ('eperm'); any other errno comes back as its name.
 */
export function probeProcessMadvise(): 'available' | 'enosys' | 'eperm' | string {
  const { ret, errno } = processMadviseRaw(-1, [{ startAddr: 0, lengthBytes: 0 }], 20);
  if (ret >= 0 || errno === errnoValue('EBADF')) return 'available';
  if (errno === errnoValue('ENOSYS')) return 'enosys';
  if (errno === errnoValue('EPERM')) return 'eperm';
  return errnoName(errno);
}
