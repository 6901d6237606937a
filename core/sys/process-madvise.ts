/**
 * process_madvise(2): advise another process's memory through a pidfd.
 *
 * The kernel takes at most UIO_MAXIOV (1024) iovecs and MAX_RW_COUNT bytes per call (it
 * silently truncates beyond that), walks the iovecs in order and stops at the first one that
 * fails, returning the bytes advised so far. A delivery has two steps:
 *
 * 1. prepareCalls() plans the calls within both limits and builds every iovec array (one
 *    BigUint64Array of (base, length) pairs for the whole delivery): JavaScript work, done
 *    before any clock starts;
 * 2. runCalls() issues them and times them, from just before the first system call to just
 *    after the last (Sample.userLatencyNs, core/metrics.ts). A call that advises fewer bytes
 *    than asked is continued right after the advised bytes; the range where it stopped is
 *    retried once on its own and, if that fails too, recorded as skipped; only errors no
 *    other range can escape (target gone, no permission, no syscall, bad pidfd) stop it. An
 *    iovec outside the user address space fails the whole call with EFAULT before anything is
 *    advised; it is isolated by the same retry and skipped like any other bad range.
 *
 * processMadviseAll() does both. Memory: 16 bytes per piece (a range, or a MAX_RW_COUNT part
 * of a longer one); time linear in ranges plus pieces.
 */
import type { AddrRange, SkippedRange } from '../types.ts';
import { errnoName, errnoValue } from './errno.ts';
import { lastErrno, libc } from './libc.ts';
import { pageSizeBytes } from './mman.ts';
import { ADVICE_VALUE, syscallNumber } from './syscall.ts';

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

/** The kernel's limits for this machine's page size. */
export function hostLimits(): BatchLimits {
  return { maxIovecs: MAX_IOVECS, maxBytes: maxRwCountFor(pageSizeBytes()) };
}

/** Result of one raw call: `ret` is bytes advised or -1; `errno` is set when ret < 0. */
export interface RawResult {
  ret: number;
  errno: number;
}

/**
 * One process_madvise call on `count` iovecs at the start of `iov` ((base, length) pairs);
 * injectable so the delivery loop can be tested with a fake kernel.
 */
export type RawCall = (pidfd: number, iov: BigUint64Array, count: number, adviceValue: number) => RawResult;

/** The calls of one delivery, planned and with their iovec arrays built. */
export interface PreparedCalls {
  /** (base, length) pairs of every piece, in order. */
  iov: BigUint64Array;
  /** Index of each call's first piece, plus one entry holding the number of pieces. */
  callStarts: number[];
  /** Bytes of each call. */
  callBytes: number[];
}

/** What a delivery achieved. */
export interface MadviseAllResult {
  /** Bytes the kernel reported as advised, summed over all calls. */
  bytesAdvised: number;
  /** process_madvise calls issued (planned calls, continuations and retries). */
  syscalls: number;
  /** Ranges that failed twice, with the errno name. */
  skipped: SkippedRange[];
  /** Fatal error that stopped the delivery (`ENAME: explanation`), or null. */
  error: string | null;
  /** Wall time from just before the first call to just after the last, in ns (0 without calls). */
  elapsedNs: number;
}

/** Options of runCalls() and processMadviseAll(). */
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
 * Visits the pieces of `ranges` in order (a range longer than `maxBytes` in parts of at most
 * `maxBytes`; empty ranges dropped), grouped into calls of at most `limits.maxIovecs` pieces
 * and `limits.maxBytes` bytes: `onPiece` for each piece, `onCall` before each call's first.
 */
function walkCalls(ranges: readonly AddrRange[], limits: BatchLimits, onCall: () => void, onPiece: (startAddr: number, lengthBytes: number) => void): void {
  let pieces = 0;
  let bytes = 0;
  for (const r of ranges) {
    for (let offset = 0; offset < r.lengthBytes; ) {
      const length = Math.min(r.lengthBytes - offset, limits.maxBytes);
      if (pieces === 0 || pieces === limits.maxIovecs || bytes + length > limits.maxBytes) {
        onCall();
        pieces = 0;
        bytes = 0;
      }
      onPiece(r.startAddr + offset, length);
      pieces += 1;
      bytes += length;
      offset += length;
    }
  }
}

