import { describe, expect, it } from 'vitest';
import { regOffset, X86_64_REG_NAMES, X86_64_REGS_SIZE_BYTES, X86_64Regs } from '../../../core/sys/ptrace-regs.ts';

describe('x86_64 user_regs_struct layout', () => {
  it('has 27 eight-byte registers (216 bytes)', () => {
    expect(X86_64_REG_NAMES.length).toBe(27);
    expect(X86_64_REGS_SIZE_BYTES).toBe(216);
  });
  it('places the registers the injector touches at the kernel offsets (asm/user_64.h)', () => {
    expect(regOffset('r15')).toBe(0);
    expect(regOffset('rax')).toBe(80);
    expect(regOffset('rdx')).toBe(96);
    expect(regOffset('rsi')).toBe(104);
    expect(regOffset('rdi')).toBe(112);
    expect(regOffset('orig_rax')).toBe(120);
    expect(regOffset('rip')).toBe(128);
    expect(regOffset('cs')).toBe(136);
    expect(regOffset('gs')).toBe(208);
  });
  it("stores numbers exactly, negatives in two's complement", () => {
    const r = new X86_64Regs();
    r.set('orig_rax', -1);
    expect(r.get('orig_rax')).toBe(0xffffffffffffffffn);
    r.set('rax', -516);
    expect(r.getSigned('rax')).toBe(-516);
    const addr = 0x7ffd_1234_5678;
    r.set('rip', addr);
    expect(r.getNumber('rip')).toBe(addr);
    expect(r.get('rip')).toBe(BigInt(addr));
    expect(r.bytes.readBigUInt64LE(128)).toBe(BigInt(addr));
    r.set('rdi', 2n ** 63n);
    expect(r.get('rdi')).toBe(2n ** 63n);
    expect(() => r.set('rsi', 2 ** 60)).toThrow(RangeError);
  });
  it('copies and compares whole blocks', () => {
    const a = new X86_64Regs();
    a.set('rbx', 42);
    const b = new X86_64Regs();
    expect(b.equals(a)).toBe(false);
    b.copyFrom(a);
    expect(b.equals(a)).toBe(true);
  });
});
