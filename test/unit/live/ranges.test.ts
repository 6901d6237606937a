import { describe, expect, it } from 'vitest';
import { parseRangeSelector, selectRanges } from '../../../bench/live/ranges.ts';
import { parseStatFlags } from '../../../bench/live/target.ts';
import { parseMaps } from '../../../bench/sys/proc.ts';
import { HintbenchError } from '../../../bench/errors.ts';

const MAPS = `55d0c0a00000-55d0c0a21000 rw-p 00000000 00:00 0                          [heap]
7f1000000000-7f1000400000 rw-p 00000000 00:00 0 
7f1000400000-7f1000401000 ---p 00000000 00:00 0 
7f2000000000-7f2000010000 r--p 00000000 fe:00 1234                       /usr/lib/x86_64-linux-gnu/libc.so.6
7f2000010000-7f2000020000 rw-s 00000000 00:01 99                         /dev/shm/x
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]
7ffd00100000-7ffd00102000 r-xp 00000000 00:00 0                          [vdso]
`;

describe('--ranges', () => {
  const maps = parseMaps(MAPS);
  it('anon picks the heap and private anonymous VMAs, not guards, stack, files or vdso', () => {
    const r = selectRanges(parseRangeSelector('anon', 4096), maps);
    expect(r).toEqual([
      { startAddr: 0x55d0c0a00000, lengthBytes: 0x21000 },
      { startAddr: 0x7f1000000000, lengthBytes: 0x400000 },
    ]);
  });
  it('file picks file-backed mappings and all picks both', () => {
    expect(selectRanges(parseRangeSelector('file', 4096), maps).map((r) => r.startAddr)).toEqual([0x7f2000000000, 0x7f2000010000]);
    expect(selectRanges(parseRangeSelector('all', 4096), maps)).toHaveLength(4);
  });
  it('parses explicit hex ranges with or without 0x', () => {
    expect(parseRangeSelector('0x7f1000000000-7f1000002000,7f1000003000-0x7f1000004000', 4096)).toEqual({
      kind: 'explicit',
      ranges: [{ startAddr: 0x7f1000000000, lengthBytes: 0x2000 }, { startAddr: 0x7f1000003000, lengthBytes: 0x1000 }],
    });
  });
  it('rejects malformed, reversed and unaligned ranges naming the flag', () => {
    for (const bad of ['heap', '1000-', '2000-1000', '1001-3000']) {
      expect(() => parseRangeSelector(bad, 4096)).toThrow(HintbenchError);
      expect(() => parseRangeSelector(bad, 4096)).toThrow(/--ranges/);
    }
  });
});

describe('target checks', () => {
  it('reads the flags field even when comm has spaces and parentheses', () => {
    const stat = '123 (a) b (c)) S 2 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0';
    expect(parseStatFlags(stat)).toBe(2129984);
    expect(parseStatFlags(stat) & 0x00200000).not.toBe(0);
  });
});
