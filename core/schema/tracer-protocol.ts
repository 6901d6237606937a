/**
 * The protocol between the ptrace mechanism (runner side) and its tracer process
 * (bench/mechanisms/ptrace/tracer-main.ts): JSON lines, one request per line to the tracer's
 * stdin, one response per line on its stdout. The tracer's first line is `ready`; every later
 * line answers exactly one request and repeats its `id`. The injection request and report are
 * declared here once; the mechanism's types are inferred from them.
 */
import { z } from 'zod';

const id = z.int().nonnegative();
const pid = z.int().positive();
/** A duration or time span in ns, as measured (not necessarily an integer). */
const ns = z.number().nonnegative();

/** How the injector waits for the target's stops: blocking waitpid with a timer deadline, or polling. */
export const WaitModeSchema = z.enum(['block', 'poll']);
/** How the madvise is made to run in the target (see bench/mechanisms/ptrace/report.ts). */
export const InjectionMethodSchema = z.enum(['sigframe', 'singlestep']);

/** One range of one injection. */
export const InjectRangeSchema = z.object({ startAddr: z.int().nonnegative(), lengthBytes: z.int().nonnegative() });

/** One injection: ranges of one thread, one advice. */
export const InjectRequestSchema = z.object({
  /** Thread group id of the target. */
  pid,
  /** Thread that executes the madvise calls (default: the main thread, tid = pid). */
  tid: pid.optional(),
  /** madvise advice value (core/sys/syscall.ts ADVICE_VALUE). */
  advice: z.int().nonnegative(),
  /** Ranges; one madvise call each. */
  ranges: z.array(InjectRangeSchema),
  /** How long to wait for the target to stop before giving up, in ms (default 2000). */
  stopTimeoutMs: z.number().positive().optional(),
  /** Use PTRACE_O_SUSPEND_SECCOMP when permitted (default true). */
  suspendSeccomp: z.boolean().optional(),
  /** Thaw a cgroup-frozen target for the injection and re-freeze it (default true); false fails with `EFROZEN`. */
  thawFrozen: z.boolean().optional(),
  /** `block` (default) or `poll` (used when the timer cannot be set up); for measurements. */
  waitMode: WaitModeSchema.optional(),
  /** Move the tracer onto the CPU the target last ran on before seizing it (default false). */
  followCpu: z.boolean().optional(),
  /** `auto` (default): sigframe when possible, else singlestep (with a warning); or force one method. */
  method: z.enum(['auto', 'sigframe', 'singlestep']).optional(),
  /** Honour restartable sequences (default true); false only demonstrates what the fixup prevents. */
  rseqFixup: z.boolean().optional(),
  /** Record where the tracer's time goes (InjectionReport.profile). */
  profile: z.boolean().optional(),
});

/** The result of one injected madvise. */
export const RangeResultSchema = InjectRangeSchema.extend({
  /** madvise's return value: 0, or -errno. */
  ret: z.int(),
});

/** Where the tracer's time went in one injection (InjectRequest.profile). */
export const InjectionProfileSchema = z.object({
  /** System calls the tracer issued (ptrace, waitpid, process_vm_*, ...); each costs one koffi call. */
  sysCalls: z.int().nonnegative(),
  /** Time spent waiting for stops, in ns. */
  waitNs: ns,
  /** Waits that went to sleep in a blocking waitpid (the tracer had to be woken up). */
  blockedWaits: z.int().nonnegative(),
  /**
   * Time from the start to the queued interrupt: the pin check, PTRACE_SEIZE and the second
   * pin check, in ns. What keeping the target seized across `--repeat` could save at most.
   */
  seizeNs: ns,
  /** Time from the first stop to the first resume (state saved, frame built and written), in ns. */
  setupNs: ns,
  /** Time from the last stop to after the detach (restore), in ns. */
  restoreNs: ns,
});

