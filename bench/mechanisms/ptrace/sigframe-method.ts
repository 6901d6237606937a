/**
 * The `sigframe` injection method (see ptrace-sigframe.ts for the frame itself).
 *
 * At the interrupt stop: check that the borrowed code is still where it was and read the
 * thread's rseq_cs (one process_vm_readv), decide about rseq, read the XSAVE area, write an
 * rt_sigreturn frame holding the original context (system-call restart and rseq rules
 * applied) below the red zone of the stack; then PTRACE_SETREGS: rip = the syscall gadget,
 * madvise's arguments, rsp/rbp at the frame. PTRACE_SYSCALL twice per range: the entry stop,
 * then the exit stop gives madvise's return value. Finally PTRACE_SETREGS back to the saved
 * registers, and the detach. A tracer that vanishes at any instant leaves a target that runs
 * madvise and returns through the frame by itself (`PTRACE_O_TRACESYSGOOD` makes an orphaned
 * system-call stop send no SIGTRAP).
 *
 * Restart of an interrupted system call: the saved registers go back unchanged (rax still
 * -ERESTART*, orig_rax the call). The detach wakes the thread with TIF_SIGPENDING set, so the
 * kernel's own signal-or-restart code runs on its way out: it restarts the call, or delivers
 * a signal that came meanwhile and returns EINTR as the handler's SA_RESTART says. The frame
 * (used only if the tracer vanishes) has the restart applied by hand, since rt_sigreturn
 * disables the kernel's.
 *
 * For one range, signals are not blocked: a signal that is delivered before madvise is
 * entered (the only place one can be, for a thread that leaves the stop straight into the
 * gadget and is stopped again at madvise's exit) ends the attempt: registers restored, the
 * thread detached with that signal, which is then delivered in its own context with its
 * own siginfo, and the injection starts again (`retry`). For several ranges (the thread
 * heads back to user space between two calls), and after MAX_UNBLOCKED_ATTEMPTS such
 * attempts, every signal is blocked instead (PTRACE_SETSIGMASK; the frame holds the real mask).
 */
import { SyscallError } from '../../../core/sys/errno.ts';
import { locateGadgets, type TargetGadgets } from '../../../core/sys/ptrace-gadgets.ts';
import { IovecArray, type NativeArena, remoteRead, remoteWrite, type NativeBlock } from '../../../core/sys/ptrace-mem.ts';
import { X86_64Regs } from '../../../core/sys/ptrace-regs.ts';
import { RSEQ_CPU_ID_FIELD_OFFSET, RSEQ_CS_FIELD_OFFSET } from '../../../core/sys/ptrace-rseq.ts';
import { applyRestartRules, buildFrame, placeFrame, type FramePlacement } from '../../../core/sys/ptrace-sigframe.ts';
import { PTRACE_EVENT_STOP, signalName } from '../../../core/sys/ptrace-status.ts';
import { NT_X86_XSTATE, SIGSET_SIZE_BYTES, SIGSTOP, SIGTRAP, ptraceGetRegs, ptraceGetRegset, ptraceSetRegs, ptraceSetSigmask, ptraceSyscall } from '../../../core/sys/ptrace.ts';
import { InjectAbort } from './report.ts';
import type { RseqDecision, RseqProbe } from './rseq-probe.ts';
import { FAULT_SIGNALS, nextInjectedStop, recordResult, setMadviseCall, type StoppedTarget } from './stopped-target.ts';

/** WSTOPSIG of a system-call stop with PTRACE_O_TRACESYSGOOD. */
const SYSCALL_STOP_SIGNAL = SIGTRAP | 0x80;
/** Stops allowed per madvise before giving up (a SIGSTOPped target reports group stops on the way). */
const MAX_STOPS_PER_CALL = 10_000;
/** Largest XSAVE area read (AMX makes it ~11 KiB). */
const XSTATE_MAX_BYTES = 16 * 1024;
/** Attempts ended by an incoming signal before an injection blocks signals instead. */
export const MAX_UNBLOCKED_ATTEMPTS = 4;

/** cpu_id and rseq_cs of struct rseq, read together: from cpu_id to the end of rseq_cs. */
const RSEQ_CPU_ID_TO_CS_BYTES = RSEQ_CS_FIELD_OFFSET - RSEQ_CPU_ID_FIELD_OFFSET;
const RSEQ_CPU_ID_TO_CS_BIGINT = BigInt(RSEQ_CPU_ID_TO_CS_BYTES);
const RSEQ_READ_BYTES = RSEQ_CPU_ID_TO_CS_BYTES + 8;
/** readCodeAndRseqCs(): the rseq area is not a live registration (cpu_id < 0, or unreadable). */
const STALE_RSEQ = Symbol('stale rseq registration');