/** Number of pieces `ranges` split into under `limits` (without building anything). */
function countPieces(ranges: readonly AddrRange[], maxBytes: number): number {
  let n = 0;
  for (const r of ranges) if (r.lengthBytes > 0) n += Math.ceil(r.lengthBytes / maxBytes);
  return n;
}

/**
 * Plans the calls for `ranges` and builds their iovec arrays: in order, at most
 * `limits.maxIovecs` pieces and `limits.maxBytes` bytes per call, a range longer than
 * `maxBytes` split into pieces, empty ranges dropped.
 */
export function prepareCalls(ranges: readonly AddrRange[], limits: BatchLimits = DEFAULT_LIMITS): PreparedCalls {
  const iov = new BigUint64Array(2 * countPieces(ranges, limits.maxBytes));
  const callStarts: number[] = [];
  const callBytes: number[] = [];
  let piece = 0;
  walkCalls(
    ranges,
    limits,
    () => {
      callStarts.push(piece);
      callBytes.push(0);
    },
    (startAddr, lengthBytes) => {
      iov[2 * piece] = BigInt(startAddr);
      iov[2 * piece + 1] = BigInt(lengthBytes);
      callBytes[callBytes.length - 1]! += lengthBytes;
      piece += 1;
    },
  );
  callStarts.push(piece);
  return { iov, callStarts, callBytes };
}

/** Number of calls prepareCalls() plans for `ranges`, without building them. */
export function countBatches(ranges: readonly AddrRange[], limits: BatchLimits = DEFAULT_LIMITS): number {
  let calls = 0;
  walkCalls(
    ranges,
    limits,
    () => calls++,
    () => undefined,
  );
  return calls;
}

/** The planned calls as ranges, one list per call (for tests and messages). */
export function plannedCalls(prepared: PreparedCalls): AddrRange[][] {
  const { iov, callStarts } = prepared;
  return callStarts.slice(0, -1).map((first, c) => iovecRanges(iov.subarray(2 * first), callStarts[c + 1]! - first));
}

/** The first `count` iovecs of `iov` as ranges. */
export function iovecRanges(iov: BigUint64Array, count: number): AddrRange[] {
  return Array.from({ length: count }, (_, i) => ({ startAddr: Number(iov[2 * i]!), lengthBytes: Number(iov[2 * i + 1]!) }));
}

/**
 * libc syscall() declared with process_madvise's fixed argument list: cheaper per call than
 * the variadic binding (koffi need not parse argument types each time); glibc's syscall()
 * only moves registers, so a fixed prototype is safe for integer and pointer arguments.
 */
const processMadviseSyscall: (nr: number, pidfd: number, iov: BigUint64Array, vlen: number, advice: number, flags: number) => number = libc.func(
  'long syscall(long nr, int pidfd, void *iov, size_t vlen, int advice, unsigned int flags)',
);

/** One process_madvise(pidfd, iov, count, advice, 0) call on prepared iovecs (a view may start anywhere in the array). */
export function processMadviseIov(pidfd: number, iov: BigUint64Array, count: number, adviceValue: number): RawResult {
  const ret = processMadviseSyscall(PROCESS_MADVISE_NR, pidfd, iov, count, adviceValue, 0);
  return ret < 0 ? { ret: -1, errno: lastErrno() } : { ret, errno: 0 };
}

/** One process_madvise call on `ranges` as they are, building its iovec array first (for probes and tests; deliveries use runCalls). */
export function processMadviseRaw(pidfd: number, ranges: readonly AddrRange[], adviceValue: number): RawResult {
  const iov = new BigUint64Array(2 * ranges.length);
  ranges.forEach((r, i) => {
    iov[2 * i] = BigInt(r.startAddr);
    iov[2 * i + 1] = BigInt(r.lengthBytes);
  });
  return processMadviseIov(pidfd, iov, ranges.length, adviceValue);
}

/** Formats a fatal errno as `ENAME: explanation`. */
function fatalMessage(name: string): string {
  return `${name}: ${FATAL[name] ?? 'process_madvise failed'}`;
}

