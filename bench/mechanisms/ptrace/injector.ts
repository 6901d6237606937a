/**
 * The ptrace injector: makes a target thread execute madvise(2) itself, leaving it exactly
 * as it was. x86_64 only. Every ptrace and wait call is synchronous on the calling thread,
 * which must be the only thread that ever seizes targets (see tracer-main.ts).
 *
 * Sequence (CRIU compel's, reduced to one system call per range):
 *  1. PTRACE_SEIZE with PTRACE_O_TRACESYSGOOD (and PTRACE_O_SUSPEND_SECCOMP when permitted;
 *     never PTRACE_O_EXITKILL), then check the pin: the pidfd taken before the first
 *     injection must still name a live process, or the pid was reused and the stranger is
 *     detached untouched. Then PTRACE_INTERRUPT.
 *  2. If a cgroup freezer holds the target: thaw it (recorded, undone before the detach).
 *  3. Wait for the PTRACE_EVENT_STOP with a timeout. Signal-delivery stops that come first
 *     are passed on with PTRACE_CONT(sig), as CRIU does. No stop in time: nothing was
 *     changed; the thread stays seized with the interrupt pending and is detached as soon
 *     as it stops (`pendingDetach`).
 *  4. Save registers and signal mask; decide about rseq (a thread inside a critical section
 *     resumes at its abort handler, as after any preemption); run the method: `sigframe`
 *     (self-healing, sigframe-method.ts) or, when the target offers no gadget, frame room or
 *     rt_sigreturn sequence, `singlestep` (singlestep-method.ts, with a death window).
 *  5. Re-freeze, PTRACE_DETACH.
 * An interrupted blocking call of the target then restarts, or returns EINTR, exactly as
 * after any signal the process ignores (epoll_wait, sigtimedwait and semtimedop return EINTR;
 * nanosleep, read and futex restart).
 */
import { existsSync } from 'node:fs';
import { readProcStat } from '../../../core/proc/stat.ts';
import { readSeccompMode, readTaskStatus } from '../../../core/proc/status.ts';
import { errnoName, SyscallError } from '../../../core/sys/errno.ts';
import { CpuFollower } from '../../../core/sys/ptrace-affinity.ts';
import { type FreezerCgroup, refreezeCgroups } from '../../../core/cgroup/freezer.ts';
import { NativeArena } from '../../../core/sys/ptrace-mem.ts';
import { pinAlive, pinPid, unpin, type PidPin } from '../../../core/sys/ptrace-pin.ts';
import { X86_64Regs, X86_64_USER_CS } from '../../../core/sys/ptrace-regs.ts';
import { describeWaitStatus, PTRACE_EVENT_STOP, signalName, type WaitStatus } from '../../../core/sys/ptrace-status.ts';
import {
  PTRACE_O_SUSPEND_SECCOMP,
  PTRACE_O_TRACESYSGOOD,
  SIGSET_SIZE_BYTES,
  SIGTRAP,
  ptraceCont,
  ptraceDetach,
  ptraceGetRegs,
  ptraceGetSigmask,
  ptraceInterrupt,
  ptraceSeize,
  ptraceSetSiginfo,
  sysCallCounter,
  tgkill,
  threadExists,
  type WaitResult,
  waitTid,
} from '../../../core/sys/ptrace.ts';
import { threadCpuNs } from '../../../core/sys/clock.ts';
import { WNOHANG } from '../../../core/sys/wait.ts';
import { emptyReport, InjectAbort, type InjectionReport, type InjectRequest } from './report.ts';
import { RseqProbe } from './rseq-probe.ts';
import { MAX_UNBLOCKED_ATTEMPTS, SigframeMethod } from './sigframe-method.ts';
import { SingleStepMethod } from './singlestep-method.ts';
import { settle, StopWaiter, thawStartedNs, waitForGroupStop } from './stops.ts';
import type { DeferredSignal, StoppedTarget } from './stopped-target.ts';

export type { InjectionMethod, InjectionProfile, InjectionReport, InjectRequest, RangeResult, WaitMode } from './report.ts';

/** Above every pid and tid (PID_MAX_LIMIT is 2^22): pid * PID_LIMIT + tid is a unique numeric key. */
const PID_LIMIT = 2 ** 22;

