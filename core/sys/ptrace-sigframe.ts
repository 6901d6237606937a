/**
 * The x86_64 signal frame the injector leaves on the target's stack, and the register state
 * the target must resume with. Pure: no system calls.
 *
 * Why a frame: while injected registers are in place, a tracer that vanishes (SIGKILL, OOM)
 * would leave the target running injected code with nobody to restore it. With a frame the
 * injected state is itself a valid continuation: rip points at a `syscall` that is followed
 * by a `ret` (optionally `leave` and register-clearing instructions first), and the return
 * address on the stack is an `rt_sigreturn` sequence of the target's own code (glibc's
 * __restore_rt, Go's runtime sigreturn). So the target runs madvise and then returns, through
 * rt_sigreturn, to its exact original context: registers, extended FPU state (XSAVE area from
 * PTRACE_GETREGSET), signal mask — as if a signal handler had called madvise.
 *
 * Layout (low to high addresses), as the kernel's own setup_rt_frame() builds it:
 *   base - 8          value for rbp (popped by a `leave` gadget; rt_sigreturn restores rbp)
 *   base              pretcode: address of the rt_sigreturn sequence (`ret` pops it)
 *   base + 8          struct ucontext (uc_flags, uc_link, uc_stack, uc_mcontext, uc_sigmask)
 *   base + 312        struct siginfo (zero; rt_sigreturn does not read it)
 *   fpstate           64-byte aligned XSAVE area + FP_XSTATE_MAGIC2
 *   ...               at least 128 bytes of red zone below the original rsp
 * base is 8 mod 16, as after a call; uc_stack is all zero so that rt_sigreturn leaves the
 * thread's sigaltstack unchanged (a zero-sized stack is refused, which the kernel ignores).
 */
import { regOffset, type X86_64Regs, type X86_64Reg } from './ptrace-regs.ts';

/** The x86-64 System V red zone below rsp that leaf functions may use. */
export const RED_ZONE_BYTES = 128;
/** sizeof(struct ucontext) on x86_64. */
export const UCONTEXT_SIZE_BYTES = 304;
/** sizeof(struct rt_sigframe) on x86_64: pretcode + ucontext + siginfo. */
export const RT_SIGFRAME_SIZE_BYTES = 8 + UCONTEXT_SIZE_BYTES + 128;
/** Offset of uc_mcontext (struct sigcontext) inside the ucontext. */
const MCONTEXT_OFFSET = 40;
/** Offset of uc_sigmask inside the ucontext. */
const SIGMASK_OFFSET = 296;
/** uc_flags: UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS. */
const UC_FLAGS = 0x1 | 0x2 | 0x4;
/** Magic numbers of an extended (XSAVE) signal-frame FPU area. */
export const FP_XSTATE_MAGIC1 = 0x46505853;
export const FP_XSTATE_MAGIC2 = 0x46505845;
/** Offset of struct _fpx_sw_bytes (sw_reserved) inside the 512-byte legacy FXSAVE area. */
const SW_RESERVED_OFFSET = 464;
/** sw_reserved.xfeatures of the frames built here: all components. */
export const XFEATURES_ALL = 0xffffffffffffffffn;
/** Smallest valid extended area: legacy 512 bytes + 64-byte XSAVE header. */
export const MIN_XSTATE_BYTES = 576;

/** Field order of the 64-bit struct sigcontext: byte offset of each general register. */
const SIGCONTEXT_GPRS: readonly [X86_64Reg, number][] = [
  ['r8', 0],
  ['r9', 8],
  ['r10', 16],
  ['r11', 24],
  ['r12', 32],
  ['r13', 40],
  ['r14', 48],
  ['r15', 56],
  ['rdi', 64],
  ['rsi', 72],
  ['rbp', 80],
  ['rbx', 88],
  ['rdx', 96],
  ['rax', 104],
  ['rcx', 112],
  ['rsp', 120],
  ['rip', 128],
  ['eflags', 136],
];
/** Pairs (sigcontext word index, user_regs_struct word index), in 32-bit words. */
const GPR_COPY: readonly number[] = SIGCONTEXT_GPRS.flatMap(([reg, off]) => [off >> 2, regOffset(reg) >> 2]);

/** Views made by u32View(), by buffer: the injector passes the same few buffers every time. */
const views = new WeakMap<Buffer, Uint32Array>();

/** A Uint32Array over a Buffer whose byte offset is 4-aligned (pooled Buffers may not be: copy then). */
function u32View(b: Buffer): Uint32Array {
  const v = views.get(b);
  if (v !== undefined) return v;
  if (b.byteOffset % 4 !== 0) throw new RangeError('frame buffers must be 4-byte aligned');
  const made = new Uint32Array(b.buffer, b.byteOffset, b.length >> 2);
  views.set(b, made);
  return made;
}

const TWO_32 = 0x1_0000_0000;

/** Writes a non-negative safe integer as a little-endian u64 at 32-bit word index `w`. */
function putU64(dst: Uint32Array, w: number, value: number): void {
  const hi = Math.floor(value / TWO_32);
  dst[w] = value - hi * TWO_32;
  dst[w + 1] = hi;
}
const SC_CS = 144;
const SC_SS = 150;
const SC_FPSTATE = 184;

