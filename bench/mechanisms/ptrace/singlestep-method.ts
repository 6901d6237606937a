/**
 * The `singlestep` injection method, used only when the sigframe method cannot be (no
 * gadget, no rt_sigreturn sequence, no room on the stack): rip = a `syscall` in the vDSO,
 * madvise's arguments, orig_rax = -1; every signal but SIGTRAP blocked; PTRACE_SINGLESTEP
 * until rip = insn + 2; restore registers and mask. Signals that arrive during the steps are
 * deferred with their siginfo and handed back at the detach.
 *
 * Its window: from the first step to the restore, a tracer that is killed leaves the trap
 * flag set (the kernel's exit_ptrace() does not clear it) or the target in a SIGTRAP
 * signal-delivery stop; either way the target then dies of SIGTRAP. The report measures the
 * window (windows.deathNs).
 */
import { SyscallError } from '../../../core/sys/errno.ts';
import { X86_64Regs } from '../../../core/sys/ptrace-regs.ts';
import { locateVdsoSyscall } from '../../../core/sys/ptrace-vdso.ts';
import {
  SIGINFO_SIZE_BYTES,
  SIGSET_SIZE_BYTES,
  SIGTRAP,
  ptraceGetRegs,
  ptraceGetSiginfo,
  ptracePeekData,
  ptraceSetRegs,
  ptraceSetSigmask,
  ptraceSingleStep,
} from '../../../core/sys/ptrace.ts';
import { InjectAbort } from './report.ts';
import type { RseqDecision } from './rseq-probe.ts';
import { nextInjectedStop, recordResult, setMadviseCall, type DeferredSignal, type StoppedTarget } from './stopped-target.ts';

/** Steps allowed per injected call before the injector gives up (a SIGSTOPped target traps on some steps). */
const MAX_STEPS_PER_CALL = 10_000;

/** Sigmask blocking everything but SIGTRAP. */
function allButSigtrap(): Buffer {
  const b = Buffer.alloc(SIGSET_SIZE_BYTES);
  b.writeBigUInt64LE(0xffffffffffffffffn & ~(1n << BigInt(SIGTRAP - 1)), 0);
  return b;
}

/** si_code of a siginfo buffer (offset 8 on 64-bit Linux). */
function siCode(info: Buffer): number {
  return info.readInt32LE(8);
}

/** The singlestep method. One per tracer thread. */
export class SingleStepMethod {
  private readonly vdsoCache = new Map<number, number>();
  private readonly work = new X86_64Regs();
  private readonly resume = new X86_64Regs();
  private readonly stepMask = allButSigtrap();

  /** Forgets what is cached about `pid`. */
  forget(pid: number): void {
    this.vdsoCache.delete(pid);
  }

  /**
   * Runs the madvise calls and restores the thread. Returns the signals to hand back at the
   * detach (the first through PTRACE_DETACH from the last step's signal-delivery stop).
   * Throws InjectAbort('EXITED') when the target died.
   */
  run(t: StoppedTarget, rseq: RseqDecision): DeferredSignal[] {
    const { pid, tid, req, report, saved } = t;
    const insn = this.syscallInsn(pid, tid);
    const work = this.work;
    const deferred: DeferredSignal[] = [];
    let failure: unknown = null;
    const tFirst = process.hrtime.bigint();
    try {
      ptraceSetSigmask(tid, this.stepMask);
      report.regsChanged = true;
      for (const range of req.ranges) {
        work.copyFrom(saved);
        setMadviseCall(work, insn, range, req.advice);
        ptraceSetRegs(tid, work);
        const ret = this.stepOverSyscall(t, insn, deferred);
        recordResult(report, range, ret);
      }
    } catch (err) {
      if (err instanceof InjectAbort && err.code === 'EXITED') throw err;
      failure = err;
    }
    // The last stop is the step's SIGTRAP signal-delivery stop: the kernel applies its own
    // restart rules on the way out, so the saved registers go back unchanged (but for rseq).
    this.resume.copyFrom(saved);
    if (rseq.abortIp !== null) this.resume.set('rip', rseq.abortIp);
    try {
      ptraceSetRegs(tid, this.resume);
      ptraceSetSigmask(tid, t.savedMask);
    } catch (err) {
      throw failure ?? err;
    }
    report.windows.deathNs = Number(process.hrtime.bigint() - tFirst);
    report.restart = 'kernel';
    if (failure !== null) throw failure;
    report.deferredSignals = deferred.map((d) => d.signal);
    return deferred;
  }

  /** Single-steps the prepared `syscall` until it has returned. */
  private stepOverSyscall(t: StoppedTarget, insn: number, deferred: DeferredSignal[]): number {
    const { pid, tid, report } = t;
    const after = insn + 2;
    const work = this.work;
    for (let i = 0; i < MAX_STEPS_PER_CALL; i++) {
      ptraceSingleStep(tid, 0);
      report.steps++;
      const s = nextInjectedStop(t);
      if (s === null) continue;
      if (s.event !== 0) continue; // PTRACE_EVENT_STOP: group-stop of a SIGSTOPped target; step again
      if (s.signal === SIGTRAP) {
        ptraceGetRegs(tid, work);
        if (work.getNumber('rip') === after) return work.getSigned('rax');
        const info = Buffer.alloc(SIGINFO_SIZE_BYTES);
        ptraceGetSiginfo(tid, info);
        if (siCode(info) <= 0) deferred.push({ signal: s.signal, info }); // sent by a process, not our trap
        continue;
      }
      const info = Buffer.alloc(SIGINFO_SIZE_BYTES);
      ptraceGetSiginfo(tid, info);
      deferred.push({ signal: s.signal, info });
    }
    throw new InjectAbort('ESTEP', `madvise in thread ${tid} of pid ${pid} did not complete after ${MAX_STEPS_PER_CALL} single steps`);
  }

  /** Address of a `syscall` instruction in the target's vDSO, cached per pid and checked with PEEKDATA. */
  private syscallInsn(pid: number, tid: number): number {
    const cached = this.vdsoCache.get(pid);
    if (cached !== undefined) {
      try {
        if ((ptracePeekData(tid, cached) & 0xffffn) === 0x050fn) return cached;
      } catch (err) {
        if (!(err instanceof SyscallError)) throw err; // unmapped after exec: look again
      }
    }
    const found = locateVdsoSyscall(pid, tid).syscallInsnAddr;
    if (this.vdsoCache.size > 4096) this.vdsoCache.clear();
    this.vdsoCache.set(pid, found);
    return found;
  }
}