/** True when thread `tid` of `pid` is a zombie or gone (from /proc/PID/task/TID/stat). */
function threadDying(pid: number, tid: number): boolean {
  const state = readProcStat(pid, { tid })?.state;
  return state === undefined || state === 'Z' || state === 'X';
}

/** Seccomp mode of thread `tid` of `pid` (0 = none, 1 = strict, 2 = filter); -1 when unreadable. */
export function seccompMode(pid: number, tid: number): number {
  try {
    return readSeccompMode(pid, tid);
  } catch {
    return -1;
  }
}

/**
 * Injects madvise calls into target threads. One instance per tracer thread; keep it on the
 * thread that created it. Not reentrant.
 */
export class Injector {
  private suspendSeccompPermitted: boolean | null = null;
  /** Seccomp mode per (pid, tid), read once (a thread's mode only ever goes up; it is only reported). */
  private readonly seccompCache = new Map<number, number>();
  private readonly cpu = new CpuFollower();
  private readonly waiter = new StopWaiter();
  private readonly arena = new NativeArena();
  private readonly rseq = new RseqProbe(this.arena);
  private readonly sigframe = new SigframeMethod(this.arena, this.rseq);
  private readonly singlestep = new SingleStepMethod();
  private readonly pins = new Map<number, PidPin>();
  // Buffers reused across injections (the tracer is single-threaded and not reentrant).
  private readonly saved = new X86_64Regs();
  private readonly savedMask = Buffer.alloc(SIGSET_SIZE_BYTES);
  /** Threads seized whose interrupt stop has not arrived yet (they get detached when it does). */
  readonly pendingDetach = new Map<number, { pid: number; sinceNs: bigint }>();

  /**
   * Pins `pid`: opens a pidfd now, before its first injection, so that a later injection can
   * tell the process from a new one that got the same pid. Replaces an earlier pin.
   * Throws SyscallError (ESRCH) when there is no such process.
   */
  pin(pid: number): PidPin {
    this.unpin(pid);
    const p = pinPid(pid);
    this.pins.set(pid, p);
    return p;
  }

  /** Drops the pin of `pid` and what is cached about it. */
  unpin(pid: number): void {
    const p = this.pins.get(pid);
    if (p !== undefined) unpin(p);
    this.pins.delete(pid);
    this.rseq.forget(pid);
    this.sigframe.forget(pid);
    this.singlestep.forget(pid);
  }

  /** Injects the request's madvise calls; never throws for target-side failures (they are in the report). */
  inject(req: InjectRequest): InjectionReport {
    const tid = req.tid ?? req.pid;
    const report = emptyReport(req.pid, tid);
    this.servicePending();
    report.waitMode = this.waiter.begin(req.waitMode);
    const calls0 = sysCallCounter.calls;
    const cpu0 = threadCpuNs();
    const t0 = process.hrtime.bigint();
    let tStop = t0;
    const marks = { seizedNs: 0n, firstResumeNs: 0n, lastStopNs: 0n };
    try {
      tStop = this.run(req, tid, report, marks);
    } catch (err) {
      if (err instanceof InjectAbort || err instanceof SyscallError) {
        report.errorCode = err.code;
        report.error = err.message;
      } else {
        // A bug, not a target-side failure: keep where it was thrown, so that it can be found.
        report.errorCode = 'EINTERNAL';
        const at =
          err instanceof Error
            ? err.stack
                ?.split('\n')
                .find((l) => l.trim().startsWith('at '))
                ?.trim()
            : undefined;
        report.error = `${err instanceof Error ? err.message : String(err)}${at === undefined ? '' : ` (${at})`}`;
      }
    }
    const t1 = process.hrtime.bigint();
    this.waiter.end();
    report.latencyNs = Number(t1 - t0);
    report.stopWindowNs = tStop > t0 ? Number(t1 - tStop) : 0;
    report.callerCpuNs = threadCpuNs() - cpu0;
    if (req.profile === true) {
      report.profile = {
        sysCalls: sysCallCounter.calls - calls0,
        waitNs: this.waiter.waitNs,
        blockedWaits: this.waiter.blockedWaits,
        seizeNs: marks.seizedNs > t0 ? Number(marks.seizedNs - t0) : 0,
        setupNs: marks.firstResumeNs > tStop ? Number(marks.firstResumeNs - tStop) : 0,
        restoreNs: marks.lastStopNs > 0n ? Number(t1 - marks.lastStopNs) : 0,
      };
    }
    // A detached thread of a stopped process goes back into its group stop on its own, but
    // only once it runs: wait for that, so that the caller finds it stopped as it was.
    if (report.groupStopped && report.error === null) waitForGroupStop(req.pid, tid);
    return report;
  }

