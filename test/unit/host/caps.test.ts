import { describe, expect, it } from 'vitest';
import { CAP, hasCap, missingCaps, parseCapEff, readCapEff } from '../../../bench/host/caps.ts';
import { HYBRID, V2 } from './fixtures.ts';

describe('parseCapEff', () => {
  it('reads the hex mask of the CapEff line', () => {
    expect(parseCapEff('CapInh:\t0000000000000000\nCapEff:\t000001fffeffffff\n')).toBe(0x1fffeffffffn);
  });
  it('gives null without a CapEff line', () => {
    expect(parseCapEff('Name:\tnode\nCapPrm:\t000001ffffffffff\n')).toBeNull();
  });
});

describe('capability bits', () => {
  it('tests single bits, including those above 32', () => {
    const mask = (1n << 39n) | (1n << 23n);
    expect(hasCap(mask, CAP.CAP_BPF)).toBe(true);
    expect(hasCap(mask, CAP.CAP_SYS_NICE)).toBe(true);
    expect(hasCap(mask, CAP.CAP_PERFMON)).toBe(false);
    // 0x1fffeffffff lacks bit 24 (CAP_SYS_RESOURCE) only.
    expect(hasCap(0x1fffeffffffn, 24)).toBe(false);
    expect(hasCap(0x1fffeffffffn, CAP.CAP_SYS_PTRACE)).toBe(true);
  });
  it('names the needs a mask does not satisfy', () => {
    expect(missingCaps(0x1fffeffffffn)).toEqual([]);
    expect(missingCaps(1n << 23n)).toEqual(['CAP_SYS_PTRACE', 'CAP_BPF|CAP_SYS_ADMIN', 'CAP_PERFMON|CAP_SYS_ADMIN']);
    // CAP_SYS_ADMIN stands in for both BPF and PERFMON.
    expect(missingCaps((1n << 23n) | (1n << 19n) | (1n << 21n))).toEqual([]);
    expect(missingCaps(0n)).toHaveLength(4);
  });
  it('reads fixture status files', () => {
    expect(readCapEff(HYBRID)).toBe(0x1ffffffffffn);
    expect(readCapEff(V2)).toBe(1n << 23n);
  });
});
