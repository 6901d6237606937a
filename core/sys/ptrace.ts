/**
 * ptrace(2) and tgkill(2) bindings, and the tracer's waits on its tracees (waitpid from wait.ts). Every call is synchronous on the calling
 * thread: ptrace requests are only valid from the thread that seized the tracee, so never
 * call these through koffi's `.async` (it runs on another thread and gets ESRCH).
 */
import { constants } from 'node:os';
import koffi from 'koffi';
import { lastErrno, libc } from './libc.ts';
import { SyscallError } from './errno.ts';
import { decodeWaitStatus, type WaitStatus } from './ptrace-status.ts';
import type { X86_64Regs } from './ptrace-regs.ts';
import { __WALL, waitpid } from './wait.ts';

/** ptrace requests (include/uapi/linux/ptrace.h, x86_64). */
export const PTRACE_PEEKDATA = 2;
export const PTRACE_CONT = 7;
export const PTRACE_SINGLESTEP = 9;
export const PTRACE_GETREGS = 12;
export const PTRACE_SYSCALL = 24;
export const PTRACE_SETREGS = 13;
export const PTRACE_DETACH = 17;
export const PTRACE_GETSIGINFO = 0x4202;
export const PTRACE_SETSIGINFO = 0x4203;
export const PTRACE_GETREGSET = 0x4204;
export const PTRACE_SEIZE = 0x4206;
export const PTRACE_INTERRUPT = 0x4207;
export const PTRACE_GETSIGMASK = 0x420a;
export const PTRACE_PEEKSIGINFO = 0x4209;
export const PTRACE_SETSIGMASK = 0x420b;
export const PTRACE_GET_RSEQ_CONFIGURATION = 0x420f;

/** PTRACE_GETREGSET note type of the XSAVE area (x86). */
export const NT_X86_XSTATE = 0x202;
/** PTRACE_PEEKSIGINFO flag: read the process-wide (shared) queue instead of the thread's. */
export const PTRACE_PEEKSIGINFO_SHARED = 1;

/** PTRACE_SEIZE options. */
export const PTRACE_O_TRACESYSGOOD = 0x1;
export const PTRACE_O_SUSPEND_SECCOMP = 0x200000;

/** Signal numbers the injector handles by name, from Node's table of this platform's signals. */
export const SIGKILL = constants.signals.SIGKILL;
export const SIGTRAP = constants.signals.SIGTRAP;
export const SIGSTOP = constants.signals.SIGSTOP;

/** sizeof(siginfo_t) and sizeof(kernel sigset_t) on 64-bit Linux. */
export const SIGINFO_SIZE_BYTES = 128;
export const SIGSET_SIZE_BYTES = 8;

const ptraceBuf: (req: number, pid: number, addr: bigint | number, data: Buffer | null) => number = libc.func('long ptrace(long req, int pid, uintptr_t addr, void *data)');
const ptraceInt: (req: number, pid: number, addr: bigint | number, data: bigint | number) => number | bigint = libc.func(
  'long ptrace(long req, int pid, uintptr_t addr, uintptr_t data)',
);
const ptraceBufArgs: (req: number, pid: number, addr: Buffer, data: Buffer) => number = libc.func('long ptrace(long req, int pid, void *addr, void *data)');
const tgkillNative: (tgid: number, tid: number, sig: number) => number = libc.func('int tgkill(int tgid, int tid, int sig)');
const usleepNative: (usec: number) => number = libc.func('int usleep(unsigned int usec)');
const schedYieldNative: () => number = libc.func('int sched_yield(void)');
/** Sets the calling thread's errno (koffi.errno(value)), to tell PEEKDATA's -1 word from an error. */
function setErrno(value: number): void {
  koffi.errno(value);
}

/** System calls issued through this module and ptrace-mem.ts (for the injector's time breakdown). */
export const sysCallCounter = { calls: 0 };

/**
 * Counts the call and throws SyscallError when it failed. The call's description is built
 * only then (`ptrace(REQUEST, tid[, label value])`): these run on the injector's hot path.
 */
function check(ret: number | bigint, request: string, tid: number, label = '', value = 0, hex = false): void {
  sysCallCounter.calls++;
  if (ret !== -1 && ret !== -1n) return;
  const errno = lastErrno();
  throw new SyscallError(`ptrace(${request}, ${tid}${label === '' ? '' : `, ${label} ${hex ? `0x${value.toString(16)}` : value}`})`, errno);
}