  /** Detaches threads whose late interrupt stop has arrived; forgets threads that exited. */
  servicePending(): void {
    if (this.pendingDetach.size === 0) return;
    for (const tid of this.pendingDetach.keys()) {
      let r: WaitResult;
      try {
        r = waitTid(tid, WNOHANG);
      } catch {
        this.pendingDetach.delete(tid);
        continue;
      }
      if (r.pending) continue;
      const s = r.status;
      if (s.kind === 'stopped' && s.event === 0) {
        try {
          ptraceCont(tid, s.signal);
        } catch {
          this.pendingDetach.delete(tid);
        }
      } else if (s.kind === 'stopped') {
        try {
          ptraceDetach(tid, 0);
        } catch {
          /* gone */
        }
        this.pendingDetach.delete(tid);
      } else {
        this.pendingDetach.delete(tid);
      }
    }
  }

  private run(req: InjectRequest, tid: number, report: InjectionReport, marks: { seizedNs: bigint; firstResumeNs: bigint; lastStopNs: bigint }): bigint {
    const { pid } = req;
    if (process.arch !== 'x64') throw new InjectAbort('EARCH', `ptrace injection is not supported on ${process.arch} (x86_64 only); use process_madvise`);
    if (pid === process.pid) throw new InjectAbort('EINVAL', `refusing to inject into the tracer itself (pid ${pid})`);
    if (this.pendingDetach.has(tid)) throw new InjectAbort('EBUSY', `thread ${tid} of pid ${pid} has not stopped since an earlier timed-out injection; still waiting to detach`);

    // Freezer: a frozen target does not stop (v1) or does not finish a system call (v2) until
    // thawed. It is looked at only when a stop is not prompt, except when thawing is not
    // allowed: then a frozen target must be refused before anything is done to it.
    if (req.thawFrozen === false) {
      let freezing: FreezerCgroup[];
      try {
        freezing = this.waiter.freezer.freezing(pid, tid);
      } catch {
        throw new InjectAbort('ESRCH', `thread ${tid} of pid ${pid} is gone (cannot read /proc/${pid}/task/${tid}/cgroup)`);
      }
      if (freezing.length > 0) {
        throw new InjectAbort(
          'EFROZEN',
          `target frozen: pid ${pid} is in a frozen cgroup (${freezing.map((c) => c.dir).join(', ')}); thaw it or use process_madvise, which works on frozen targets`,
        );
      }
    }
    if (req.followCpu === true) report.tracerCpu = this.cpu.follow(pid, tid);

    // Pin before the first injection (a no-op after `pin`).
    let pin = this.pins.get(pid);
    if (pin === undefined) {
      try {
        pin = this.pin(pid);
      } catch (err) {
        throw new InjectAbort('ESRCH', `pid ${pid} is gone (${(err as Error).message})`);
      }
    }

    for (let attempt = 0; ; attempt++) {
      // Before the seize, so that a newcomer on a reused pid is never even seized...
      this.checkPin(pin, pid, tid);
      this.seize(req, pid, tid, report);
      // ...and after it: seized, the thread cannot be reaped, so its number cannot change hands
      // from now on. A process that died and lost its pid in between is let go untouched
      // (a seized thread can only be detached from a stop: interrupt, wait, detach).
      try {
        this.checkPin(pin, pid, tid);
      } catch (err) {
        this.releaseUnstopped(pid, tid, report);
        throw err;
      }
      if (attempt === 0) marks.seizedNs = process.hrtime.bigint();
      try {
        ptraceInterrupt(tid);
      } catch (err) {
        // The thread died between seize and interrupt: it is a zombie or gone, nothing to undo.
        throw new InjectAbort('ESRCH', `thread ${tid} of pid ${pid} vanished while being seized: ${(err as Error).message}`);
      }
      let r: bigint | 'retry';
      try {
        r = this.injectStopped(req, tid, report, marks, attempt);
      } finally {
        this.refreeze(report);
      }
      if (r !== 'retry') return r;
    }
  }

