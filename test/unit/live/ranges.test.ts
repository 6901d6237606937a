import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HintbenchError } from '../../../core/errors.ts';
import { userAddressLimit, type AddressSpaceLimit } from '../../../bench/live/address-space.ts';
import { parseRangeSelector, planRanges, selectRanges, type RangeSelector } from '../../../bench/live/ranges.ts';
import { parseMaps, parseMapsExact } from '../../../core/proc/maps.ts';

const MAPS = `55d0c0a00000-55d0c0a21000 rw-p 00000000 00:00 0                          [heap]
7f1000000000-7f1000400000 rw-p 00000000 00:00 0 
7f1000400000-7f1000401000 ---p 00000000 00:00 0 
7f2000000000-7f2000010000 r--p 00000000 fe:00 1234                       /usr/lib/x86_64-linux-gnu/libc.so.6
7f2000010000-7f2000020000 rw-s 00000000 00:01 99                         /dev/shm/x
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]
7ffd00100000-7ffd00102000 r-xp 00000000 00:00 0                          [vdso]
ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
`;
const LIMIT_47: AddressSpaceLimit = { endAddr: 0x7ffffffff000n, source: 'x86_64, 4-level paging' };
const exact = parseMapsExact(MAPS);
const plan = (text: string, limit = LIMIT_47) => planRanges(parseRangeSelector(text, 4096), exact, limit, 4242);

describe('--ranges classes', () => {
  const maps = parseMaps(MAPS);
  it('anon picks the heap and private anonymous VMAs, not guards, stack, files or vdso', () => {
    const r = selectRanges({ kind: 'anon' }, maps);
    expect(r).toEqual([
      { startAddr: 0x55d0c0a00000, lengthBytes: 0x21000 },
      { startAddr: 0x7f1000000000, lengthBytes: 0x400000 },
    ]);
    expect(plan('anon').ranges).toEqual(r);
    expect(plan('anon').skipped).toEqual([]);
  });
  it('file picks file-backed mappings and all picks both', () => {
    expect(selectRanges({ kind: 'file' }, maps).map((r) => r.startAddr)).toEqual([0x7f2000000000, 0x7f2000010000]);
    expect(selectRanges({ kind: 'all' }, maps)).toHaveLength(4);
    expect(plan('all').ranges).toHaveLength(4);
  });
  it('a class with no VMA is an error naming the pid', () => {
    expect(() => planRanges({ kind: 'file' }, parseMapsExact('7f1000000000-7f1000400000 rw-p 00000000 00:00 0 \n'), LIMIT_47, 4242)).toThrow(/pid 4242 has no file mappings/);
  });
});

describe('--ranges parsing', () => {
  it('reads explicit hex ranges with or without 0x as 64-bit integers', () => {
    expect(parseRangeSelector('0x7f1000000000-7f1000002000,7f1000003000-0x7f1000004000', 4096)).toEqual({
      kind: 'explicit',
      ranges: [
        { startAddr: 0x7f1000000000n, endAddr: 0x7f1000002000n },
        { startAddr: 0x7f1000003000n, endAddr: 0x7f1000004000n },
      ],
    });
    // 2^64 - one page survives exactly (a Number would round it to 2^64)
    expect(parseRangeSelector('0-0xfffffffffffff000', 4096)).toEqual({ kind: 'explicit', ranges: [{ startAddr: 0n, endAddr: 0xfffffffffffff000n }] });
  });
  it('rejects malformed, reversed and unaligned ranges naming the flag', () => {
    for (const bad of ['heap', '1000-', '2000-1000', '1001-3000', '1000-1000']) {
      expect(() => parseRangeSelector(bad, 4096)).toThrow(HintbenchError);
      expect(() => parseRangeSelector(bad, 4096)).toThrow(/--ranges/);
    }
  });
  it('rejects an address of 2^64 or more instead of wrapping it', () => {
    // 0x10000000000000000 mod 2^64 = 0: once it paged out whatever lay at the bottom
    for (const bad of ['0-10000000000000000', '15555555550000-10000555555550000', '0x00000000000000000001000-0x100000000000000000000']) {
      expect(() => parseRangeSelector(bad, 4096)).toThrow(/--ranges: .* wider than 64 bits/);
    }
    // leading zeros are not bits
    expect(parseRangeSelector('00000000000000001000-0000000000000002000', 4096)).toEqual({ kind: 'explicit', ranges: [{ startAddr: 0x1000n, endAddr: 0x2000n }] });
  });
});