/** True when `buf` holds `expected` at `offset` (no subarray allocated). */
function sameBytes(buf: Buffer, offset: number, expected: Buffer): boolean {
  for (let i = 0; i < expected.length; i++) if (buf[offset + i] !== expected[i]) return false;
  return true;
}

/** The frame is ready and written; what run() needs. */
export interface PreparedFrame {
  gadgets: TargetGadgets;
  placement: FramePlacement;
  rseq: RseqDecision;
}

/** How run() ended: `retry` = a signal came first; the thread is restored and must be detached with `signal`. */
export type FrameRunEnd = { kind: 'done' } | { kind: 'retry'; signal: number };

/** The sigframe method, with its native buffers and per-target caches. One per tracer thread. */
export class SigframeMethod {
  private readonly xstate: NativeBlock;
  private readonly xstateIov: IovecArray;
  private readonly frame: NativeBlock;
  private readonly scratch: NativeBlock;
  private readonly local: IovecArray;
  private readonly remote: IovecArray;
  private readonly work = new X86_64Regs();
  private readonly resume = new X86_64Regs();
  private readonly blockAll = Buffer.alloc(SIGSET_SIZE_BYTES, 0xff);
  /** Borrowed code per pid (or why there is none). */
  private readonly code = new Map<number, TargetGadgets | string>();

  constructor(
    arena: NativeArena,
    private readonly rseqProbe: RseqProbe,
  ) {
    this.xstate = arena.alloc(XSTATE_MAX_BYTES, 64);
    this.xstateIov = new IovecArray(arena, 1);
    this.frame = arena.alloc(XSTATE_MAX_BYTES + 4096, 64);
    this.scratch = arena.alloc(256, 64);
    this.local = new IovecArray(arena, 4);
    this.remote = new IovecArray(arena, 4);
  }

  /** Forgets what is cached about `pid` (it exited, or its pin changed). */
  forget(pid: number): void {
    this.code.delete(pid);
  }

  /**
   * Checks the target, decides about rseq and writes the frame. Returns a reason string when
   * this method cannot be used; nothing has changed in the target's registers then (bytes
   * below its red zone may have been written, which no code may rely on).
   * `rseqCsAddr` is from RseqProbe.configure() (0n: not registered or not checkable).
   */
  prepare(t: StoppedTarget, rseqCsAddr: bigint): PreparedFrame | string {
    const { pid, tid, saved, report } = t;
    let gadgets = this.gadgetsFor(pid, tid);
    if (typeof gadgets === 'string') return gadgets;
    // Is the borrowed code still there (the target may have exec'd)? Same read: rseq_cs, and
    // whether a cached rseq registration is still live.
    let csPtr: bigint | null = null;
    for (let attempt = 0; ; attempt++) {
      let read = this.readCodeAndRseqCs(tid, gadgets, rseqCsAddr, this.rseqProbe.lastFromCache);
      if (read === STALE_RSEQ) {
        // The cached registration ended: ask the kernel (whose answer needs no liveness check).
        this.rseqProbe.forget(tid);
        rseqCsAddr = this.rseqProbe.configure(pid, tid, report, true);
        read = this.readCodeAndRseqCs(tid, gadgets, rseqCsAddr, false);
      }
      csPtr = read === STALE_RSEQ ? null : read;
      if (csPtr !== null) break;
      this.code.delete(pid);
      if (attempt > 0) return `the borrowed code of pid ${pid} moved or was unmapped`;
      gadgets = this.gadgetsFor(pid, tid);
      if (typeof gadgets === 'string') return gadgets;
    }
    const rseq: RseqDecision =
      csPtr === 0n ? { abortIp: null, rseqCsAddr } : this.rseqProbe.decide(pid, tid, saved.get('rip'), csPtr, rseqCsAddr, t.req.rseqFixup !== false, report);

    // The context the frame returns to: restart rules by hand (rt_sigreturn disables the
    // kernel's), then rseq.
    const resume = this.resume;
    resume.copyFrom(saved);
    report.restart = applyRestartRules(resume, 'original');
    if (rseq.abortIp !== null) resume.set('rip', rseq.abortIp);

    // XSAVE area, frame, one write (plus rseq_cs = 0 when redirecting to the abort handler).
    this.xstateIov.set(0, this.xstate.address, XSTATE_MAX_BYTES);
    ptraceGetRegset(tid, NT_X86_XSTATE, this.xstateIov.addr);
    const xstateBytes = this.xstateIov.lengthOf(0);
    const placement = placeFrame(saved.getNumber('rsp'), xstateBytes);
    buildFrame(this.frame.buf, placement, { resume, sigmask: t.savedMask, xstate: this.xstate.buf, xstateBytes, restorerAddr: gadgets.restorerAddr });
    this.local.clear();
    this.remote.clear();
    this.local.set(0, this.frame.address, placement.lengthBytes);
    this.remote.set(0, placement.lowAddr, placement.lengthBytes);
    let want = placement.lengthBytes;
    if (rseq.abortIp !== null) {
      this.scratch.buf.fill(0, 0, 8);
      this.local.set(1, this.scratch.address, 8);
      this.remote.set(1, rseq.rseqCsAddr, 8);
      want += 8;
    }
    let wrote: number;
    try {
      wrote = remoteWrite(tid, this.local, this.remote);
    } catch (err) {
      if (err instanceof SyscallError && err.code === 'ESRCH') throw err; // the target died: no fallback
      return `cannot write the ${placement.lengthBytes}-byte frame below rsp 0x${saved.getNumber('rsp').toString(16)} of thread ${tid} (${(err as Error).message})`;
    }
    if (wrote < placement.lengthBytes)
      return `the stack of thread ${tid} has no room for the ${placement.lengthBytes}-byte frame below rsp 0x${saved.getNumber('rsp').toString(16)}`;
    if (wrote < want) report.warnings.push(`could not clear rseq_cs of thread ${tid}; the kernel clears it on the way out`);
    report.frameBytes = placement.lengthBytes;
    return { gadgets, placement, rseq };
  }

