/**
 * The injector's request and report types, and the error that ends an injection.
 */
import type { FreezerCgroup } from '../../../core/cgroup/freezer.ts';
import type { RestartKind } from '../../../core/sys/ptrace-sigframe.ts';

/** How the injector waits for the target's stops. */
export type WaitMode = 'block' | 'poll';

/**
 * How the madvise is made to run in the target.
 *  - `sigframe`: registers point at a `syscall; ret` gadget, with an rt_sigreturn frame on the
 *    target's stack holding its original context; the tracer follows the call with
 *    PTRACE_SYSCALL stops and restores the registers itself. Should the tracer vanish at any
 *    instant, the target finishes the call and returns to its context through rt_sigreturn.
 *  - `singlestep`: registers point at a `syscall` in the vDSO and the tracer single-steps it.
 *    Used only when the target lacks a gadget, an rt_sigreturn sequence or stack room: a
 *    tracer killed between PTRACE_SETREGS and the restore leaves the target to die of SIGTRAP.
 */
export type InjectionMethod = 'sigframe' | 'singlestep';

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
   * measured no gain here, the scheduler wakes the stopped target on the other, idle CPU).
   */
  followCpu?: boolean;
  /** `auto` (default): sigframe when possible, else singlestep (with a warning); or force one method. */
  method?: 'auto' | InjectionMethod;
  /**
   * Honour restartable sequences (default true). false restores the saved rip even inside an
   * rseq critical section: only for demonstrating what the fixup prevents.
   */
  rseqFixup?: boolean;
  /** Record where the tracer's time goes (InjectionReport.profile). */
  profile?: boolean;
}

/** The result of one injected madvise. */
export interface RangeResult {
  startAddr: number;
  lengthBytes: number;
  /** madvise's return value: 0, or -errno. */
  ret: number;
}

/** Where the tracer's time went in one injection (InjectRequest.profile). */
export interface InjectionProfile {
  /** System calls the tracer issued (ptrace, waitpid, process_vm_*, ...); each costs one koffi call. */
  sysCalls: number;
  /** Time spent waiting for stops, in ns. */
  waitNs: number;
  /** Waits that went to sleep in a blocking waitpid (the tracer had to be woken up). */
  blockedWaits: number;
  /** Time from the first stop to the first resume (state saved, frame built and written), in ns. */
  setupNs: number;
  /** Time from the last stop to after the detach (restore), in ns. */
  restoreNs: number;
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
  /** Method used, or null when the injection ended before one was chosen. */
  method: InjectionMethod | null;
  /** ptrace stops the tracer waited for (interrupt, system-call entry/exit, steps, group stops). */
  stops: number;
  /** PTRACE_SINGLESTEP requests issued (singlestep method). */
  steps: number;
  /** Bytes of the rt_sigreturn frame written below the target's stack pointer (sigframe method). */
  frameBytes: number;
  /** What was done about a system call the stop interrupted: kernel = left to the kernel's own restart handling (a signal was pending). */
  restart: RestartKind | 'kernel';
  /** rseq: `aborted` = the thread was inside a critical section and resumes at its abort handler. */
  rseq: 'unregistered' | 'outside' | 'aborted' | 'ignored' | 'invalid' | 'unchecked';
  /** CPU the tracer moved to for this injection (the target's last CPU), or -1 when it did not follow. */
  tracerCpu: number;
  /** How the stops were awaited (`poll` when blocking waits were asked for but are unavailable). */
  waitMode: WaitMode;
  /** Signals that arrived while the target was seized and were passed on to it at once. */
  passedSignals: number[];
  /** Signals that arrived during single steps, re-delivered at or after the detach (singlestep method). */
  deferredSignals: number[];
  /** The target was in a group-stop (SIGSTOPped) when it trapped. */
  groupStopped: boolean;
  /** cgroups thawed for the injection and frozen again before the detach. */
  thawed: FreezerCgroup[];
  /** The target's seccomp filters were suspended (PTRACE_O_SUSPEND_SECCOMP and the target has seccomp). */
  seccompSuspended: boolean;
  /** The target's registers were changed (and restored) at least once. */
  regsChanged: boolean;
  /** The thread is still seized with an interrupt pending (stop timeout); detached when it stops. */
  detachPending: boolean;
  /**
   * Windows in which a SIGKILLed tracer would leave the target changed, in ns (null: none in
   * this injection): `deathNs` the target would die (singlestep method: first step to
   * restore); `seccompNs` its filter would see the injected madvise (SETREGS to the
   * system-call entry); `thawNs` its cgroup would stay thawed (thaw to re-freeze).
   */
  windows: { deathNs: number | null; seccompNs: number | null; thawNs: number | null };
  /** Signal that killed the target during the injection, or null. */
  targetSignal: number | null;
  /** Things the caller should know that did not stop the injection (fallbacks, unsupported checks). */
  warnings: string[];
  /** Time breakdown (InjectRequest.profile), or null. */
  profile: InjectionProfile | null;
  /** Symbolic error code (`ESRCH`, `ETIMEDOUT`, `EXITED`, `EPIDREUSED`, `EFROZEN`, `ESECCOMP`, `EARCH`, ...) or null. */
  errorCode: string | null;
  /** One-line error message, or null on success (per-range errors are in `results`). */
  error: string | null;
}

/** A report with nothing done yet. */
export function emptyReport(pid: number, tid: number): InjectionReport {
  return {
    pid, tid, results: [], bytesAdvised: 0, syscalls: 0, latencyNs: 0, stopWindowNs: 0, callerCpuNs: 0,
    method: null, stops: 0, steps: 0, frameBytes: 0, restart: 'none', rseq: 'unchecked',
    tracerCpu: -1, waitMode: 'block', passedSignals: [], deferredSignals: [], groupStopped: false, thawed: [], seccompSuspended: false,
    regsChanged: false, detachPending: false, windows: { deathNs: null, seccompNs: null, thawNs: null }, targetSignal: null,
    warnings: [], profile: null, errorCode: null, error: null,
  };
}

/** A failure that ends an injection, with a code for the report. */
export class InjectAbort extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}
