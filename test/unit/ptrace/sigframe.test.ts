import { describe, expect, it } from 'vitest';
import {
  applyRestartRules,
  buildFrame,
  ERESTART_RESTARTBLOCK,
  ERESTARTNOHAND,
  ERESTARTNOINTR,
  ERESTARTSYS,
  FP_XSTATE_MAGIC1,
  FP_XSTATE_MAGIC2,
  isRestartPending,
  NR_RESTART_SYSCALL,
  parseFrame,
  placeFrame,
  RED_ZONE_BYTES,
  RT_SIGFRAME_SIZE_BYTES,
  XFEATURES_ALL,
} from '../../../core/sys/ptrace-sigframe.ts';
import { X86_64Regs } from '../../../core/sys/ptrace-regs.ts';

function regsAt(rip: number, rax: number, origRax: number): X86_64Regs {
  const r = new X86_64Regs();
  r.set('rip', rip);
  r.set('rax', rax);
  r.set('orig_rax', origRax);
  return r;
}

describe('system-call restart rules (no handler)', () => {
  it('ERESTARTSYS, ERESTARTNOINTR, ERESTARTNOHAND: rax = the call, rip back over `syscall`', () => {
    for (const code of [ERESTARTSYS, ERESTARTNOINTR, ERESTARTNOHAND]) {
      const r = regsAt(0x1002, -code, 0);
      expect(isRestartPending(r)).toBe(true);
      expect(applyRestartRules(r, 'restart_syscall')).toBe('restart');
      expect([r.getNumber('rip'), r.getSigned('rax'), r.getSigned('orig_rax')]).toEqual([0x1000, 0, -1]);
    }
  });
  it('ERESTART_RESTARTBLOCK: restart_syscall from a ptrace stop, the original call through rt_sigreturn', () => {
    const fast = regsAt(0x2002, -ERESTART_RESTARTBLOCK, 35);
    expect(applyRestartRules(fast, 'restart_syscall')).toBe('restart-block');
    expect([fast.getNumber('rip'), fast.getSigned('rax')]).toEqual([0x2000, NR_RESTART_SYSCALL]);
    const frame = regsAt(0x2002, -ERESTART_RESTARTBLOCK, 35);
    applyRestartRules(frame, 'original');
    expect([frame.getNumber('rip'), frame.getSigned('rax')]).toEqual([0x2000, 35]);
  });
  it('leaves finished calls (EINTR, results) and non-syscall stops alone', () => {
    for (const [rax, orig] of [
      [-4, 232],
      [7, 0],
      [-ERESTARTSYS, -1],
    ] as const) {
      const r = regsAt(0x3002, rax, orig);
      expect(isRestartPending(r)).toBe(false);
      expect(applyRestartRules(r, 'original')).toBe('none');
      expect([r.getNumber('rip'), r.getSigned('rax'), r.getSigned('orig_rax')]).toEqual([0x3002, rax, -1]);
    }
  });
});

describe('rt_sigreturn frame', () => {
  const rsp = 0x7ffd_1234_5678;
  it('sits below the red zone: fpstate 64-byte aligned above the frame, pretcode 8 mod 16', () => {
    const p = placeFrame(rsp, 2432);
    expect(p.fpstateAddr % 64).toBe(0);
    expect(p.fpstateAddr + 2432 + 4).toBeLessThanOrEqual(rsp - RED_ZONE_BYTES);
    expect(p.baseAddr % 16).toBe(8);
    expect(p.baseAddr + RT_SIGFRAME_SIZE_BYTES).toBeLessThanOrEqual(p.fpstateAddr);
    expect(p.lowAddr).toBe(p.baseAddr - 8);
    expect(p.rbpForLeave).toBe(p.baseAddr - 8);
    expect(p.lowAddr + p.lengthBytes).toBe(p.fpstateAddr + 2432 + 4);
  });
  it('holds the registers, mask, restorer and an XSAVE area the kernel accepts', () => {
    const p = placeFrame(rsp, 832);
    const resume = new X86_64Regs();
    const names = ['r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rdi', 'rsi', 'rbp', 'rbx', 'rdx', 'rax', 'rcx', 'rsp', 'rip', 'eflags'] as const;
    for (const [i, n] of names.entries()) resume.set(n, 0x1111 * (i + 1));
    resume.set('cs', 0x33);
    resume.set('ss', 0x2b);
    const xstate = Buffer.alloc(832, 0xab);
    xstate.writeBigUInt64LE(0x7n, 512); // header XSTATE_BV
    const mask = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const out = Buffer.alloc(p.lengthBytes + 100, 0xee);
    buildFrame(out, p, { resume, sigmask: mask, xstate, xstateBytes: 832, restorerAddr: 0x7f00_0000_1050 });
    const f = parseFrame(out, p);
    expect(f.restorerAddr).toBe(0x7f00_0000_1050);
    expect(f.ucFlags).toBe(7);
    for (const [i, n] of names.entries()) expect(f.regs[n]).toBe(BigInt(0x1111 * (i + 1)));
    expect([f.cs, f.ss]).toEqual([0x33, 0x2b]);
    expect(f.fpstateAddr).toBe(p.fpstateAddr);
    expect(f.sigmask).toBe(mask.readBigUInt64LE(0));
    expect([f.magic1, f.xfeatures, f.xstateSize, f.magic2]).toEqual([FP_XSTATE_MAGIC1, XFEATURES_ALL, 832, FP_XSTATE_MAGIC2]);
    // The XSAVE header is copied as read; uc_stack is zero (rt_sigreturn leaves the sigaltstack alone).
    const fp = p.fpstateAddr - p.lowAddr;
    expect(out.readBigUInt64LE(fp + 512)).toBe(0x7n);
    const uc = p.baseAddr - p.lowAddr + 8;
    expect(out.subarray(uc + 16, uc + 40).every((b) => b === 0)).toBe(true);
    // rbp slot for a `leave` gadget holds the saved rbp.
    expect(out.readBigUInt64LE(0)).toBe(resume.get('rbp'));
    // Nothing of what the buffer held before shows through (it is reused injection after injection).
    const clean = Buffer.alloc(p.lengthBytes + 100);
    buildFrame(clean, p, { resume, sigmask: mask, xstate, xstateBytes: 832, restorerAddr: 0x7f00_0000_1050 });
    expect(out.subarray(0, p.lengthBytes).equals(clean.subarray(0, p.lengthBytes))).toBe(true);
  });
  it('refuses an XSAVE area smaller than legacy area + header', () => {
    const p = placeFrame(rsp, 512);
    expect(() => buildFrame(Buffer.alloc(4096), p, { resume: new X86_64Regs(), sigmask: Buffer.alloc(8), xstate: Buffer.alloc(512), xstateBytes: 512, restorerAddr: 1 })).toThrow(
      /too small/,
    );
  });
});
