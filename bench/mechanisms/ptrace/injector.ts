/**
 * The ptrace injector: makes a target thread execute madvise(2) itself, leaving it exactly
 * as it was. x86_64 only. Every ptrace and wait call is synchronous on the calling thread,
 * which must be the only thread that ever seizes targets (see tracer-main.ts).
 *
 * Sequence (CRIU compel's, reduced to one system call):
 *  1. PTRACE_SEIZE (never ATTACH; PTRACE_O_SUSPEND_SECCOMP when permitted) + PTRACE_INTERRUPT.
 *  2. If a cgroup freezer holds the target: thaw it (the interrupt makes the thread trap
 *     before it returns to user code), recorded in the report and undone before detach.
 *  3. Wait for the PTRACE_EVENT_STOP with a timeout. Signal-delivery stops that come first
 *     are passed on with PTRACE_CONT(sig), as CRIU does: the target handles them as the
 *     kernel would, then traps. No stop in time: nothing was changed; the thread stays
 *     seized with the interrupt pending and is detached as soon as it stops (`pendingDetach`).
 *  4. Save regs and signal mask; block every signal but SIGTRAP (SIGKILL and SIGSTOP cannot
 *     be blocked); per range: rip = a `syscall` in the target's vDSO, rax = madvise,
 *     rdi/rsi/rdx = start/len/advice, orig_rax = -1 (no syscall restart); single-step until
 *     rip = insn + 2 and read rax. Stops met on the way: PTRACE_EVENT_STOP (a group-stop of a
 *     SIGSTOPped target) -> step again; a signal-delivery stop (SIGSTOP, a user-sent
 *     SIGTRAP) -> deferred with its siginfo, step again.
 *  5. Restore regs and mask byte for byte, re-freeze, PTRACE_DETACH. The last stop is the
 *     step's SIGTRAP signal-delivery stop, so the first deferred signal is re-delivered by
 *     the detach itself, with its original siginfo (PTRACE_SETSIGINFO); further deferred
 *     signals are re-sent with tgkill after the detach (their siginfo then names the tracer
 *     as sender). Without deferred signals the step's SIGTRAP is suppressed.
 * An interrupted blocking call of the target then restarts, or returns EINTR, exactly as
 * after any signal the process ignores (epoll_wait returns EINTR; nanosleep, read and futex
 * restart).
 */
import { existsSync, readFileSync } from 'node:fs';
import { errnoName, SyscallError } from '../../sys/errno.ts';
import { statFieldsAfterComm } from '../../sys/proc.ts';
import { CpuFollower } from '../../sys/ptrace-affinity.ts';
import { FreezerWatch, refreezeCgroups, thawCgroups, type ThawedCgroup } from '../../sys/ptrace-freezer.ts';
import { X86_64Regs, X86_64_USER_CS } from '../../sys/ptrace-regs.ts';
import { describeWaitStatus, PTRACE_EVENT_STOP, type WaitStatus } from '../../sys/ptrace-status.ts';
import { locateVdsoSyscall } from '../../sys/ptrace-vdso.ts';
import { WaitTimer } from '../../sys/ptrace-wait.ts';
import {
  PTRACE_O_SUSPEND_SECCOMP, SIGINFO_SIZE_BYTES, SIGSET_SIZE_BYTES, SIGTRAP, WNOHANG,
  ptraceCont, ptraceDetach, ptraceGetRegs, ptraceGetSiginfo, ptraceGetSigmask, ptraceInterrupt,
  ptracePeekData, ptraceSeize, ptraceSetRegs, ptraceSetSiginfo, ptraceSetSigmask, ptraceSingleStep,
  sleepUs, tgkill, threadCpuTimeNs, waitTid, yieldCpu,
} from '../../sys/ptrace.ts';