  /** Throws ESRCH when the pinned process exited and its pid is free, EPIDREUSED when the pid is another's (its pid may now be another's) or `tid` is not its thread. */
  private checkPin(pin: PidPin, pid: number, tid: number): void {
    const alive = pinAlive(pin);
    if (alive && (tid === pid || threadExists(pid, tid))) return;
    this.unpin(pid);
    if (!alive && !existsSync(`/proc/${pid}`)) throw new InjectAbort('ESRCH', `pid ${pid} has exited (it was pinned before the first injection)`);
    throw new InjectAbort(
      'EPIDREUSED',
      alive
        ? `thread ${tid} is not a thread of pid ${pid} (any more); it was not injected`
        : `pid ${pid} now belongs to another process: the one pinned before the first injection exited (started at tick ${pin.startTicks}); the new one was not injected`,
    );
  }

  /** Detaches a thread seized but never stopped: interrupt, wait for the stop (2 s), detach; or leave it to servicePending(). */
  private releaseUnstopped(pid: number, tid: number, report: InjectionReport): void {
    try {
      ptraceInterrupt(tid);
    } catch {
      return; // gone
    }
    let s: WaitStatus | null = null;
    try {
      s = this.waiter.wait(tid, process.hrtime.bigint() + 2_000_000_000n, pid, report);
    } catch {
      /* not ours any more */
    }
    if (s === null) {
      this.pendingDetach.set(tid, { pid, sinceNs: process.hrtime.bigint() });
      report.detachPending = true;
      return;
    }
    if (s.kind === 'stopped') this.safeDetach(tid, s.event === 0 ? s.signal : 0);
  }

  /** PTRACE_SEIZE with TRACESYSGOOD, suspending seccomp when permitted. */
  private seize(req: InjectRequest, pid: number, tid: number, report: InjectionReport): void {
    const wantSuspend = req.suspendSeccomp !== false && this.suspendSeccompPermitted !== false;
    let suspended = false;
    if (wantSuspend) {
      try {
        ptraceSeize(tid, PTRACE_O_TRACESYSGOOD | PTRACE_O_SUSPEND_SECCOMP);
        suspended = true;
        this.suspendSeccompPermitted = true;
      } catch (err) {
        if (!(err instanceof SyscallError) || (err.code !== 'EPERM' && err.code !== 'EINVAL')) throw this.seizeError(err, pid, tid);
        this.suspendSeccompPermitted = false;
      }
    }
    const key = pid * PID_LIMIT + tid;
    let mode = this.seccompCache.get(key);
    if (mode === undefined) {
      mode = seccompMode(pid, tid);
      if (this.seccompCache.size > 4096) this.seccompCache.clear();
      this.seccompCache.set(key, mode);
    }
    if (!suspended) {
      const fresh = seccompMode(pid, tid);
      if (fresh > 0) {
        throw new InjectAbort(
          'ESECCOMP',
          `thread ${tid} of pid ${pid} runs under seccomp (mode ${fresh}) and PTRACE_O_SUSPEND_SECCOMP is ${req.suspendSeccomp === false ? 'disabled' : 'not permitted (needs CAP_SYS_ADMIN and a kernel with CONFIG_CHECKPOINT_RESTORE)'}; the filter could deny or kill the injected madvise. Run as root or use process_madvise`,
        );
      }
      try {
        ptraceSeize(tid, PTRACE_O_TRACESYSGOOD);
      } catch (err) {
        throw this.seizeError(err, pid, tid);
      }
    }
    report.seccompSuspended = suspended && mode > 0;
  }

  private seizeError(err: unknown, pid: number, tid: number): InjectAbort {
    const code = err instanceof SyscallError ? err.code : 'EINTERNAL';
    if (code === 'ESRCH') return new InjectAbort(code, `thread ${tid} of pid ${pid} is gone (PTRACE_SEIZE: ESRCH)`);
    if (code === 'EPERM') {
      let tracer = 0;
      try {
        tracer = readTaskStatus(pid, tid).tracerPid;
      } catch {
        /* gone */
      }
      if (tracer !== 0) return new InjectAbort(code, `thread ${tid} of pid ${pid} is already traced by pid ${tracer} (PTRACE_SEIZE: EPERM)`);
      return new InjectAbort(code, `not permitted to trace pid ${pid} (PTRACE_SEIZE: EPERM); run as root or with CAP_SYS_PTRACE`);
    }
    return new InjectAbort(code, `PTRACE_SEIZE of thread ${tid} (pid ${pid}) failed: ${(err as Error).message}`);
  }