describe('--ranges against the target', () => {
  it('clips a range to the VMAs it overlaps and lists the holes as unmapped', () => {
    const p = plan('7f0fff000000-7f1000200000');
    expect(p.ranges).toEqual([{ startAddr: 0x7f1000000000, lengthBytes: 0x200000 }]);
    expect(p.skipped).toEqual([{ startAddr: 0x7f0fff000000n, endAddr: 0x7f1000000000n, reason: 'unmapped' }]);
  });
  it('the whole 47-bit address space becomes one range per VMA, kernel mappings and holes skipped', () => {
    const p = plan('0-7ffffffff000');
    // heap, anon, guard, libc, shm, stack: every user VMA, in order
    expect(p.ranges.map((r) => r.startAddr.toString(16))).toEqual(['55d0c0a00000', '7f1000000000', '7f1000400000', '7f2000000000', '7f2000010000', '7ffd00000000']);
    expect(p.skipped.filter((s) => s.reason === 'kernel mapping [vdso]')).toEqual([{ startAddr: 0x7ffd00100000n, endAddr: 0x7ffd00102000n, reason: 'kernel mapping [vdso]' }]);
    const unmapped = p.skipped.filter((s) => s.reason === 'unmapped');
    expect(unmapped[0]).toEqual({ startAddr: 0n, endAddr: 0x55d0c0a00000n, reason: 'unmapped' });
    expect(unmapped.at(-1)).toEqual({ startAddr: 0x7ffd00102000n, endAddr: 0x7ffffffff000n, reason: 'unmapped' });
    // every byte asked for is either planned or skipped, once
    const planned = p.ranges.reduce((s, r) => s + BigInt(r.lengthBytes), 0n);
    const skipped = p.skipped.reduce((s, r) => s + (r.endAddr - r.startAddr), 0n);
    expect(planned + skipped).toBe(0x7ffffffff000n);
  });
  it('a range beyond the address space is refused before any work, naming the limit', () => {
    expect(() => plan('0-fffffffffffff000')).toThrow(
      /--ranges: '0x0-0xfffffffffffff000' goes beyond the user address space of pid 4242, which ends at 0x7ffffffff000 \(x86_64, 4-level paging\)/,
    );
    expect(() => plan('800000000000-800000001000')).toThrow(/goes beyond/);
  });
  it('ranges that overlap no mapping are an error listing them; a partly mapped list hints the mapped ones', () => {
    expect(() => plan('1000-2000,3000-4000')).toThrow(/--ranges: 0x1000-0x2000, 0x3000-0x4000 overlap no hintable mapping of pid 4242/);
    expect(() => plan('7ffd00100000-7ffd00102000')).toThrow(/overlaps no hintable mapping/);
    const p = plan('1000-2000,7f1000000000-7f1000001000');
    expect(p.ranges).toEqual([{ startAddr: 0x7f1000000000, lengthBytes: 0x1000 }]);
    expect(p.skipped).toEqual([{ startAddr: 0x1000n, endAddr: 0x2000n, reason: 'unmapped' }]);
  });
  it('with 5-level paging, parts at or above 2^53 are skipped, never turned into Numbers', () => {
    const high = parseMapsExact('7f1000000000-7f1000001000 rw-p 00000000 00:00 0 \n20000000000000-20000000002000 rw-p 00000000 00:00 0 \n');
    const limit56 = userAddressLimit(high, { arch: 'x64', cpuFlags: ['fpu', 'la57'], pageSizeBytes: 4096 });
    expect(limit56.endAddr).toBe((1n << 56n) - 4096n);
    const p = planRanges(parseRangeSelector('7f1000000000-20000000002000', 4096) as RangeSelector, high, limit56, 7);
    expect(p.ranges).toEqual([{ startAddr: 0x7f1000000000, lengthBytes: 0x1000 }]);
    expect(p.skipped.at(-1)).toEqual({ startAddr: 0x20000000000000n, endAddr: 0x20000000002000n, reason: 'at or above 2^53: not supported' });
    expect(() => planRanges({ kind: 'anon' }, high.slice(1), limit56, 7)).toThrow(/no anon mappings/);
  });
  it('the clipping is linear: 20000 VMAs under one range plan in one pass', () => {
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const start = 0x7f0000000000 + i * 0x2000;
      lines.push(`${start.toString(16)}-${(start + 0x1000).toString(16)} rw-p 00000000 00:00 0 `);
    }
    const many = parseMapsExact(lines.join('\n'));
    const p = planRanges(parseRangeSelector('0-7ffffffff000', 4096), many, LIMIT_47, 1);
    expect(p.ranges).toHaveLength(20_000);
    expect(p.skipped).toHaveLength(20_001);
  });
});

describe('address-space limit', () => {
  const cat = parseMapsExact(readFileSync(new URL('../../fixtures/proc/maps-cat.txt', import.meta.url), 'utf8'));
  it('x86_64: 2^47 - one page with 4-level paging, 2^56 - one page with la57; [vsyscall] does not count', () => {
    expect(userAddressLimit(cat, { arch: 'x64', cpuFlags: ['fpu', 'sse2'], pageSizeBytes: 4096 })).toEqual({ endAddr: 0x7ffffffff000n, source: 'x86_64, 4-level paging' });
    expect(userAddressLimit(cat, { arch: 'x64', cpuFlags: ['la57'], pageSizeBytes: 4096 }).endAddr).toBe(0xfffffffffff000n);
  });
  it('elsewhere: the power of two at or above the highest mapping (the stack)', () => {
    // arm64 with 39-bit VA: stack just below 2^39
    const arm = parseMapsExact('7fb0000000-7fb0001000 rw-p 00000000 00:00 0                          [stack]\n');
    expect(userAddressLimit(arm, { arch: 'arm64', cpuFlags: ['fp', 'asimd'], pageSizeBytes: 4096 })).toEqual({ endAddr: 1n << 39n, source: 'arm64, from its highest mapping' });
    expect(userAddressLimit(cat, { arch: 'x64', cpuFlags: null, pageSizeBytes: 4096 }).endAddr).toBe(1n << 47n);
  });
});