/** x86_64 errno values the kernel uses to ask for a system-call restart. */
export const ERESTARTSYS = 512;
export const ERESTARTNOINTR = 513;
export const ERESTARTNOHAND = 514;
export const ERESTART_RESTARTBLOCK = 516;
/** restart_syscall(2) on x86_64. */
export const NR_RESTART_SYSCALL = 219;

/** What a restart rule did to the registers. */
export type RestartKind = 'none' | 'restart' | 'restart-block';

/**
 * Applies the kernel's "no handler" system-call restart rules (arch_do_signal_or_restart):
 * when the thread was stopped inside an interrupted system call (orig_rax >= 0 and rax one of
 * the ERESTART* codes), rip goes back over the 2-byte `syscall` and rax gets the number to
 * re-execute. `restartBlockNr` is the number used for ERESTART_RESTARTBLOCK: restart_syscall
 * when the thread resumes straight from a ptrace stop (its restart_block is intact), the
 * original number when it resumes through rt_sigreturn (which resets restart_block, so
 * restart_syscall would only return EINTR). orig_rax becomes -1 (no further restart checks),
 * as rt_sigreturn would leave it. A thread stopped inside restart_syscall itself (orig_rax
 * 219: its sleep was restarted once already) cannot be given its original call back: through
 * rt_sigreturn it gets EINTR, as after a signal handler. Mutates `regs`; returns what it did.
 */
export function applyRestartRules(regs: X86_64Regs, restartBlockNr: 'restart_syscall' | 'original'): RestartKind {
  const nr = regs.getSigned('orig_rax');
  const ret = regs.getSigned('rax');
  let kind: RestartKind = 'none';
  if (nr >= 0) {
    if (ret === -ERESTARTSYS || ret === -ERESTARTNOINTR || ret === -ERESTARTNOHAND) {
      regs.set('rax', nr);
      regs.set('rip', regs.getNumber('rip') - 2);
      kind = 'restart';
    } else if (ret === -ERESTART_RESTARTBLOCK) {
      regs.set('rax', restartBlockNr === 'restart_syscall' ? NR_RESTART_SYSCALL : nr);
      regs.set('rip', regs.getNumber('rip') - 2);
      kind = 'restart-block';
    }
  }
  regs.set('orig_rax', -1);
  return kind;
}

/** True when the thread was stopped inside a system call the kernel would restart (rax an ERESTART* code). */
export function isRestartPending(regs: X86_64Regs): boolean {
  if (regs.getSigned('orig_rax') < 0) return false;
  const ret = -regs.getSigned('rax');
  return ret === ERESTARTSYS || ret === ERESTARTNOINTR || ret === ERESTARTNOHAND || ret === ERESTART_RESTARTBLOCK;
}

/** Where a frame goes and what the injected registers must hold. */
export interface FramePlacement {
  /** Lowest byte written (the rbp slot). */
  lowAddr: number;
  /** Address of pretcode (rsp for a `ret` gadget; the kernel's frame pointer for rt_sigreturn). */
  baseAddr: number;
  /** rbp for a `leave; ... ret` gadget (base - 8). */
  rbpForLeave: number;
  /** Address of the XSAVE area (64-byte aligned). */
  fpstateAddr: number;
  /** Bytes from lowAddr to the end of FP_XSTATE_MAGIC2. */
  lengthBytes: number;
}

/** Places a frame with an XSAVE area of `xstateBytes` below the red zone of `rsp`. */
export function placeFrame(rsp: number, xstateBytes: number): FramePlacement {
  const top = rsp - RED_ZONE_BYTES;
  const fpstateAddr = Math.floor((top - (xstateBytes + 4)) / 64) * 64;
  const baseAddr = Math.floor((fpstateAddr - RT_SIGFRAME_SIZE_BYTES) / 16) * 16 - 8;
  const lowAddr = baseAddr - 8;
  return { lowAddr, baseAddr, rbpForLeave: baseAddr - 8, fpstateAddr, lengthBytes: fpstateAddr + xstateBytes + 4 - lowAddr };
}

/** Everything a frame holds. */
export interface FrameContents {
  /** Registers rt_sigreturn restores (restart and rseq rules already applied). */
  resume: X86_64Regs;
  /** Signal mask rt_sigreturn restores (8 bytes, kernel sigset_t). */
  sigmask: Buffer;
  /** XSAVE area from PTRACE_GETREGSET(NT_X86_XSTATE), `xstateBytes` long. */
  xstate: Buffer;
  xstateBytes: number;
  /** Address of the rt_sigreturn sequence. */
  restorerAddr: number;
}

/**
 * Writes the frame bytes for `placement` into `out` (at least placement.lengthBytes long;
 * byte 0 corresponds to placement.lowAddr). The XSAVE area's software-reserved bytes are set
 * to describe exactly the `xstateBytes` copied, followed by FP_XSTATE_MAGIC2.
 */