/** Everything the injector did for one request. */
export const InjectionReportSchema = z.object({
  pid,
  tid: pid,
  /** Per range, in request order (ranges after a fatal error are missing). */
  results: z.array(RangeResultSchema),
  /** Sum of the lengths of ranges madvise accepted. */
  bytesAdvised: z.int().nonnegative(),
  /** madvise calls executed by the target. */
  syscalls: z.int().nonnegative(),
  /** Wall time from before the seize to after the detach, in ns. */
  latencyNs: ns,
  /** Wall time from the stop's arrival to after the detach (the target's stop window), in ns. */
  stopWindowNs: ns,
  /** CPU time of the injecting thread over the injection, in ns. */
  callerCpuNs: ns,
  /** Method used, or null when the injection ended before one was chosen. */
  method: InjectionMethodSchema.nullable(),
  /** ptrace stops the tracer waited for (interrupt, system-call entry/exit, steps, group stops). */
  stops: z.int().nonnegative(),
  /** PTRACE_SINGLESTEP requests issued (singlestep method). */
  steps: z.int().nonnegative(),
  /** Bytes of the rt_sigreturn frame written below the target's stack pointer (sigframe method). */
  frameBytes: z.int().nonnegative(),
  /** What was done about a system call the stop interrupted: kernel = left to the kernel's own restart handling (a signal was pending). */
  restart: z.enum(['none', 'restart', 'restart-block', 'kernel']),
  /** rseq: `aborted` = the thread was inside a critical section and resumes at its abort handler. */
  rseq: z.enum(['unregistered', 'outside', 'aborted', 'ignored', 'invalid', 'unchecked']),
  /** CPU the tracer moved to for this injection (the target's last CPU), or -1 when it did not follow. */
  tracerCpu: z.int().min(-1),
  /** How the stops were awaited (`poll` when blocking waits were asked for but are unavailable). */
  waitMode: WaitModeSchema,
  /** Signals that arrived while the target was seized and were passed on to it at once. */
  passedSignals: z.array(z.int().positive()),
  /** Signals that arrived during single steps, re-delivered at or after the detach (singlestep method). */
  deferredSignals: z.array(z.int().positive()),
  /** The target was in a group-stop (SIGSTOPped) when it trapped. */
  groupStopped: z.boolean(),
  /** cgroups thawed for the injection and frozen again before the detach. */
  thawed: z.array(z.object({ version: z.enum(['v1', 'v2']), dir: z.string() })),
  /** The target's seccomp filters were suspended (PTRACE_O_SUSPEND_SECCOMP and the target has seccomp). */
  seccompSuspended: z.boolean(),
  /** The target's registers were changed (and restored) at least once. */
  regsChanged: z.boolean(),
  /** The thread is still seized with an interrupt pending (stop timeout); detached when it stops. */
  detachPending: z.boolean(),
  /**
   * Windows in which a SIGKILLed tracer would leave the target changed, in ns (null: none in
   * this injection): `deathNs` the target would die (singlestep method: first step to
   * restore); `seccompNs` its filter would see the injected madvise (SETREGS to the
   * system-call entry); `thawNs` its cgroup would stay thawed (thaw to re-freeze).
   */
  windows: z.object({ deathNs: ns.nullable(), seccompNs: ns.nullable(), thawNs: ns.nullable() }),
  /** Signal that killed the target during the injection, or null. */
  targetSignal: z.int().positive().nullable(),
  /** Things the caller should know that did not stop the injection (fallbacks, unsupported checks). */
  warnings: z.array(z.string()),
  /** Time breakdown (InjectRequest.profile), or null. */
  profile: InjectionProfileSchema.nullable(),
  /** Symbolic error code (`ESRCH`, `ETIMEDOUT`, `EXITED`, `EPIDREUSED`, `EFROZEN`, `ESECCOMP`, `EARCH`, ...) or null. */
  errorCode: z.string().nullable(),
  /** One-line error message, or null on success (per-range errors are in `results`). */
  error: z.string().nullable(),
});

/** Every request the mechanism may send. */
export const TracerRequestSchema = z.discriminatedUnion('cmd', [
  /** Inject madvise calls into a thread and report. */
  InjectRequestSchema.extend({ id, cmd: z.literal('inject') }),
  /** Answer with the tracer's pid, architecture and the threads still waiting for a late stop. */
  z.object({ id, cmd: z.literal('ping') }),
  /** Remember the process's identity (pid + start time): a later injection into a reused pid is refused. */
  z.object({ id, cmd: z.literal('pin'), pid }),
  /** Forget a pinned process. */
  z.object({ id, cmd: z.literal('unpin'), pid }),
  /** Answer like ping, then exit after serving late stops. */
  z.object({ id, cmd: z.literal('shutdown') }),
]);

/** The tracer's state, the answer to `ping` and `shutdown`. */
const PongSchema = z.object({ pid, arch: z.string(), pendingDetach: z.array(pid) });

/** The responses of the tracer, by the key that tells them apart (`error` for a failed or unreadable request, whose `id` is -1 when it could not be read). */
export const TracerResponseSchemas = {
  report: z.object({ id, ok: z.literal(true), report: InjectionReportSchema }),
  pong: z.object({ id, ok: z.literal(true), pong: PongSchema }),
  pinned: z.object({ id, ok: z.literal(true), pinned: z.object({ pid, startTicks: z.int().nonnegative() }) }),
  unpinned: z.object({ id, ok: z.literal(true), unpinned: pid }),
  error: z.object({ id: z.int().min(-1), ok: z.literal(false), error: z.string() }),
} as const;

/** Every response the tracer may write. */
export const TracerResponseSchema = z.union(Object.values(TracerResponseSchemas));

/** The first line the tracer prints once it is ready. */
export const TracerReadySchema = z.object({ event: z.literal('ready'), pid, arch: z.string() });
