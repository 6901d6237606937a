import { release } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { AddrRange } from '../../../../core/types.ts';
import { errnoValue } from '../../../../core/sys/errno.ts';
import {
  MAX_IOVECS,
  MAX_RW_COUNT,
  maxRwCountFor,
  probeProcessMadvise,
  processMadviseAll,
  iovecRanges,
  plannedCalls,
  prepareCalls,
  runCalls,
  type BatchLimits as Limits,
  type RawCall,
  type RawResult,
} from '../../../../core/sys/process-madvise.ts';

/** The calls prepareCalls() plans, as ranges. */
const batchRanges = (ranges: AddrRange[], limits?: Limits): AddrRange[][] => plannedCalls(prepareCalls(ranges, limits));
/** A fake kernel call written over ranges, as the delivery loop calls it (iovecs). */
const onRanges =
  (f: (pidfd: number, ranges: AddrRange[]) => RawResult): RawCall =>
  (pidfd, iov, count) =>
    f(pidfd, iovecRanges(iov, count));

const PAGE = 4096;
const pages = (n: number, start = 0x10000000, gapPages = 1): AddrRange[] =>
  Array.from({ length: n }, (_, i) => ({ startAddr: start + i * (1 + gapPages) * PAGE, lengthBytes: PAGE }));
const sum = (rs: AddrRange[]): number => rs.reduce((s, r) => s + r.lengthBytes, 0);
const errno = (name: string): number => errnoValue(name)!;

/**
 * A fake kernel: advises iovecs in order and stops at the first one that overlaps a hole,
 * like vector_madvise(); it records every call. `fatalAfter` makes call N fail with an errno.
 */
function fakeKernel(opts: { holes?: AddrRange[]; failOnce?: number[]; fatal?: { atCall: number; errno: number } } = {}) {
  const calls: AddrRange[][] = [];
  const failedOnce = new Set<number>();
  const overlaps = (r: AddrRange, h: AddrRange): boolean => r.startAddr < h.startAddr + h.lengthBytes && h.startAddr < r.startAddr + r.lengthBytes;
  const raw: RawCall = onRanges((_pidfd, ranges): RawResult => {
    calls.push(ranges.map((r) => ({ ...r })));
    if (opts.fatal && calls.length === opts.fatal.atCall) return { ret: -1, errno: opts.fatal.errno };
    let done = 0;
    for (const r of ranges) {
      let err = 0;
      if ((opts.holes ?? []).some((h) => overlaps(r, h))) err = errno('ENOMEM');
      else if ((opts.failOnce ?? []).includes(r.startAddr) && !failedOnce.has(r.startAddr)) {
        failedOnce.add(r.startAddr);
        err = errno('EAGAIN');
      }
      if (err !== 0) return done > 0 ? { ret: done, errno: 0 } : { ret: -1, errno: err };
      done += r.lengthBytes;
    }
    return { ret: done, errno: 0 };
  });
  return { raw, calls };
}

describe('batchRanges', () => {
  it('puts at most 1024 iovecs in one call', () => {
    const batches = batchRanges(pages(2500));
    expect(batches.map((b) => b.length)).toEqual([MAX_IOVECS, MAX_IOVECS, 2500 - 2 * MAX_IOVECS]);
    expect(batches.flat()).toEqual(pages(2500));
  });
  it('caps the bytes of one call and splits a range larger than the cap', () => {
    const big = { startAddr: 0x100000000, lengthBytes: 5 * 1024 ** 3 };
    const batches = batchRanges([big]);
    expect(batches).toHaveLength(3);
    for (const b of batches) expect(sum(b)).toBeLessThanOrEqual(MAX_RW_COUNT);
    expect(batches[0]![0]).toEqual({ startAddr: big.startAddr, lengthBytes: MAX_RW_COUNT });
    expect(batches[1]![0]!.startAddr).toBe(big.startAddr + MAX_RW_COUNT);
    expect(sum(batches.flat())).toBe(big.lengthBytes);
  });
  it('starts a new call when the next range would pass the byte cap', () => {
    const rs = [
      { startAddr: 0, lengthBytes: 6 * PAGE },
      { startAddr: 10 * PAGE, lengthBytes: 6 * PAGE },
      { startAddr: 20 * PAGE, lengthBytes: 2 * PAGE },
    ];
    expect(batchRanges(rs, { maxIovecs: 10, maxBytes: 8 * PAGE }).map((b) => b.length)).toEqual([1, 2]);
  });
  it('drops empty ranges and returns no call for no ranges', () => {
    expect(batchRanges([])).toEqual([]);
    expect(batchRanges([{ startAddr: 0, lengthBytes: 0 }])).toEqual([]);
  });
  it('computes MAX_RW_COUNT from the page size', () => {
    expect(maxRwCountFor(4096)).toBe(MAX_RW_COUNT);
    expect(maxRwCountFor(65536)).toBe(0x7fff0000);
  });
});