export function buildFrame(out: Buffer, placement: FramePlacement, c: FrameContents): void {
  const len = placement.lengthBytes;
  if (out.length < len) throw new RangeError(`frame needs ${len} bytes, buffer has ${out.length}`);
  if (c.xstateBytes < MIN_XSTATE_BYTES) throw new RangeError(`XSAVE area of ${c.xstateBytes} bytes is too small (at least ${MIN_XSTATE_BYTES})`);
  if (out.byteOffset % 4 !== 0 || c.resume.bytes.byteOffset % 4 !== 0) throw new RangeError('frame and register buffers must be 4-byte aligned');
  // Every offset below is a multiple of 8 (the frame's low end is 16-byte aligned less 8,
  // fpstate 64-byte aligned), so all writes go through 32-bit views: no BigInt, no per-field calls.
  const base = placement.baseAddr - placement.lowAddr;
  const fp = placement.fpstateAddr - placement.lowAddr;
  out.fill(0, 0, fp); // the XSAVE area and MAGIC2 after it are written in full below
  const src = u32View(c.resume.bytes);
  const dst = u32View(out);
  const rbp = regOffset('rbp') >> 2;
  dst[0] = src[rbp]!;
  dst[1] = src[rbp + 1]!;
  putU64(dst, base >> 2, c.restorerAddr);
  const uc = base + 8;
  dst[uc >> 2] = UC_FLAGS;
  const sc = uc + MCONTEXT_OFFSET;
  for (let i = 0; i < GPR_COPY.length; i += 2) {
    const d = (sc >> 2) + GPR_COPY[i]!;
    const r = GPR_COPY[i + 1]!;
    dst[d] = src[r]!;
    dst[d + 1] = src[r + 1]!;
  }
  // cs and ss are 16-bit fields of one 64-bit word (cs, gs, fs, ss): gs and fs stay zero.
  dst[(sc + SC_CS) >> 2] = src[regOffset('cs') >> 2]! & 0xffff;
  dst[(sc + SC_CS + 4) >> 2] = ((src[regOffset('ss') >> 2]! & 0xffff) << 16) >>> 0;
  putU64(dst, (sc + SC_FPSTATE) >> 2, placement.fpstateAddr);
  c.sigmask.copy(out, uc + SIGMASK_OFFSET, 0, 8);
  c.xstate.copy(out, fp, 0, c.xstateBytes);
  const sw = (fp + SW_RESERVED_OFFSET) >> 2;
  dst[sw] = FP_XSTATE_MAGIC1;
  dst[sw + 1] = c.xstateBytes + 4;
  // xfeatures: every component (the kernel masks it with the task's features). XRSTOR then
  // loads the components the header's XSTATE_BV marks and puts the others in their init
  // state, which is what they were in. PTRACE_GETREGSET leaves this field 0 on Linux 6.18,
  // and 0 would make rt_sigreturn reset the whole FPU state.
  dst[sw + 2] = 0xffffffff;
  dst[sw + 3] = 0xffffffff;
  dst[sw + 4] = c.xstateBytes;
  out.writeUInt32LE(FP_XSTATE_MAGIC2, fp + c.xstateBytes);
}

/** Parsed back from frame bytes (for tests and diagnostics). */
export interface ParsedFrame {
  restorerAddr: number;
  ucFlags: number;
  regs: Partial<Record<X86_64Reg, bigint>>;
  cs: number;
  ss: number;
  fpstateAddr: number;
  sigmask: bigint;
  magic1: number;
  xfeatures: bigint;
  xstateSize: number;
  magic2: number;
}

/** Reads a frame written by buildFrame() (byte 0 = placement.lowAddr). */
export function parseFrame(bytes: Buffer, placement: FramePlacement): ParsedFrame {
  const base = placement.baseAddr - placement.lowAddr;
  const uc = base + 8;
  const sc = uc + MCONTEXT_OFFSET;
  const regs: Partial<Record<X86_64Reg, bigint>> = {};
  for (const [reg, off] of SIGCONTEXT_GPRS) regs[reg] = bytes.readBigUInt64LE(sc + off);
  const fp = placement.fpstateAddr - placement.lowAddr;
  const xstateSize = bytes.readUInt32LE(fp + SW_RESERVED_OFFSET + 16);
  return {
    restorerAddr: Number(bytes.readBigUInt64LE(base)),
    ucFlags: Number(bytes.readBigUInt64LE(uc)),
    regs,
    cs: bytes.readUInt16LE(sc + SC_CS),
    ss: bytes.readUInt16LE(sc + SC_SS),
    fpstateAddr: Number(bytes.readBigUInt64LE(sc + SC_FPSTATE)),
    sigmask: bytes.readBigUInt64LE(uc + SIGMASK_OFFSET),
    magic1: bytes.readUInt32LE(fp + SW_RESERVED_OFFSET),
    xfeatures: bytes.readBigUInt64LE(fp + SW_RESERVED_OFFSET + 8),
    xstateSize,
    magic2: bytes.readUInt32LE(fp + xstateSize),
  };
}
