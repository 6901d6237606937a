import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { findRestorer, findSyscallGadget, gadgetAt, scanOrder } from '../../../core/sys/ptrace-gadgets.ts';
import { elfTextBounds } from '../../../core/sys/ptrace-vdso.ts';

const vdso = Buffer.from(readFileSync(new URL('./fixtures/vdso-x86_64-linux-6.18.b64', import.meta.url), 'utf8'), 'base64');

describe('syscall gadgets', () => {
  it('finds the `syscall; xor...; ret` of a captured 6.18 vDSO (no plain `syscall; ret` there)', () => {
    const { start, end } = elfTextBounds(vdso);
    const g = findSyscallGadget(vdso, start, end);
    expect(g).not.toBeNull();
    expect(g!.offset).toBe(0xef1);
    expect(g!.kind).toBe('ret');
    expect(g!.bytes.toString('hex')).toBe('0f0531d231c931f631ff4531dbc3');
  });
  it('recognises `syscall; leave; xor...; ret` (the vDSO gettimeofday fallback)', () => {
    const g = gadgetAt(vdso, 0x927);
    expect(g?.kind).toBe('leave');
    expect(g?.bytes.at(-1)).toBe(0xc3);
  });
  it('accepts plain `syscall; ret` first and rejects tails that could move rsp or branch', () => {
    expect(findSyscallGadget(Buffer.from([0x0f, 0x05, 0xc9, 0xc3, 0x0f, 0x05, 0xc3]))).toMatchObject({ offset: 4, kind: 'ret' });
    expect(gadgetAt(Buffer.from([0x0f, 0x05, 0x31, 0xe4, 0xc3]), 0)).toBeNull(); // xor %esp,%esp
    expect(gadgetAt(Buffer.from([0x0f, 0x05, 0x45, 0x31, 0xe4, 0xc3]), 0)?.kind).toBe('ret'); // xor %r12d,%r12d is fine
    expect(gadgetAt(Buffer.from([0x0f, 0x05, 0x48, 0x83, 0xc4, 0x30, 0xc3]), 0)).toBeNull(); // add $0x30,%rsp
    expect(gadgetAt(Buffer.from([0x0f, 0x05, 0x31, 0xc0]), 0)).toBeNull(); // no ret
    expect(findSyscallGadget(Buffer.from([0x0f, 0x05, 0x90]))).toBeNull();
  });
});

describe('rt_sigreturn sequences', () => {
  it('finds both encodings of mov $15 + syscall, the earliest first', () => {
    const glibc = Buffer.from([0x90, 0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05]);
    expect(findRestorer(glibc)).toMatchObject({ offset: 1 });
    const short = Buffer.from([0xb8, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05, 0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05]);
    expect(findRestorer(short)).toMatchObject({ offset: 0 });
    expect(findRestorer(Buffer.from([0xb8, 0x0e, 0x00, 0x00, 0x00, 0x0f, 0x05]))).toBeNull();
  });
  it('scans the vDSO, then C libraries, then the executable, and skips non-executable mappings', () => {
    const m = (path: string, perms = 'r-xp') => ({ startAddr: 0, endAddr: 4096, perms, path });
    const order = scanOrder(
      [m('/usr/lib/libfoo.so'), m('/usr/bin/app'), m('[vdso]'), m('/usr/lib/x86_64-linux-gnu/libc.so.6'), m('', 'rw-p'), m('[vsyscall]', '--xp')],
      '/usr/bin/app',
    );
    expect(order.map((e) => e.path)).toEqual(['[vdso]', '/usr/lib/x86_64-linux-gnu/libc.so.6', '/usr/bin/app', '/usr/lib/libfoo.so']);
  });
});