  /** From the queued interrupt to the detach. Returns the time the stop arrived. */
  private injectStopped(
    req: InjectRequest,
    tid: number,
    report: InjectionReport,
    marks: { seizedNs: bigint; firstResumeNs: bigint; lastStopNs: bigint },
    attempt: number,
  ): bigint | 'retry' {
    const pid = req.pid;
    const timeoutNs = BigInt(Math.round((req.stopTimeoutMs ?? 2000) * 1e6));
    const deadline = process.hrtime.bigint() + timeoutNs;
    // 1. Wait for the interrupt stop.
    let stop: WaitStatus;
    for (;;) {
      const s = this.waiter.wait(tid, deadline, pid, report);
      if (s === null) {
        this.pendingDetach.set(tid, { pid, sinceNs: process.hrtime.bigint() });
        report.detachPending = true;
        throw new InjectAbort(
          'ETIMEDOUT',
          `thread ${tid} of pid ${pid} did not stop within ${req.stopTimeoutMs ?? 2000} ms (uninterruptible sleep?); nothing was changed, it is detached as soon as it stops`,
        );
      }
      report.stops++;
      if (s.kind === 'exited' || s.kind === 'signaled') {
        if (s.kind === 'signaled') report.targetSignal = s.signal;
        throw new InjectAbort('EXITED', `target thread ${tid} of pid ${pid} ${describeWaitStatus(s)} before it stopped`);
      }
      if (s.kind === 'stopped' && s.event === PTRACE_EVENT_STOP) {
        stop = s;
        break;
      }
      if (s.kind === 'stopped' && s.event === 0) {
        report.passedSignals.push(s.signal);
        ptraceCont(tid, s.signal);
        // The signal-delivery stop consumed the pending interrupt (any ptrace trap clears it):
        // ask again, or the thread runs on and the stop only comes at the timeout.
        try {
          ptraceInterrupt(tid);
        } catch {
          /* died: the next wait reports it */
        }
        continue;
      }
      if (s.kind === 'stopped') ptraceCont(tid, 0);
    }
    const tStop = process.hrtime.bigint();
    report.groupStopped = stop.kind === 'stopped' && stop.signal !== SIGTRAP;

    // 2. Save state. Nothing has been changed yet: any failure here just detaches.
    const { saved, savedMask } = this;
    const t: StoppedTarget = { pid, tid, req, report, saved, savedMask, waiter: this.waiter };
    let rseqCsAddr: bigint;
    try {
      ptraceGetRegs(tid, saved);
      ptraceGetSigmask(tid, savedMask);
      if (saved.getNumber('cs') !== X86_64_USER_CS)
        throw new InjectAbort('EARCH', `thread ${tid} of pid ${pid} runs 32-bit code (cs 0x${saved.get('cs').toString(16)}); injection supports 64-bit targets only`);
      if (req.ranges.length === 0) {
        this.refreeze(report);
        ptraceDetach(tid, 0);
        return tStop;
      }
      rseqCsAddr = this.rseq.configure(pid, tid, report);
    } catch (err) {
      this.refreeze(report);
      this.safeDetach(tid, 0);
      throw err;
    }

    // 3. Run a method. From its first register change on, it restores before it returns or throws.
    let deferred: DeferredSignal[] = [];
    let fatal: unknown = null;
    let retrySignal = 0;
    try {
      let prepared = null;
      if (req.method !== 'singlestep') {
        const p = this.sigframe.prepare(t, rseqCsAddr);
        if (typeof p === 'string') {
          if (req.method === 'sigframe') throw new InjectAbort('ENOFRAME', `sigframe injection impossible: ${p}`);
          report.warnings.push(`single-step injection used (a tracer killed mid-injection would leave the target to die of SIGTRAP): ${p}`);
        } else {
          prepared = p;
        }
      }
      marks.firstResumeNs = process.hrtime.bigint();
      if (prepared !== null) {
        report.method = 'sigframe';
        // Several ranges: signals stay blocked throughout (between two madvise calls the
        // thread returns towards user space, where a signal would run its handler on the
        // injected context); one range: only after repeated signal interruptions.
        const end = this.sigframe.run(t, prepared, req.ranges.length > 1 || attempt >= MAX_UNBLOCKED_ATTEMPTS);
        if (end.kind === 'retry') retrySignal = end.signal;
      } else {
        report.method = 'singlestep';
        if (this.rseq.lastFromCache) rseqCsAddr = this.rseq.configure(pid, tid, report, true);
        const csPtr = rseqCsAddr === 0n ? null : this.rseq.readCs(tid, rseqCsAddr);
        const rseq =
          csPtr === null || csPtr === 0n ? { abortIp: null, rseqCsAddr } : this.rseq.decide(pid, tid, saved.get('rip'), csPtr, rseqCsAddr, req.rseqFixup !== false, report);
        deferred = this.singlestep.run(t, rseq);
        if (rseq.abortIp !== null) this.rseq.clear(tid, rseq.rseqCsAddr);
      }
    } catch (err) {
      fatal = err;
    }
    marks.lastStopNs = process.hrtime.bigint();
    if (fatal !== null) {
      const died = this.diedDuring(fatal, t);
      if (died !== null) throw died;
      this.refreeze(report);
      this.safeDetach(tid, 0);
      throw fatal;
    }
    if (retrySignal !== 0) {
      // A signal was about to be delivered before madvise ran: let the thread take it in its
      // own context (detaching from the signal-delivery stop delivers it), then start over.
      report.passedSignals.push(retrySignal);
      this.refreeze(report);
      ptraceDetach(tid, retrySignal);
      return 'retry';
    }

    // 4. Detach, handing back deferred signals (singlestep method only).
    this.refreeze(report);
    const first = deferred[0];
    if (first !== undefined) {
      try {
        ptraceSetSiginfo(tid, first.info);
      } catch {
        /* detach still delivers the signal */
      }
      ptraceDetach(tid, first.signal);
      for (const d of deferred.slice(1)) {
        try {
          tgkill(pid, tid, d.signal);
        } catch {
          /* target gone */
        }
      }
    } else {
      ptraceDetach(tid, 0);
    }
    return tStop;
  }

