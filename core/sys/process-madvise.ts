/**
 * process_madvise(2): advise another process's memory through a pidfd.
 *
 * The kernel takes at most UIO_MAXIOV (1024) iovecs and MAX_RW_COUNT bytes per call (it
 * silently truncates beyond that), walks the iovecs in order and stops at the first one that
 * fails, returning the bytes advised so far. processMadviseAll() turns that into: batches
 * within both limits, continue after the advised bytes, retry the range that failed once on
 * its own, record it as skipped if it fails again, and stop only on errors that no other
 * range can escape (target gone, no permission, no syscall, bad pidfd). An iovec outside the
 * user address space fails the whole call with EFAULT before anything is advised; it is
 * isolated by the same retry and skipped like any other bad range.
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
};

/**
 * A read position in a list of ranges, each range seen as pieces of at most `maxBytes`
 * (process_madvise's per-call byte cap). Pieces are produced on demand and consumed from the
 * front, so walking the whole list costs time linear in ranges plus pieces and memory for
 * one batch only, however large the ranges are.
 */
class RangeCursor {
  private index = 0;
  private offsetBytes = 0;

  constructor(private readonly ranges: readonly AddrRange[], private readonly maxBytes: number) {
    this.skipEmpty();
  }

  /** True when every byte has been consumed. */
  get done(): boolean {
    return this.index >= this.ranges.length;
  }

  /** The piece at the front: the rest of the current range, capped at `maxBytes`. */
  front(): AddrRange {
    const r = this.ranges[this.index]!;
    return { startAddr: r.startAddr + this.offsetBytes, lengthBytes: Math.min(r.lengthBytes - this.offsetBytes, this.maxBytes) };
  }

  /** The next call's iovecs, without consuming them: at most `limits.maxIovecs` pieces and `limits.maxBytes` bytes. */
  peekBatch(limits: BatchLimits): AddrRange[] {
    const batch: AddrRange[] = [];
    let bytes = 0;
    let index = this.index;
    let offset = this.offsetBytes;
    while (index < this.ranges.length && batch.length < limits.maxIovecs) {
      const r = this.ranges[index]!;
      const length = Math.min(r.lengthBytes - offset, this.maxBytes);
      if (length <= 0) {
        index += 1;
        offset = 0;
        continue;
      }
      if (batch.length > 0 && bytes + length > limits.maxBytes) break;
      batch.push({ startAddr: r.startAddr + offset, lengthBytes: length });
      bytes += length;
      offset += length;
      if (offset >= r.lengthBytes) {
        index += 1;
        offset = 0;
      }
    }
    return batch;
  }

  /** Drops `bytes` from the front (may end inside a range). */
  consume(bytes: number): void {
    let left = bytes;
    while (left > 0 && !this.done) {
      const rest = this.ranges[this.index]!.lengthBytes - this.offsetBytes;
      if (rest <= left) {
        left -= rest;
        this.index += 1;
        this.offsetBytes = 0;
      } else {
        this.offsetBytes += left;
        left = 0;
      }
    }
    this.skipEmpty();
  }

  private skipEmpty(): void {
    while (!this.done && this.ranges[this.index]!.lengthBytes - this.offsetBytes <= 0) {
      this.index += 1;
      this.offsetBytes = 0;
    }
  }
}

/**
 * Groups ranges into calls of at most `limits.maxIovecs` entries and `limits.maxBytes` total
 * bytes, in order; a range longer than `maxBytes` is split into pieces. Empty ranges are dropped.
 */
export function batchRanges(ranges: AddrRange[], limits: BatchLimits = DEFAULT_LIMITS): AddrRange[][] {
  const cursor = new RangeCursor(ranges, limits.maxBytes);
  const batches: AddrRange[][] = [];
  while (!cursor.done) {
    const batch = cursor.peekBatch(limits);
    batches.push(batch);
    cursor.consume(batch.reduce((s, r) => s + r.lengthBytes, 0));
  }
  return batches;
}

/** Number of calls batchRanges() would make for `ranges`, without building them. */
export function countBatches(ranges: readonly AddrRange[], limits: BatchLimits = DEFAULT_LIMITS): number {
  let calls = 0;
  let iovecs = 0;
  let bytes = 0;
  for (const r of ranges) {
    let left = r.lengthBytes;
    while (left > 0) {
      const piece = Math.min(left, limits.maxBytes);
      // A piece of maxBytes fills a call on its own (nothing fits beside it): count all of
      // them in one step, and the next piece opens a new call.
      if (piece === limits.maxBytes) {
        const full = Math.floor(left / limits.maxBytes);
        calls += full;
        left -= full * limits.maxBytes;
        iovecs = 0;
        bytes = 0;
        continue;
      }
      if (iovecs === 0 || iovecs === limits.maxIovecs || bytes + piece > limits.maxBytes) {
        calls += 1;
        iovecs = 0;
        bytes = 0;
      }
      iovecs += 1;
      bytes += piece;
      left -= piece;
    }
  }
  return calls;
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
 * (with its errno name) before going on. EFAULT (an address outside the user address space)
 * fails the whole call, so it is found and skipped the same way. ESRCH, EPERM, ENOSYS and
 * EBADF stop the loop and set `error`. Time is linear in ranges plus pieces; memory holds
 * one batch.
 */
export function processMadviseAll(pidfd: number, ranges: AddrRange[], adviceValue: number, opts: MadviseAllOptions = {}): MadviseAllResult {
  const limits = opts.limits ?? { maxIovecs: MAX_IOVECS, maxBytes: maxRwCountFor(pageSizeBytes()) };
  const raw = opts.raw ?? processMadviseRaw;
  const result: MadviseAllResult = { bytesAdvised: 0, syscalls: 0, skipped: [], error: null };
  const cursor = new RangeCursor(ranges, limits.maxBytes);

  const call = (batch: AddrRange[]): RawResult => {
    result.syscalls += 1;
    return raw(pidfd, batch, adviceValue);
  };
  const isFatal = (errno: number): boolean => errnoName(errno) in FATAL;

  while (!cursor.done) {
    const batch = cursor.peekBatch(limits);
    const batchBytes = batch.reduce((s, r) => s + r.lengthBytes, 0);
    const first = call(batch);
    if (first.ret < 0 && isFatal(first.errno)) {
      result.error = fatalMessage(errnoName(first.errno));
      return result;
    }
    const advised = Math.max(0, Math.min(first.ret, batchBytes));
    result.bytesAdvised += advised;
    cursor.consume(advised);
    if (advised === batchBytes) continue;

    // The call stopped at the front piece: retry it alone, once.
    const stuck = cursor.front();
    const retry = call([stuck]);
    if (retry.ret < 0) {
      if (isFatal(retry.errno)) {
        result.error = fatalMessage(errnoName(retry.errno));
        return result;
      }
      result.skipped.push({ ...stuck, reason: errnoName(retry.errno) });
      cursor.consume(stuck.lengthBytes);
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
    cursor.consume(stuck.lengthBytes);
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