/** PTRACE_SEIZE `tid` with `options`; the tracee keeps running until interrupted. */
export function ptraceSeize(tid: number, options: number): void {
  check(ptraceInt(PTRACE_SEIZE, tid, 0, options), 'PTRACE_SEIZE', tid, 'options', options, true);
}

/** PTRACE_INTERRUPT: asks a seized tracee to enter a PTRACE_EVENT_STOP. */
export function ptraceInterrupt(tid: number): void {
  check(ptraceInt(PTRACE_INTERRUPT, tid, 0, 0), 'PTRACE_INTERRUPT', tid);
}

/** PTRACE_GETREGS into `regs`. */
export function ptraceGetRegs(tid: number, regs: X86_64Regs): void {
  check(ptraceBuf(PTRACE_GETREGS, tid, 0, regs.bytes), 'PTRACE_GETREGS', tid);
}

/** PTRACE_SETREGS from `regs`. */
export function ptraceSetRegs(tid: number, regs: X86_64Regs): void {
  check(ptraceBuf(PTRACE_SETREGS, tid, 0, regs.bytes), 'PTRACE_SETREGS', tid);
}

/** PTRACE_GETSIGMASK into an 8-byte buffer. */
export function ptraceGetSigmask(tid: number, mask: Buffer): void {
  check(ptraceBuf(PTRACE_GETSIGMASK, tid, SIGSET_SIZE_BYTES, mask), 'PTRACE_GETSIGMASK', tid);
}

/** PTRACE_SETSIGMASK from an 8-byte buffer. */
export function ptraceSetSigmask(tid: number, mask: Buffer): void {
  check(ptraceBuf(PTRACE_SETSIGMASK, tid, SIGSET_SIZE_BYTES, mask), 'PTRACE_SETSIGMASK', tid);
}

/** PTRACE_GETSIGINFO into a 128-byte buffer. */
export function ptraceGetSiginfo(tid: number, info: Buffer): void {
  check(ptraceBuf(PTRACE_GETSIGINFO, tid, 0, info), 'PTRACE_GETSIGINFO', tid);
}

/** PTRACE_SETSIGINFO from a 128-byte buffer (the siginfo a resumed signal-delivery stop delivers). */
export function ptraceSetSiginfo(tid: number, info: Buffer): void {
  check(ptraceBuf(PTRACE_SETSIGINFO, tid, 0, info), 'PTRACE_SETSIGINFO', tid);
}

/** PTRACE_SINGLESTEP, injecting `signal` (0 = none). */
export function ptraceSingleStep(tid: number, signal = 0): void {
  check(ptraceInt(PTRACE_SINGLESTEP, tid, 0, signal), 'PTRACE_SINGLESTEP', tid);
}

/** PTRACE_SYSCALL: resume until the next system-call entry or exit stop, injecting `signal` (0 = none). */
export function ptraceSyscall(tid: number, signal = 0): void {
  check(ptraceInt(PTRACE_SYSCALL, tid, 0, signal), 'PTRACE_SYSCALL', tid, 'signal', signal);
}

/**
 * PTRACE_GETREGSET of note type `noteType`. `iovecAddr` is the address of a native
 * `struct iovec` (see NativeArena) whose iov_len the kernel sets to the bytes it wrote.
 */
export function ptraceGetRegset(tid: number, noteType: number, iovecAddr: bigint): void {
  check(ptraceInt(PTRACE_GETREGSET, tid, noteType, iovecAddr), 'PTRACE_GETREGSET', tid, 'note', noteType, true);
}

/** sizeof(struct ptrace_rseq_configuration). */
export const RSEQ_CONFIGURATION_SIZE_BYTES = 24;

/**
 * PTRACE_GET_RSEQ_CONFIGURATION (Linux 5.13) into a 24-byte buffer:
 * {u64 rseq_abi_pointer; u32 rseq_abi_size; u32 signature; u32 flags; u32 pad}.
 * Throws SyscallError (EIO on kernels without the request).
 */