  /**
   * Runs the madvise calls and puts the saved registers back (with the rseq redirection).
   * `blockSignals` blocks every signal for the duration (after repeated `retry` ends).
   * Throws InjectAbort('EXITED') when the target died; on other failures it restores first.
   */
  run(t: StoppedTarget, p: PreparedFrame, blockSignals: boolean): FrameRunEnd {
    const { pid, tid, req, report, saved } = t;
    const work = this.work;
    work.copyFrom(saved);
    if (p.gadgets.gadgetKind === 'leave') {
      work.set('rbp', p.placement.rbpForLeave);
      work.set('rsp', p.placement.lowAddr);
    } else {
      work.set('rsp', p.placement.baseAddr);
    }
    const afterSyscall = p.gadgets.gadgetAddr + 2;
    let failure: unknown = null;
    let end: FrameRunEnd = { kind: 'done' };
    let masked = false;
    try {
      for (let i = 0; i < req.ranges.length; i++) {
        const range = req.ranges[i]!;
        setMadviseCall(work, p.gadgets.gadgetAddr, range, req.advice);
        ptraceSetRegs(tid, work);
        report.regsChanged = true;
        // SETREGS first: a tracer killed in between leaves the gadget running with the
        // thread's own mask, never the thread's own code with every signal blocked.
        if (i === 0 && blockSignals) {
          ptraceSetSigmask(tid, this.blockAll);
          masked = true;
        }
        const tSet = process.hrtime.bigint();
        const entry = this.toSyscallStop(t, i === 0 && !masked);
        if (entry !== 0) {
          end = { kind: 'retry', signal: entry };
          break;
        }
        if (i === 0 && report.seccompSuspended) report.windows.seccompNs = Number(process.hrtime.bigint() - tSet);
        this.toSyscallStop(t, false); // exit
        ptraceGetRegs(tid, work);
        if (work.getNumber('rip') !== afterSyscall)
          throw new InjectAbort('EINJECT', `thread ${tid} of pid ${pid} stopped at rip 0x${work.getNumber('rip').toString(16)} instead of after the injected syscall`);
        const ret = work.getSigned('rax');
        recordResult(report, range, ret);
      }
    } catch (err) {
      if (err instanceof InjectAbort && err.code === 'EXITED') throw err;
      failure = err;
    }
    try {
      // Mask first: a thread left at the gadget returns through the frame, which restores it too.
      if (masked) ptraceSetSigmask(tid, t.savedMask);
      const resume = this.resume;
      resume.copyFrom(saved);
      if (p.rseq.abortIp !== null) {
        resume.set('rip', p.rseq.abortIp);
        resume.set('orig_rax', -1);
      }
      ptraceSetRegs(tid, resume);
    } catch (err) {
      throw failure ?? err;
    }
    if (failure !== null) throw failure;
    return end;
  }