/**
 * Issues the prepared calls to the process behind `pidfd` and times them (see the module
 * doc for what happens when a call stops early). Only the loop's bookkeeping runs between
 * two calls; a continuation or retry reuses the prepared arrays, except a retry that starts
 * inside a piece, which writes one iovec.
 */
export function runCalls(pidfd: number, prepared: PreparedCalls, adviceValue: number, opts: Pick<MadviseAllOptions, 'raw'> = {}): MadviseAllResult {
  const raw = opts.raw ?? processMadviseIov;
  const { iov, callStarts, callBytes } = prepared;
  const result: MadviseAllResult = { bytesAdvised: 0, syscalls: 0, skipped: [], error: null, elapsedNs: 0 };
  const single = new BigUint64Array(2);
  const length = (i: number): number => Number(iov[2 * i + 1]!);
  const isFatal = (errno: number): boolean => errnoName(errno) in FATAL;
  const call = (view: BigUint64Array, count: number): RawResult => {
    result.syscalls += 1;
    return raw(pidfd, view, count, adviceValue);
  };
  const t0 = process.hrtime.bigint();
  calls: for (let c = 0; c + 1 < callStarts.length; c++) {
    const end = callStarts[c + 1]!;
    /** Bytes of this call's pieces before piece i (done, skipped or retried). */
    let before = 0;
    for (let i = callStarts[c]!; i < end; ) {
      const want = callBytes[c]! - before;
      const first = call(iov.subarray(2 * i), end - i);
      if (first.ret < 0 && isFatal(first.errno)) {
        result.error = fatalMessage(errnoName(first.errno));
        break calls;
      }
      const advised = Math.max(0, Math.min(first.ret, want));
      result.bytesAdvised += advised;
      if (advised === want) break;
      // The call stopped inside piece k, `offset` bytes into it: retry the rest of that piece alone, once.
      let k = i;
      let offset = advised;
      while (offset >= length(k)) offset -= length(k++);
      const stuck = { startAddr: Number(iov[2 * k]!) + offset, lengthBytes: length(k) - offset };
      let view = iov.subarray(2 * k);
      if (offset > 0) {
        single[0] = BigInt(stuck.startAddr);
        single[1] = BigInt(stuck.lengthBytes);
        view = single;
      }
      const retry = call(view, 1);
      if (retry.ret < 0) {
        if (isFatal(retry.errno)) {
          result.error = fatalMessage(errnoName(retry.errno));
          break calls;
        }
        result.skipped.push({ ...stuck, reason: errnoName(retry.errno) });
      } else {
        const retried = Math.min(retry.ret, stuck.lengthBytes);
        result.bytesAdvised += retried;
        if (retried < stuck.lengthBytes) {
          result.skipped.push({
            startAddr: stuck.startAddr + retried,
            lengthBytes: stuck.lengthBytes - retried,
            reason: `short: ${retried} of ${stuck.lengthBytes} bytes advised`,
          });
        }
      }
      before += advised + stuck.lengthBytes;
      i = k + 1;
    }
  }
  if (result.syscalls > 0) result.elapsedNs = Number(process.hrtime.bigint() - t0);
  return result;
}

/** Advises all `ranges` of the process behind `pidfd`: prepareCalls() then runCalls(). */
export function processMadviseAll(pidfd: number, ranges: readonly AddrRange[], adviceValue: number, opts: MadviseAllOptions = {}): MadviseAllResult {
  return runCalls(pidfd, prepareCalls(ranges, opts.limits ?? hostLimits()), adviceValue, opts);
}

/**
 * Whether this kernel has process_madvise, probed with pidfd -1: EBADF means the syscall
 * exists ('available'), ENOSYS that it does not ('enosys'), EPERM that a seccomp filter or
 * LSM forbids it ('eperm'); any other errno comes back as its name.
 */
export function probeProcessMadvise(): 'available' | 'enosys' | 'eperm' | string {
  const { ret, errno } = processMadviseIov(-1, new BigUint64Array(2), 1, ADVICE_VALUE.cold);
  if (ret >= 0 || errno === errnoValue('EBADF')) return 'available';
  if (errno === errnoValue('ENOSYS')) return 'enosys';
  if (errno === errnoValue('EPERM')) return 'eperm';
  return errnoName(errno);
}
