import { describe, expect, it } from 'vitest';
import { MAX_VIEW_LENGTH, pageSizeBytes, viewBytes } from '../../../core/sys/mman.ts';
import { AnonMemory, MAX_VIEW_BYTES, pageChecksum, splitPages } from '../../../workloads/memory.ts';

describe('splitPages', () => {
  it('splits evenly, spreading the remainder over the first VMAs', () => {
    expect(splitPages(10, 4)).toEqual([3, 3, 2, 2]);
    expect(splitPages(4096, 1)).toEqual([4096]);
    expect(splitPages(7, 7)).toEqual([1, 1, 1, 1, 1, 1, 1]);
  });
});

describe('pageChecksum', () => {
  const words = new Uint32Array(2048);
  for (let i = 0; i < words.length; i++) words[i] = Math.imul(i + 7, 2654435761) >>> 0;
  it('changes when any single word changes', () => {
    const ref = pageChecksum(words, 0, 1024, 0);
    for (const i of [0, 1, 511, 1023]) {
      const copy = words.slice();
      copy[i] = (copy[i]! ^ 1) >>> 0;
      expect(pageChecksum(copy, 0, 1024, 0)).not.toBe(ref);
    }
  });
  it('ignores words outside the page', () => {
    const copy = words.slice();
    copy[1500] = 0;
    expect(pageChecksum(copy, 0, 1024, 0)).toBe(pageChecksum(words, 0, 1024, 0));
  });
  it('depends on the page index, so identical zero pages at different places differ', () => {
    const zero = new Uint32Array(1024);
    expect(pageChecksum(zero, 0, 1024, 0)).not.toBe(pageChecksum(zero, 0, 1024, 1));
    // A zero page is caught when it replaces a non-zero page.
    expect(pageChecksum(zero, 0, 1024, 0)).not.toBe(pageChecksum(words, 0, 1024, 0));
  });
});

describe('AnonMemory seen through views of bounded length', () => {
  const ps = pageSizeBytes();

  it.each(['zero', 'random', 'mixed'] as const)('%s: regions of 13 pages in 3-page views verify, and a flipped byte is found at its address', (content) => {
    const mem = new AnonMemory({ totalPages: 26, vmas: 2, content, pageSizeBytes: ps, maxViewBytes: 3 * ps });
    expect(mem.regions.map((r) => r.lengthBytes)).toEqual([13 * ps, 13 * ps]);
    expect(mem.verify()).toEqual({ corruptPages: 0, firstCorruptAddr: null });
    // page 11 of the second region: the last, partial view (pages 9-11 of 0-12 are view 4)
    const addr = mem.regions[1]!.startAddr + 11 * ps + 100;
    const byte = new Uint8Array(viewBytes(BigInt(addr), 1));
    byte[0] = byte[0]! ^ 0xff;
    expect(mem.verify()).toEqual({ corruptPages: 1, firstCorruptAddr: mem.regions[1]!.startAddr + 11 * ps });
  });

  it('touches one byte of every page of every view', () => {
    const mem = new AnonMemory({ totalPages: 10, vmas: 1, content: 'zero', pageSizeBytes: ps, maxViewBytes: 4 * ps });
    for (let p = 0; p < 10; p++) new Uint8Array(viewBytes(BigInt(mem.regions[0]!.startAddr + p * ps), 1))[0] = 1;
    expect(mem.touchAll()).toBe(10);
  });

  it('refuses a view length that is not a whole number of pages', () => {
    expect(() => new AnonMemory({ totalPages: 4, vmas: 1, content: 'zero', pageSizeBytes: ps, maxViewBytes: ps + 1 })).toThrow(/multiple of the page size/);
  });

  it('viewBytes refuses a view longer than an ArrayBuffer may be instead of aborting the process', () => {
    expect(MAX_VIEW_BYTES).toBeLessThanOrEqual(MAX_VIEW_LENGTH);
    expect(() => viewBytes(0x10000n, MAX_VIEW_LENGTH + ps)).toThrow(RangeError);
  });
});