  /**
   * Resumes with PTRACE_SYSCALL until the next system-call stop; returns 0. Group stops are
   * resumed through. A signal-delivery stop: with `endOnSignal` (before the first entry)
   * returns the signal; otherwise SIGSTOP-like signals are passed on, and a fault signal
   * means the injected code failed.
   */
  private toSyscallStop(t: StoppedTarget, endOnSignal: boolean): number {
    const { pid, tid, report } = t;
    let pass = 0;
    for (let i = 0; i < MAX_STOPS_PER_CALL; i++) {
      ptraceSyscall(tid, pass);
      pass = 0;
      const s = nextInjectedStop(t);
      if (s === null) continue;
      if (s.event === 0 && s.signal === SYSCALL_STOP_SIGNAL) return 0;
      if (s.event === PTRACE_EVENT_STOP) continue; // group stop of a stopped target: go on
      if (s.event !== 0) continue;
      if (endOnSignal) return s.signal;
      if (FAULT_SIGNALS.has(s.signal)) {
        throw new InjectAbort('EINJECT', `thread ${tid} of pid ${pid} got ${signalName(s.signal)} in the injected code; restored and detached without it`);
      }
      report.passedSignals.push(s.signal);
      pass = s.signal;
      if (s.signal === SIGSTOP) report.groupStopped = true;
    }
    throw new InjectAbort('ESTEP', `madvise in thread ${tid} of pid ${pid} did not reach a system-call stop after ${MAX_STOPS_PER_CALL} stops`);
  }

  /** The borrowed code of `pid` (read through thread `tid`), cached per pid; a string says why there is none. */
  private gadgetsFor(pid: number, tid: number): TargetGadgets | string {
    const cached = this.code.get(pid);
    if (cached !== undefined) return cached;
    let found: TargetGadgets | string;
    try {
      const { gadget, restorer } = locateGadgets(pid, tid);
      if (gadget === null) found = `pid ${pid} maps no 'syscall; ret' sequence in its executable code`;
      else if (restorer === null) found = `pid ${pid} maps no rt_sigreturn sequence (mov $15, %eax; syscall) in its executable code`;
      else found = { ...gadget, ...restorer };
    } catch (err) {
      found = `cannot read the code of pid ${pid}: ${err instanceof SyscallError || err instanceof Error ? err.message : String(err)}`;
    }
    if (this.code.size > 4096) this.code.clear();
    this.code.set(pid, found);
    return found;
  }

  /**
   * One process_vm_readv: the gadget's and the restorer's bytes, and the thread's rseq cpu_id
   * and rseq_cs (when `rseqCsAddr` is set). Returns rseq_cs (0n when not read), null when the
   * code is not what it was, STALE_RSEQ when cpu_id says the area is not (any more) registered.
   */
  private readCodeAndRseqCs(tid: number, g: TargetGadgets, rseqCsAddr: bigint, checkLive: boolean): bigint | null | typeof STALE_RSEQ {
    const buf = this.scratch.buf;
    const gl = g.gadgetBytes.length;
    const rl = g.restorerBytes.length;
    const at = this.scratch.address;
    this.local.clear();
    this.remote.clear();
    this.local.set(0, at, gl);
    this.remote.set(0, g.gadgetAddr, gl);
    this.local.set(1, at + 64, rl);
    this.remote.set(1, g.restorerAddr, rl);
    if (rseqCsAddr !== 0n) {
      this.local.set(2, at + 128, RSEQ_READ_BYTES);
      this.remote.set(2, rseqCsAddr - RSEQ_CPU_ID_TO_CS_BIGINT, RSEQ_READ_BYTES);
    }
    let got: number;
    try {
      got = remoteRead(tid, this.local, this.remote);
    } catch {
      return null;
    }
    if (got < gl + rl || !sameBytes(buf, 0, g.gadgetBytes) || !sameBytes(buf, 64, g.restorerBytes)) return null;
    if (rseqCsAddr === 0n) return 0n;
    if (got !== gl + rl + RSEQ_READ_BYTES) return checkLive ? STALE_RSEQ : 0n;
    if (checkLive && buf.readInt32LE(128) < 0) return STALE_RSEQ;
    // rseq_cs is 0 outside critical sections: no BigInt unless it is set.
    const cs = 128 + RSEQ_CPU_ID_TO_CS_BYTES;
    return buf.readUInt32LE(cs) === 0 && buf.readUInt32LE(cs + 4) === 0 ? 0n : buf.readBigUInt64LE(cs);
  }
}
