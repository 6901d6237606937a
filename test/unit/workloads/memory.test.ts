import { describe, expect, it } from 'vitest';
import { pageChecksum, splitPages } from '../../../workloads/memory.ts';

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
