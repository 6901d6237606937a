import { describe, expect, it } from 'vitest';
import { parseRseqConfig, parseRseqCs, rseqFixup, type RseqCs } from '../../../core/sys/ptrace-rseq.ts';

const SIG = 0x53053053;
const cs: RseqCs = { version: 0, flags: 0, startIp: 0x1000n, postCommitOffset: 0x40n, abortIp: 0x2000n };

describe('rseq fixup decision (the kernel rseq_ip_fixup)', () => {
  it('redirects to abort_ip only inside [start_ip, start_ip + post_commit_offset)', () => {
    expect(rseqFixup(0xfffn, cs, SIG, SIG)).toEqual({ kind: 'outside' });
    expect(rseqFixup(0x1000n, cs, SIG, SIG)).toEqual({ kind: 'abort', abortIp: 0x2000n });
    expect(rseqFixup(0x103fn, cs, SIG, SIG)).toEqual({ kind: 'abort', abortIp: 0x2000n });
    expect(rseqFixup(0x1040n, cs, SIG, SIG)).toEqual({ kind: 'outside' });
  });
  it('treats descriptors the kernel would reject as invalid (no redirection)', () => {
    expect(rseqFixup(0x1010n, { ...cs, version: 1 }, SIG, SIG).kind).toBe('invalid');
    expect(rseqFixup(0x1010n, { ...cs, abortIp: 0x1020n }, SIG, SIG).kind).toBe('invalid');
    expect(rseqFixup(0x1010n, cs, SIG, 0x12345678)).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('signature') });
    expect(rseqFixup(0x1010n, cs, SIG, null).kind).toBe('invalid');
  });
  it('parses the ptrace configuration and a descriptor', () => {
    const conf = Buffer.alloc(24);
    conf.writeBigUInt64LE(0x7f00_0000_0020n, 0);
    conf.writeUInt32LE(32, 8);
    conf.writeUInt32LE(SIG, 12);
    expect(parseRseqConfig(conf)).toEqual({ abiPointer: 0x7f00_0000_0020n, abiSizeBytes: 32, signature: SIG });
    const d = Buffer.alloc(32);
    d.writeBigUInt64LE(0x1000n, 8);
    d.writeBigUInt64LE(0x40n, 16);
    d.writeBigUInt64LE(0x2000n, 24);
    expect(parseRseqCs(d)).toEqual(cs);
  });
});
