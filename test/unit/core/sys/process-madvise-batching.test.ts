/**
 * The batching of processMadviseAll at scale: piece counts that made the old front-slicing
 * quadratic, the batch count used to size the probe, and EFAULT isolated like any bad range.
 */
import { describe, expect, it } from 'vitest';
import { errnoValue } from '../../../../core/sys/errno.ts';
import {
  MAX_RW_COUNT,
  countBatches,
  processMadviseAll,
  type BatchLimits,
  iovecRanges,
  plannedCalls,
  prepareCalls,
  type BatchLimits as Limits,
  type RawCall,
  type RawResult,
} from '../../../../core/sys/process-madvise.ts';
import type { AddrRange } from '../../../../core/types.ts';

/** The calls prepareCalls() plans, as ranges. */
const batchRanges = (ranges: AddrRange[], limits?: Limits): AddrRange[][] => plannedCalls(prepareCalls(ranges, limits));
/** A fake kernel call written over ranges, as the delivery loop calls it (iovecs). */
const onRanges =
  (f: (pidfd: number, ranges: AddrRange[]) => RawResult): RawCall =>
  (pidfd, iov, count) =>
    f(pidfd, iovecRanges(iov, count));

const PAGE = 4096;
const ENOMEM = errnoValue('ENOMEM')!;
const EFAULT = errnoValue('EFAULT')!;

/** A deterministic pseudo-random sequence (LCG), so failures reproduce. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('countBatches', () => {
  it('equals the number of calls batchRanges makes, for random range lists and limits', () => {
    const rnd = lcg(42);
    for (let trial = 0; trial < 300; trial++) {
      const limits: BatchLimits = { maxIovecs: 1 + Math.floor(rnd() * 8), maxBytes: PAGE * (1 + Math.floor(rnd() * 16)) };
      const ranges: AddrRange[] = [];
      let addr = 0x10000000;
      for (let i = Math.floor(rnd() * 30); i > 0; i--) {
        const len = PAGE * Math.floor(rnd() * 40);
        ranges.push({ startAddr: addr, lengthBytes: len });
        addr += len + PAGE;
      }
      expect(countBatches(ranges, limits), JSON.stringify({ limits, ranges })).toBe(batchRanges(ranges, limits).length);
    }
  });
  it('counts the pieces of a 128 TiB range without building them', () => {
    expect(countBatches([{ startAddr: 0, lengthBytes: 0x7ffffffff000 }])).toBe(Math.ceil(0x7ffffffff000 / MAX_RW_COUNT));
  });
});

describe('processMadviseAll at scale', () => {
  it('walks 65536 failing pieces of one huge range in linear time and memory: two calls each, one skip each', () => {
    let calls = 0;
    let maxIovecs = 0;
    const raw: RawCall = onRanges((_fd, batch) => {
      calls += 1;
      maxIovecs = Math.max(maxIovecs, batch.length);
      return { ret: -1, errno: ENOMEM };
    });
    const length = MAX_RW_COUNT * 65_536;
    const r = processMadviseAll(7, [{ startAddr: 0, lengthBytes: length }], 21, { raw, limits: { maxIovecs: 1024, maxBytes: MAX_RW_COUNT } });
    expect(r.error).toBeNull();
    expect(r.syscalls).toBe(2 * 65_536);
    expect(calls).toBe(2 * 65_536);
    expect(maxIovecs).toBe(1);
    expect(r.skipped).toHaveLength(65_536);
    expect(r.skipped.at(-1)).toEqual({ startAddr: length - MAX_RW_COUNT, lengthBytes: MAX_RW_COUNT, reason: 'ENOMEM' });
  });
  it('advises 200000 small ranges in ceil(n/1024) calls', () => {
    const ranges = Array.from({ length: 200_000 }, (_, i) => ({ startAddr: 0x10000000 + i * 2 * PAGE, lengthBytes: PAGE }));
    const raw: RawCall = onRanges((_fd, batch) => ({ ret: batch.reduce((s, x) => s + x.lengthBytes, 0), errno: 0 }));
    const r = processMadviseAll(7, ranges, 21, { raw });
    expect(r).toEqual({ bytesAdvised: 200_000 * PAGE, syscalls: Math.ceil(200_000 / 1024), skipped: [], error: null, elapsedNs: expect.any(Number) });
  });
});

describe('EFAULT', () => {
  it('fails a whole call (as the kernel does for an iovec outside the address space): the bad range is isolated and skipped, the rest advised', () => {
    const bad = { startAddr: 0x800000000000, lengthBytes: PAGE };
    const good = [
      { startAddr: 0x10000000, lengthBytes: PAGE },
      { startAddr: 0x20000000, lengthBytes: PAGE },
    ];
    const raw: RawCall = onRanges((_fd, batch) =>
      batch.some((x) => x.startAddr === bad.startAddr) ? { ret: -1, errno: EFAULT } : { ret: batch.reduce((s, x) => s + x.lengthBytes, 0), errno: 0 },
    );
    const r = processMadviseAll(7, [good[0]!, bad, good[1]!], 21, { raw });
    expect(r.error).toBeNull();
    expect(r.bytesAdvised).toBe(2 * PAGE);
    expect(r.skipped).toEqual([{ ...bad, reason: 'EFAULT' }]);
  });
});
