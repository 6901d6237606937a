import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { elfTextBounds, findSyscallInsn } from '../../../core/sys/ptrace-vdso.ts';

const image = Buffer.from(readFileSync(new URL('./fixtures/vdso-x86_64-linux-6.18.b64', import.meta.url), 'utf8'), 'base64');

describe('vDSO syscall instruction search', () => {
  it('finds a 0f 05 pair inside the .text section of a captured x86_64 vDSO', () => {
    expect(image.length).toBe(8192);
    const { start, end } = elfTextBounds(image);
    expect(start).toBeGreaterThan(64);
    expect(end).toBeGreaterThan(start);
    expect(end).toBeLessThanOrEqual(image.length);
    const off = findSyscallInsn(image, start, end);
    expect(off).toBeGreaterThanOrEqual(start);
    expect(off).toBeLessThan(end - 1);
    expect(image[off]).toBe(0x0f);
    expect(image[off + 1]).toBe(0x05);
    // It is the first one in the text.
    expect(image.subarray(start, off + 1).indexOf(Buffer.from([0x0f, 0x05]))).toBe(-1);
  });
  it('returns -1 without a syscall instruction and respects the bounds', () => {
    expect(findSyscallInsn(Buffer.from([0x90, 0x0f, 0x90, 0x05]))).toBe(-1);
    const code = Buffer.from([0x0f, 0x05, 0x90, 0x0f, 0x05, 0xc3]);
    expect(findSyscallInsn(code)).toBe(0);
    expect(findSyscallInsn(code, 1)).toBe(3);
    expect(findSyscallInsn(code, 1, 4)).toBe(-1);
  });
  it('treats a non-ELF blob as all text', () => {
    expect(elfTextBounds(Buffer.from([1, 2, 3]))).toEqual({ start: 0, end: 3 });
  });
});