/** madvise(2) on x86_64. */
const NR_MADVISE_X86_64 = 28;
/** Steps allowed per injected call before the injector gives up (a SIGSTOPped target traps on some steps). */
const MAX_STEPS_PER_CALL = 10_000;
/** A stop later than this is "not prompt": the freezer state is checked (a frozen target never stops until thawed). */
const FIRST_FREEZER_CHECK_NS = 5_000_000n;
/** `block` waits poll waitpid(WNOHANG) this long before they sleep (measured: 4 KiB injection median 188 -> 99 us, sleeping target). */
const BLOCK_AFTER_NS = 100_000n;
/** While still waiting, the freezer state is checked again this often. */
const FREEZER_RECHECK_NS = 50_000_000n;
/** A never-ending wait (the step's own deadline is the freezer re-check). */
const NO_DEADLINE_NS = BigInt(Number.MAX_SAFE_INTEGER);

/** How the injector waits for the target's stops. */
export type WaitMode = 'block' | 'poll';

/** One injection: ranges of one thread, one advice. */
export interface InjectRequest {
  /** Thread group id of the target. */
  pid: number;
  /** Thread that executes the madvise calls (default: the main thread, tid = pid). */
  tid?: number;
  /** madvise advice value (e.g. 20 = MADV_COLD, 21 = MADV_PAGEOUT). */
  advice: number;
  /** Ranges; one madvise call each. */
  ranges: { startAddr: number; lengthBytes: number }[];
  /** How long to wait for the target to stop before giving up, in ms (default 2000). */
  stopTimeoutMs?: number;
  /** Use PTRACE_O_SUSPEND_SECCOMP when permitted (default true). */
  suspendSeccomp?: boolean;
  /** Thaw a cgroup-frozen target for the injection and re-freeze it (default true); false fails with `EFROZEN`. */
  thawFrozen?: boolean;
  /**
   * `block` (default): blocking waitpid with a timer deadline; `poll`: waitpid(WNOHANG) with
   * sched_yield, then growing sleeps (used when the timer cannot be set up). For measurements.
   */
  waitMode?: WaitMode;
  /**
   * Move the tracer onto the CPU the target last ran on before seizing it (default false:
   * measured no gain here, the scheduler wakes the stepped target on the other, idle CPU).
   */
  followCpu?: boolean;
}

/** The result of one injected madvise. */
export interface RangeResult {
  startAddr: number;
  lengthBytes: number;
  /** madvise's return value: 0, or -errno. */
  ret: number;
}

/** Everything the injector did for one request. */
export interface InjectionReport {
  pid: number;
  tid: number;
  /** Per range, in request order (ranges after a fatal error are missing). */
  results: RangeResult[];
  /** Sum of the lengths of ranges madvise accepted. */
  bytesAdvised: number;
  /** madvise calls executed by the target. */
  syscalls: number;
  /** Wall time from before the seize to after the detach, in ns. */
  latencyNs: number;
  /** Wall time from the stop's arrival to after the detach (the target's stop window), in ns. */
  stopWindowNs: number;
  /** CPU time of the injecting thread over the injection, in ns. */
  callerCpuNs: number;
  /** PTRACE_SINGLESTEP requests issued. */
  steps: number;
  /** CPU the tracer moved to for this injection (the target's last CPU), or -1 when it did not follow. */
  tracerCpu: number;
  /** How the stops were awaited (`poll` when blocking waits were asked for but are unavailable). */
  waitMode: WaitMode;
  /** Signals that arrived before the interrupt stop, passed on at once with PTRACE_CONT. */
  passedSignals: number[];
  /** Signals that arrived during the steps, re-delivered at or after the detach. */
  deferredSignals: number[];
  /** The target was in a group-stop (SIGSTOPped) when it trapped. */
  groupStopped: boolean;
  /** cgroups thawed for the injection and frozen again before the detach. */
  thawed: ThawedCgroup[];
  /** The target's seccomp filters were suspended (PTRACE_O_SUSPEND_SECCOMP and the target has seccomp). */
  seccompSuspended: boolean;
  /** The target's registers were changed (and restored) at least once. */
  regsChanged: boolean;
  /** The thread is still seized with an interrupt pending (stop timeout); detached when it stops. */
  detachPending: boolean;
  /** Symbolic error code (`ESRCH`, `ETIMEDOUT`, `EXITED`, `EFROZEN`, `ESECCOMP`, `EARCH`, ...) or null. */
  errorCode: string | null;
  /** One-line error message, or null on success (per-range errors are in `results`). */
  error: string | null;
}