  /**
   * When a method failed because the target died (EXITED, or ESRCH from a ptrace call while
   * the thread was ours, which only SIGKILL causes), reaps its status and returns the error
   * naming the signal; null when the target is still there.
   */
  private diedDuring(err: unknown, t: StoppedTarget): InjectAbort | null {
    const { pid, tid, report } = t;
    if (err instanceof InjectAbort) return err.code === 'EXITED' ? err : null;
    // ESRCH from a ptrace call on a thread that was ours, or any other failure while the
    // thread is a zombie or gone: it was killed. Collect its status (else it lingers).
    const esrch = err instanceof SyscallError && err.code === 'ESRCH';
    if (!esrch && !threadDying(pid, tid)) return null;
    const { state, status } = settle(tid);
    if (state !== 'exited') return null;
    if (status?.kind === 'signaled') report.targetSignal = status.signal;
    const how = status === null ? 'exited or was killed' : status.kind === 'signaled' ? `was killed by ${signalName(status.signal)}` : describeWaitStatus(status);
    return new InjectAbort('EXITED', `target thread ${tid} of pid ${pid} ${how} during the injection (after ${report.syscalls} of ${t.req.ranges.length} madvise calls)`);
  }

  /** Freezes the thawed cgroups again, before the detach (the thread then freezes on its way out of the stop). */
  private refreeze(report: InjectionReport): void {
    if (report.thawed.length === 0) return;
    try {
      refreezeCgroups(report.thawed);
    } catch {
      /* reported by the caller's checks */
    }
    const since = thawStartedNs.get(report);
    if (since !== undefined && report.windows.thawNs === null) report.windows.thawNs = Number(process.hrtime.bigint() - since);
  }

  private safeDetach(tid: number, signal: number): void {
    try {
      ptraceDetach(tid, signal);
    } catch {
      /* gone */
    }
  }
}

/** `ENAME` of a negative madvise return value. */
export function madviseErrorName(ret: number): string {
  return ret < 0 ? errnoName(-ret) : 'OK';
}
