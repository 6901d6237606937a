/**
 * A small seccomp-BPF filter for the self-checking target: deny madvise(2) with EPERM for
 * chosen advice values and allow every other call, so Node keeps working.
 */
import { lastErrno } from '../../core/sys/libc.ts';
import { mmapAnon, viewBytes } from '../../core/sys/mman.ts';
import { setNoNewPrivs } from '../../core/sys/prctl.ts';
import { SYSCALL_NUMBERS, syscall } from '../../core/sys/syscall.ts';

const BPF_LD_W_ABS = 0x20;
const BPF_JEQ_K = 0x15;
const BPF_RET_K = 0x06;
const AUDIT_ARCH_X86_64 = 0xc000003e;
const SECCOMP_RET_ALLOW = 0x7fff0000;
const SECCOMP_RET_ERRNO = 0x00050000;
const EPERM = 1;
/** The filter is written for x86_64: its system call numbers. */
const NR_X86_64 = SYSCALL_NUMBERS.x64!;
const SECCOMP_SET_MODE_FILTER = 1;
const SECCOMP_FILTER_FLAG_TSYNC = 1;

/** One classic BPF instruction. */
export interface BpfInsn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/**
 * Filter: if arch is x86_64 and nr is madvise and args[2] (advice) is in `advice`, return
 * ERRNO(EPERM); otherwise allow. Offsets are struct seccomp_data's (nr 0, arch 4, args[2] 32).
 */
export function buildDenyAdviceFilter(advice: number[]): BpfInsn[] {
  const n = advice.length;
  const prog: BpfInsn[] = [
    { code: BPF_LD_W_ABS, jt: 0, jf: 0, k: 4 },
    { code: BPF_JEQ_K, jt: 0, jf: 4 + n, k: AUDIT_ARCH_X86_64 },
    { code: BPF_LD_W_ABS, jt: 0, jf: 0, k: 0 },
    { code: BPF_JEQ_K, jt: 0, jf: 2 + n, k: NR_X86_64.madvise },
    { code: BPF_LD_W_ABS, jt: 0, jf: 0, k: 32 },
  ];
  for (const [i, a] of advice.entries()) prog.push({ code: BPF_JEQ_K, jt: n - 1 - i, jf: i === n - 1 ? 1 : 0, k: a });
  prog.push({ code: BPF_RET_K, jt: 0, jf: 0, k: SECCOMP_RET_ERRNO | EPERM });
  prog.push({ code: BPF_RET_K, jt: 0, jf: 0, k: SECCOMP_RET_ALLOW });
  return prog;
}

/** Installs the filter on every thread of this process (NO_NEW_PRIVS + SECCOMP_FILTER_FLAG_TSYNC). */
export function installSeccompFilter(prog: BpfInsn[]): void {
  if (process.arch !== 'x64') throw new Error(`seccomp filter is written for x86_64, not ${process.arch}`);
  setNoNewPrivs();
  const page = mmapAnon(4096);
  const b = Buffer.from(viewBytes(page, 4096));
  const filterOff = 16;
  prog.forEach((ins, i) => {
    b.writeUInt16LE(ins.code, filterOff + i * 8);
    b.writeUInt8(ins.jt, filterOff + i * 8 + 2);
    b.writeUInt8(ins.jf, filterOff + i * 8 + 3);
    b.writeUInt32LE(ins.k >>> 0, filterOff + i * 8 + 4);
  });
  b.writeUInt16LE(prog.length, 0);
  b.writeBigUInt64LE(page + BigInt(filterOff), 8);
  const r = syscall(NR_X86_64.seccomp, 'unsigned int', SECCOMP_SET_MODE_FILTER, 'unsigned int', SECCOMP_FILTER_FLAG_TSYNC, 'void *', page);
  if (r !== 0) throw new Error(`seccomp(SECCOMP_SET_MODE_FILTER, TSYNC) failed: ret ${r} errno ${lastErrno()}`);
}
