import { describe, expect, it } from 'vitest';
import { compareKernelVersions, kernelAtLeast, parseKernelVersion, readKernelRelease } from '../../../bench/host/kernel.ts';
import { parseThpMode, readThpMode } from '../../../bench/host/thp.ts';
import { HYBRID, V2 } from './fixtures.ts';

describe('kernel versions', () => {
  it('parses distribution release strings', () => {
    expect(parseKernelVersion('6.18.44-fc-v657')).toEqual({ major: 6, minor: 18, patch: 44 });
    expect(parseKernelVersion('5.10.0-28-amd64')).toEqual({ major: 5, minor: 10, patch: 0 });
    expect(parseKernelVersion('6.1')).toEqual({ major: 6, minor: 1, patch: 0 });
    expect(parseKernelVersion('linux')).toBeNull();
  });
  it('compares numerically, not as text', () => {
    const v = (s: string) => parseKernelVersion(s)!;
    expect(compareKernelVersions(v('5.9.0'), v('5.10.0'))).toBeLessThan(0);
    expect(compareKernelVersions(v('6.1.0'), v('5.19.17'))).toBeGreaterThan(0);
    expect(compareKernelVersions(v('5.10.24'), v('5.10.24'))).toBe(0);
  });
  it('decides the 5.10 minimum', () => {
    expect(kernelAtLeast('5.10.0')).toBe(true);
    expect(kernelAtLeast('5.9.16')).toBe(false);
    expect(kernelAtLeast('4.19.0-26-amd64')).toBe(false);
    expect(kernelAtLeast('6.18.44-fc-v657')).toBe(true);
    expect(kernelAtLeast('garbage')).toBe(false);
  });
  it('reads the release from a fixture tree', () => {
    expect(readKernelRelease(V2)).toBe('5.4.0-150-generic');
  });
});

describe('THP mode', () => {
  it('takes the bracketed choice', () => {
    expect(parseThpMode('always [madvise] never')).toBe('madvise');
    expect(parseThpMode('[always] madvise never\n')).toBe('always');
    expect(parseThpMode('always madvise never')).toBeNull();
  });
  it('reads fixtures and reports a missing file as unavailable', () => {
    expect(readThpMode(HYBRID)).toBe('madvise');
    expect(readThpMode(V2)).toBe('always');
    expect(readThpMode('/nonexistent-root')).toBe('unavailable');
  });
});