describe('processMadviseAll with a fake kernel', () => {
  it('advises everything in ceil(n/1024) calls when nothing fails', () => {
    const k = fakeKernel();
    const r = processMadviseAll(7, pages(3000), 21, { raw: k.raw, limits: { maxIovecs: MAX_IOVECS, maxBytes: MAX_RW_COUNT } });
    expect(r).toEqual({ bytesAdvised: 3000 * PAGE, syscalls: 3, skipped: [], error: null, elapsedNs: expect.any(Number) });
    expect(k.calls.map((c) => c.length)).toEqual([1024, 1024, 952]);
  });
  it('continues after partial progress, retries the failing range alone, skips it and goes on', () => {
    const rs = pages(10);
    const hole = rs[4]!;
    const k = fakeKernel({ holes: [hole] });
    const r = processMadviseAll(7, rs, 21, { raw: k.raw, limits: { maxIovecs: 1024, maxBytes: MAX_RW_COUNT } });
    expect(r.bytesAdvised).toBe(9 * PAGE);
    expect(r.skipped).toEqual([{ ...hole, reason: 'ENOMEM' }]);
    expect(r.error).toBeNull();
    // call 1: all 10 (advises 4); call 2: the hole alone; call 3: the 5 after it.
    expect(k.calls.map((c) => c.length)).toEqual([10, 1, 5]);
    expect(k.calls[1]).toEqual([hole]);
    expect(k.calls[2]![0]).toEqual(rs[5]);
  });
  it('counts a range that succeeds on its retry and does not skip it', () => {
    const rs = pages(6);
    const k = fakeKernel({ failOnce: [rs[0]!.startAddr, rs[3]!.startAddr] });
    const r = processMadviseAll(7, rs, 20, { raw: k.raw });
    // all 6 (fails at 0) -> 0 alone -> 1..5 (stops at 3) -> 3 alone -> 4..5
    expect(r).toEqual({ bytesAdvised: 6 * PAGE, syscalls: 5, skipped: [], error: null, elapsedNs: expect.any(Number) });
    expect(k.calls.map((c) => c.length)).toEqual([6, 1, 5, 1, 2]);
  });
  it('resumes inside a range when the kernel stops mid-range', () => {
    const calls: AddrRange[][] = [];
    const raw: RawCall = onRanges((_fd, ranges) => {
      calls.push(ranges);
      return calls.length === 1 ? { ret: 3 * PAGE, errno: 0 } : { ret: sum(ranges), errno: 0 };
    });
    const r = processMadviseAll(7, [{ startAddr: 0x1000000, lengthBytes: 8 * PAGE }], 21, { raw });
    expect(r.bytesAdvised).toBe(8 * PAGE);
    expect(calls[1]).toEqual([{ startAddr: 0x1000000 + 3 * PAGE, lengthBytes: 5 * PAGE }]);
  });
  it('stops on ESRCH and names it', () => {
    const k = fakeKernel({ fatal: { atCall: 2, errno: errno('ESRCH') } });
    const r = processMadviseAll(7, pages(2048 + 10), 21, { raw: k.raw });
    expect(r.bytesAdvised).toBe(1024 * PAGE);
    expect(r.syscalls).toBe(2);
    expect(r.error).toMatch(/^ESRCH: .*exited/);
  });
  it.each(['EPERM', 'ENOSYS', 'EBADF'])('stops on %s at the first call', (name) => {
    const k = fakeKernel({ fatal: { atCall: 1, errno: errno(name) } });
    const r = processMadviseAll(7, pages(5), 21, { raw: k.raw });
    expect(r).toMatchObject({ bytesAdvised: 0, syscalls: 1, skipped: [] });
    expect(r.error?.startsWith(`${name}: `)).toBe(true);
  });
  it('stops on a fatal errno met during a retry', () => {
    const rs = pages(4);
    const k = fakeKernel({ holes: [rs[1]!], fatal: { atCall: 2, errno: errno('ESRCH') } });
    const r = processMadviseAll(7, rs, 21, { raw: k.raw });
    expect(r.bytesAdvised).toBe(PAGE);
    expect(r.error).toMatch(/^ESRCH/);
    expect(r.skipped).toEqual([]);
  });
  it('records a short retry as a skipped tail', () => {
    let n = 0;
    const raw: RawCall = onRanges(() => (++n === 1 ? { ret: -1, errno: errno('ENOMEM') } : { ret: 2 * PAGE, errno: 0 }));
    const r = processMadviseAll(7, [{ startAddr: 0x2000000, lengthBytes: 4 * PAGE }], 21, { raw });
    expect(r.bytesAdvised).toBe(2 * PAGE);
    expect(r.skipped).toEqual([{ startAddr: 0x2000000 + 2 * PAGE, lengthBytes: 2 * PAGE, reason: `short: ${2 * PAGE} of ${4 * PAGE} bytes advised` }]);
  });
});

describe('runCalls: what userLatencyNs times', () => {
  it('issues every call on the arrays prepareCalls built, and times the calls (here, a kernel that takes 2 ms per call)', () => {
    const prepared = prepareCalls(pages(2500));
    const seen: BigUint64Array[] = [];
    const raw: RawCall = (_fd, iov, count) => {
      seen.push(iov);
      const until = process.hrtime.bigint() + 2_000_000n;
      while (process.hrtime.bigint() < until);
      return { ret: count * PAGE, errno: 0 };
    };
    const r = runCalls(7, prepared, 21, { raw });
    expect(r.syscalls).toBe(3);
    expect(seen.every((v) => v.buffer === prepared.iov.buffer)).toBe(true);
    expect(seen.map((v) => v.byteOffset)).toEqual([0, 1024 * 16, 2048 * 16]);
    expect(r.elapsedNs).toBeGreaterThanOrEqual(3 * 2_000_000);
  });
  it('takes no time without a call', () => {
    expect(runCalls(7, prepareCalls([]), 21, { raw: () => ({ ret: 0, errno: 0 }) })).toEqual({ bytesAdvised: 0, syscalls: 0, skipped: [], error: null, elapsedNs: 0 });
  });
});

describe('probeProcessMadvise', () => {
  it('finds the syscall on Linux 5.10 or later', () => {
    const [major = 0, minor = 0] = release().split('.').map(Number);
    const p = probeProcessMadvise();
    if (major > 5 || (major === 5 && minor >= 10)) expect(p).toBe('available');
    else expect(p).toBe('enosys');
  });
});