/** A failure that ends an injection, with a code for the report. */
class InjectAbort extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** Reads `Seccomp:` from /proc/PID/task/TID/status (0 = none, 1 = strict, 2 = filter); -1 when unreadable. */
export function seccompMode(pid: number, tid: number): number {
  try {
    const m = /^Seccomp:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'));
    return m === null ? 0 : Number(m[1]);
  } catch {
    return -1;
  }
}

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

/** Waits (up to 200 ms, outside the timed window) until thread `tid` is in state T again. */
function waitForGroupStop(pid: number, tid: number): void {
  const deadline = process.hrtime.bigint() + 200_000_000n;
  while (process.hrtime.bigint() < deadline) {
    let state: string;
    try {
      state = statFieldsAfterComm(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'))[0] ?? '';
    } catch {
      return; // gone
    }
    if (state === 'T') return;
    yieldCpu();
  }
}

/** Polls waitpid(tid, WNOHANG | __WALL): spins with sched_yield for ~100 us, then sleeps in growing steps. Calls `onSlow` once after 50 ms. */
function waitWithDeadline(tid: number, deadlineNs: bigint, onSlow?: () => void): WaitStatus | null {
  const start = process.hrtime.bigint();
  let sleep = 20;
  let slowCalled = false;
  for (;;) {
    const r = waitTid(tid, WNOHANG);
    if (!r.pending) return r.status;
    const now = process.hrtime.bigint();
    if (now >= deadlineNs) return null;
    if (now - start < 100_000n) {
      yieldCpu();
      continue;
    }
    if (!slowCalled && onSlow !== undefined && now - start > 50_000_000n) {
      slowCalled = true;
      onSlow();
    }
    sleepUs(sleep);
    sleep = Math.min(sleep * 2, 1000);
  }
}

/**
 * Injects madvise calls into target threads. One instance per tracer thread; keep it on the
 * thread that created it. Not reentrant.
 */
export class Injector {
  private readonly vdsoCache = new Map<string, number>();
  private suspendSeccompPermitted: boolean | null = null;
  private readonly seccompCache = new Map<string, number>();
  private readonly freezer = new FreezerWatch();
  private readonly cpu = new CpuFollower();
  /** Deadline timer of blocking waits; null when it cannot be set up here (then waits poll). */
  private readonly timer = WaitTimer.create();
  /** Wait mode of the injection in progress. */
  private mode: WaitMode = 'block';
  // Buffers reused across injections (the tracer is single-threaded and not reentrant).
  private readonly saved = new X86_64Regs();
  private readonly work = new X86_64Regs();
  private readonly savedMask = Buffer.alloc(SIGSET_SIZE_BYTES);
  private readonly stepMask = allButSigtrap();
  /** Threads seized whose interrupt stop has not arrived yet (they get detached when it does). */
  readonly pendingDetach = new Map<number, { pid: number; sinceNs: bigint }>();

  /** Injects the request's madvise calls; never throws for target-side failures (they are in the report). */
  inject(req: InjectRequest): InjectionReport {
    const tid = req.tid ?? req.pid;
    const report: InjectionReport = {
      pid: req.pid, tid, results: [], bytesAdvised: 0, syscalls: 0, latencyNs: 0, stopWindowNs: 0, callerCpuNs: 0,
      steps: 0, tracerCpu: -1, waitMode: 'block', passedSignals: [], deferredSignals: [], groupStopped: false, thawed: [], seccompSuspended: false,
      regsChanged: false, detachPending: false, errorCode: null, error: null,
    };
    this.servicePending();
    this.mode = req.waitMode === 'poll' || this.timer === null ? 'poll' : 'block';
    report.waitMode = this.mode;
    const cpu0 = threadCpuTimeNs();
    const t0 = process.hrtime.bigint();
    let tStop = t0;
    try {
      tStop = this.run(req, tid, report);
    } catch (err) {
      if (err instanceof InjectAbort) {
        report.errorCode = err.code;
        report.error = err.message;
      } else if (err instanceof SyscallError) {
        report.errorCode = err.code;
        report.error = err.message;
      } else {
        report.errorCode = 'EINTERNAL';
        report.error = err instanceof Error ? err.message : String(err);
      }
    }
    const t1 = process.hrtime.bigint();
    this.timer?.disarm();
    report.latencyNs = Number(t1 - t0);
    report.stopWindowNs = tStop > t0 ? Number(t1 - tStop) : 0;
    report.callerCpuNs = threadCpuTimeNs() - cpu0;
    // A detached thread of a stopped process goes back into its group stop on its own, but
    // only once it runs: wait for that, so that the caller finds it stopped as it was.
    if (report.groupStopped && report.error === null) waitForGroupStop(req.pid, tid);
    return report;
  }

  /** Detaches threads whose late interrupt stop has arrived; forgets threads that exited. */
  servicePending(): void {
    for (const [tid, info] of this.pendingDetach) {
      let r;
      try {
        r = waitTid(tid, WNOHANG);
      } catch {
        this.pendingDetach.delete(tid);
        continue;
      }
      if (r.pending) continue;
      const s = r.status;
      if (s.kind === 'stopped' && s.event === 0) {
        try { ptraceCont(tid, s.signal); } catch { this.pendingDetach.delete(tid); }
      } else if (s.kind === 'stopped') {
        try { ptraceDetach(tid, 0); } catch { /* gone */ }
        this.pendingDetach.delete(tid);
      } else {
        this.pendingDetach.delete(tid);
      }
      void info;
    }
  }

  private run(req: InjectRequest, tid: number, report: InjectionReport): bigint {
    const { pid } = req;
    if (process.arch !== 'x64') throw new InjectAbort('EARCH', `ptrace injection is not supported on ${process.arch} (x86_64 only); use process_madvise`);
    if (pid === process.pid) throw new InjectAbort('EINVAL', `refusing to inject into the tracer itself (pid ${pid})`);
    if (tid !== pid && !existsSync(`/proc/${pid}/task/${tid}`)) throw new InjectAbort('ESRCH', `thread ${tid} is not a thread of pid ${pid} (no /proc/${pid}/task/${tid})`);
    if (this.pendingDetach.has(tid)) throw new InjectAbort('EBUSY', `thread ${tid} of pid ${pid} has not stopped since an earlier timed-out injection; still waiting to detach`);

    // Freezer: a frozen target does not stop (v1) or does not finish a step (v2) until thawed.
    // It is looked at only when a stop is not prompt (lateThaw), except when thawing is not
    // allowed: then a frozen target must be refused before anything is done to it.
    if (req.thawFrozen === false) {
      let freezing: ThawedCgroup[];
      try {
        freezing = this.freezer.freezing(pid);
      } catch {
        throw new InjectAbort('ESRCH', `pid ${pid} is gone (cannot read /proc/${pid}/cgroup)`);
      }
      if (freezing.length > 0) {
        throw new InjectAbort('EFROZEN', `target frozen: pid ${pid} is in a frozen cgroup (${freezing.map((c) => c.dir).join(', ')}); thaw it or use process_madvise, which works on frozen targets`);
      }
    }
    if (req.followCpu === true) report.tracerCpu = this.cpu.follow(pid, tid);

    // Seize, suspending seccomp when we may.
    const wantSuspend = req.suspendSeccomp !== false && this.suspendSeccompPermitted !== false;
    let suspended = false;
    if (wantSuspend) {
      try {
        ptraceSeize(tid, PTRACE_O_SUSPEND_SECCOMP);
        suspended = true;
        this.suspendSeccompPermitted = true;
      } catch (err) {
        if (!(err instanceof SyscallError) || (err.code !== 'EPERM' && err.code !== 'EINVAL')) throw this.seizeError(err, pid, tid);
        this.suspendSeccompPermitted = false;
      }
    }
    const key = `${pid}:${tid}`;
    const mode = this.seccompCache.get(key) ?? seccompMode(pid, tid);
    if (this.seccompCache.size > 4096) this.seccompCache.clear();
    this.seccompCache.set(key, mode);
    if (!suspended) {
      const fresh = seccompMode(pid, tid);
      if (fresh > 0) {
        throw new InjectAbort('ESECCOMP', `thread ${tid} of pid ${pid} runs under seccomp (mode ${fresh}) and PTRACE_O_SUSPEND_SECCOMP is ${req.suspendSeccomp === false ? 'disabled' : 'not permitted (needs CAP_SYS_ADMIN and a kernel with CONFIG_CHECKPOINT_RESTORE)'}; the filter could deny or kill the injected madvise. Run as root or use process_madvise`);
      }
      try {
        ptraceSeize(tid, 0);
      } catch (err) {
        throw this.seizeError(err, pid, tid);
      }
    }
    report.seccompSuspended = suspended && mode > 0;

    try {
      ptraceInterrupt(tid);
    } catch (err) {
      // The thread died between seize and interrupt: it is a zombie or gone, nothing to undo.
      throw new InjectAbort('ESRCH', `thread ${tid} of pid ${pid} vanished while being seized: ${(err as Error).message}`);
    }
    try {
      return this.injectStopped(req, tid, report);
    } finally {
      if (report.thawed.length > 0) {
        try { refreezeCgroups(report.thawed); } catch { /* reported by the caller's checks */ }
      }
    }
  }

  private seizeError(err: unknown, pid: number, tid: number): InjectAbort {
    const code = err instanceof SyscallError ? err.code : 'EINTERNAL';
    if (code === 'ESRCH') return new InjectAbort(code, `thread ${tid} of pid ${pid} is gone (PTRACE_SEIZE: ESRCH)`);
    if (code === 'EPERM') {
      let tracer = '';
      try { tracer = /^TracerPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'))?.[1] ?? ''; } catch { /* gone */ }
      if (tracer !== '' && tracer !== '0') return new InjectAbort(code, `thread ${tid} of pid ${pid} is already traced by pid ${tracer} (PTRACE_SEIZE: EPERM)`);
      return new InjectAbort(code, `not permitted to trace pid ${pid} (PTRACE_SEIZE: EPERM); run as root or with CAP_SYS_PTRACE`);
    }
    return new InjectAbort(code, `PTRACE_SEIZE of thread ${tid} (pid ${pid}) failed: ${(err as Error).message}`);
  }

  /** From the queued interrupt to the detach. Returns the time the stop arrived. */
  private injectStopped(req: InjectRequest, tid: number, report: InjectionReport): bigint {
    const pid = req.pid;
    const timeoutNs = BigInt(Math.round((req.stopTimeoutMs ?? 2000) * 1e6));
    const deadline = process.hrtime.bigint() + timeoutNs;
    // 1. Wait for the interrupt stop.
    let stop: WaitStatus;
    for (;;) {
      const s = this.waitStop(tid, deadline, pid, report);
      if (s === null) {
        this.pendingDetach.set(tid, { pid, sinceNs: process.hrtime.bigint() });
        report.detachPending = true;
        throw new InjectAbort('ETIMEDOUT', `thread ${tid} of pid ${pid} did not stop within ${req.stopTimeoutMs ?? 2000} ms (uninterruptible sleep?); nothing was changed, it is detached as soon as it stops`);
      }
      if (s.kind === 'exited' || s.kind === 'signaled') throw new InjectAbort('EXITED', `target thread ${tid} of pid ${pid} ${describeWaitStatus(s)} before it stopped`);
      if (s.kind === 'stopped' && s.event === PTRACE_EVENT_STOP) { stop = s; break; }
      if (s.kind === 'stopped' && s.event === 0) {
        report.passedSignals.push(s.signal);
        ptraceCont(tid, s.signal);
        // The signal-delivery stop consumed the pending interrupt (any ptrace trap clears it):
        // ask again, or the thread runs on and the stop only comes at the timeout.
        try { ptraceInterrupt(tid); } catch { /* died: the next wait reports it */ }
        continue;
      }
      if (s.kind === 'stopped') ptraceCont(tid, 0);
    }
    const tStop = process.hrtime.bigint();
    report.groupStopped = stop.kind === 'stopped' && stop.signal !== SIGTRAP;

    // 2. Save state. Nothing has been changed yet: any failure here just detaches.
    const { saved, savedMask, work } = this;
    let insn: number;
    try {
      ptraceGetRegs(tid, saved);
      ptraceGetSigmask(tid, savedMask);
      if (saved.getNumber('cs') !== X86_64_USER_CS) throw new InjectAbort('EARCH', `thread ${tid} of pid ${pid} runs 32-bit code (cs 0x${saved.get('cs').toString(16)}); injection supports 64-bit targets only`);
      insn = this.syscallInsn(pid, tid);
    } catch (err) {
      this.refreeze(report);
      this.safeDetach(tid, 0);
      throw err;
    }
    if (req.ranges.length === 0) {
      this.refreeze(report);
      ptraceDetach(tid, 0);
      return tStop;
    }

    // 3. Inject, one madvise per range. From the first SETSIGMASK on, always restore.
    const deferred: { signal: number; info: Buffer }[] = [];
    let fatal: unknown = null;
    let dead = false;
    try {
      ptraceSetSigmask(tid, this.stepMask);
      report.regsChanged = true;
      for (const range of req.ranges) {
        work.copyFrom(saved);
        work.set('rip', insn);
        work.set('rax', NR_MADVISE_X86_64);
        work.set('orig_rax', -1);
        work.set('rdi', range.startAddr);
        work.set('rsi', range.lengthBytes);
        work.set('rdx', req.advice);
        ptraceSetRegs(tid, work);
        const ret = this.stepOverSyscall(tid, pid, insn, work, deferred, report);
        if (ret === null) { dead = true; break; }
        report.syscalls++;
        report.results.push({ startAddr: range.startAddr, lengthBytes: range.lengthBytes, ret });
        if (ret === 0) report.bytesAdvised += range.lengthBytes;
      }
    } catch (err) {
      fatal = err;
      if (err instanceof InjectAbort && err.code === 'EXITED') dead = true;
      else if (err instanceof SyscallError && err.code === 'ESRCH' && this.settle(tid) === 'exited') dead = true;
    }
    if (dead) {
      if (fatal instanceof InjectAbort) throw fatal;
      throw new InjectAbort('EXITED', `target thread ${tid} of pid ${pid} exited or was killed during the injection (after ${report.syscalls} of ${req.ranges.length} madvise calls)`);
    }

    // 4. Restore exactly, then detach with the first deferred signal.
    try {
      ptraceSetRegs(tid, saved);
      ptraceSetSigmask(tid, savedMask);
    } catch (err) {
      // ESRCH: the thread left its stop, which only SIGKILL does. Reap it (else it stays a
      // zombie its parent cannot collect) or, if it is in a stop after all, restore again.
      const state = err instanceof SyscallError && err.code === 'ESRCH' ? this.settle(tid) : 'unknown';
      if (state !== 'stopped') throw new InjectAbort('EXITED', `could not restore thread ${tid} of pid ${pid} (${(err as Error).message}); it was killed during the injection`);
      ptraceSetRegs(tid, saved);
      ptraceSetSigmask(tid, savedMask);
    }
    this.refreeze(report);
    const first = deferred[0];
    if (first !== undefined) {
      try { ptraceSetSiginfo(tid, first.info); } catch { /* detach still delivers the signal */ }
      ptraceDetach(tid, first.signal);
      for (const d of deferred.slice(1)) {
        try { tgkill(pid, tid, d.signal); } catch { /* target gone */ }
      }
    } else {
      ptraceDetach(tid, 0);
    }
    report.deferredSignals = deferred.map((d) => d.signal);
    if (fatal !== null) throw fatal;
    return tStop;
  }

  /** Single-steps the prepared `syscall` until it has returned; null when the target died. */
  private stepOverSyscall(tid: number, pid: number, insn: number, work: X86_64Regs, deferred: { signal: number; info: Buffer }[], report: InjectionReport): number | null {
    const after = insn + 2;
    for (let i = 0; i < MAX_STEPS_PER_CALL; i++) {
      ptraceSingleStep(tid, 0);
      report.steps++;
      const s = this.waitStop(tid, NO_DEADLINE_NS, pid, report);
      if (s === null || s.kind === 'exited' || s.kind === 'signaled') return null;
      if (s.kind !== 'stopped') continue;
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

  /**
   * Waits for the next state change of `tid` until `deadlineNs` (null when none came). A stop
   * that is not prompt makes it look at the freezer (lateThaw) after 5 ms, then every 50 ms.
   * `block` mode sleeps in waitpid(__WALL) with a timer to cut it short; `poll` mode polls.
   */
  private waitStop(tid: number, deadlineNs: bigint, pid: number, report: InjectionReport): WaitStatus | null {
    const timer = this.timer;
    if (this.mode === 'poll' || timer === null) return waitWithDeadline(tid, deadlineNs, () => this.lateThaw(pid, report));
    // Most stops arrive within tens of microseconds: poll for them first (sleeping and being
    // woken again costs more than that), then block.
    const spinUntil = process.hrtime.bigint() + BLOCK_AFTER_NS;
    do {
      const r = waitTid(tid, WNOHANG);
      if (!r.pending) return r.status;
    } while (process.hrtime.bigint() < spinUntil);
    let now = process.hrtime.bigint();
    let checkAt = now + FIRST_FREEZER_CHECK_NS;
    for (;;) {
      if (now >= deadlineNs) return null;
      timer.armUntil(checkAt < deadlineNs ? checkAt : deadlineNs, now);
      const r = timer.wait(tid);
      if (!r.timedOut) return r.status;
      now = process.hrtime.bigint();
      if (now >= checkAt) {
        this.lateThaw(pid, report);
        checkAt = now + FREEZER_RECHECK_NS;
      }
    }
  }

  /**
   * After an ESRCH mid-injection: waits (up to 2 s) for what happened to the thread. Its exit
   * status is collected here, so a killed target does not linger as a ptrace zombie.
   */
  private settle(tid: number): 'exited' | 'stopped' | 'unknown' {
    let s: WaitStatus | null;
    try {
      s = waitWithDeadline(tid, process.hrtime.bigint() + 2_000_000_000n);
    } catch {
      return 'exited'; // ECHILD: already reaped, not our tracee any more
    }
    if (s === null) return 'unknown';
    if (s.kind === 'exited' || s.kind === 'signaled') return 'exited';
    return s.kind === 'stopped' ? 'stopped' : 'unknown';
  }

  /** The target's stop is late: if a freezer holds it, thaw it now (it re-freezes before the detach) and record it. */
  private lateThaw(pid: number, report: InjectionReport): void {
    try {
      const more = this.freezer.freezing(pid, { fresh: true }).filter((c) => !report.thawed.some((t) => t.dir === c.dir));
      if (more.length === 0) return;
      thawCgroups(more);
      report.thawed.push(...more);
    } catch { /* target gone: the wait reports it */ }
  }

  /** Address of a `syscall` instruction in the target's vDSO, cached per thread and checked with PEEKDATA. */
  private syscallInsn(pid: number, tid: number): number {
    const key = `${pid}:${tid}`;
    const cached = this.vdsoCache.get(key);
    if (cached !== undefined) {
      try {
        if ((ptracePeekData(tid, cached) & 0xffffn) === 0x050fn) return cached;
      } catch { /* unmapped after exec: look again */ }
    }
    const found = locateVdsoSyscall(pid).syscallInsnAddr;
    if (this.vdsoCache.size > 4096) this.vdsoCache.clear();
    this.vdsoCache.set(key, found);
    return found;
  }

  /** Freezes the thawed cgroups again, before the detach (the thread then freezes on its way out of the stop). */
  private refreeze(report: InjectionReport): void {
    if (report.thawed.length === 0) return;
    try { refreezeCgroups(report.thawed); } catch { /* retried once more by run() */ }
  }

  private safeDetach(tid: number, signal: number): void {
    try { ptraceDetach(tid, signal); } catch { /* gone */ }
  }
}

/** `ENAME` of a negative madvise return value. */
export function madviseErrorName(ret: number): string {
  return ret < 0 ? errnoName(-ret) : 'OK';
}