export function ptraceGetRseqConfiguration(tid: number, out: Buffer): void {
  check(ptraceBuf(PTRACE_GET_RSEQ_CONFIGURATION, tid, RSEQ_CONFIGURATION_SIZE_BYTES, out), 'PTRACE_GET_RSEQ_CONFIGURATION', tid);
}

const peekArgs = Buffer.alloc(16);

/**
 * PTRACE_PEEKSIGINFO: copies up to out.length / 128 queued siginfos of `tid` (its own queue,
 * or the process's shared queue with PTRACE_PEEKSIGINFO_SHARED) into `out`; returns how many.
 */
export function ptracePeekSiginfo(tid: number, flags: number, out: Buffer): number {
  peekArgs.writeBigUInt64LE(0n, 0);
  peekArgs.writeUInt32LE(flags, 8);
  peekArgs.writeInt32LE(Math.floor(out.length / SIGINFO_SIZE_BYTES), 12);
  const r = ptraceBufArgs(PTRACE_PEEKSIGINFO, tid, peekArgs, out);
  check(r, 'PTRACE_PEEKSIGINFO', tid);
  return Number(r);
}

/** PTRACE_CONT, injecting `signal` (0 = none). */
export function ptraceCont(tid: number, signal = 0): void {
  check(ptraceInt(PTRACE_CONT, tid, 0, signal), 'PTRACE_CONT', tid, 'signal', signal);
}

/** PTRACE_DETACH, injecting `signal` when the tracee is in a signal-delivery stop (0 = none). */
export function ptraceDetach(tid: number, signal = 0): void {
  check(ptraceInt(PTRACE_DETACH, tid, 0, signal), 'PTRACE_DETACH', tid, 'signal', signal);
}

/** PTRACE_PEEKDATA: one 64-bit word of the tracee's memory at `addr`. */
export function ptracePeekData(tid: number, addr: number): bigint {
  setErrno(0);
  const word = ptraceInt(PTRACE_PEEKDATA, tid, addr, 0);
  const value = BigInt.asUintN(64, BigInt(word));
  if (value === 0xffffffffffffffffn) {
    const errno = lastErrno();
    if (errno !== 0) throw new SyscallError(`ptrace(PTRACE_PEEKDATA, ${tid}, 0x${addr.toString(16)})`, errno);
  }
  return value;
}

/** Result of a waitpid that may find nothing (WNOHANG). */
export type WaitResult = { pending: true } | { pending: false; pid: number; status: WaitStatus; raw: number };

const statusBuf = Buffer.alloc(4);
/** The answer of an empty WNOHANG poll (one object: polls run in a spin). */
const PENDING: WaitResult = Object.freeze({ pending: true });

/**
 * waitpid(tid, &status, __WALL | extra). With WNOHANG returns `{pending: true}` when nothing is
 * pending. Throws SyscallError (ECHILD when `tid` is not our tracee or child any more).
 */
export function waitTid(tid: number, extraOptions = 0): WaitResult {
  for (;;) {
    sysCallCounter.calls++;
    const r = waitpid(tid, statusBuf, __WALL | extraOptions);
    if (r === 0) return PENDING;
    if (r < 0) {
      const errno = lastErrno();
      if (errno === 4) continue; // EINTR
      throw new SyscallError(`waitpid(${tid}, __WALL)`, errno);
    }
    const raw = statusBuf.readInt32LE(0);
    return { pending: false, pid: r, status: decodeWaitStatus(raw), raw };
  }
}

/** tgkill(2): sends `signal` to one thread. Throws SyscallError (ESRCH when gone). */
export function tgkill(tgid: number, tid: number, signal: number): void {
  sysCallCounter.calls++;
  if (tgkillNative(tgid, tid, signal) !== 0) throw new SyscallError(`tgkill(${tgid}, ${tid}, ${signal})`, lastErrno());
}

/** True when thread `tid` of `tgid` exists (tgkill with signal 0). */
export function threadExists(tgid: number, tid: number): boolean {
  sysCallCounter.calls++;
  return tgkillNative(tgid, tid, 0) === 0 || lastErrno() !== 3;
}

/** Sleeps the calling thread for `us` microseconds (usleep). */
export function sleepUs(us: number): void {
  usleepNative(Math.max(0, Math.floor(us)));
}

/** Yields the CPU (sched_yield). */
export function yieldCpu(): void {
  schedYieldNative();
}
