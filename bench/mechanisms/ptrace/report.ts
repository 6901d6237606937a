/**
 * The injector's request and report types (inferred from their schemas in
 * core/schema/tracer-protocol.ts), and the error that ends an injection.
 */
import type { z } from 'zod';
import type {
  InjectionMethodSchema,
  InjectionProfileSchema,
  InjectionReportSchema,
  InjectRequestSchema,
  RangeResultSchema,
  WaitModeSchema,
} from '../../../core/schema/tracer-protocol.ts';

/** How the injector waits for the target's stops. */
export type WaitMode = z.infer<typeof WaitModeSchema>;

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
export type InjectionMethod = z.infer<typeof InjectionMethodSchema>;

/** One injection: ranges of one thread, one advice. */
export type InjectRequest = z.infer<typeof InjectRequestSchema>;

/** The result of one injected madvise. */
export type RangeResult = z.infer<typeof RangeResultSchema>;

/** Where the tracer's time went in one injection (InjectRequest.profile). */
export type InjectionProfile = z.infer<typeof InjectionProfileSchema>;

/** Everything the injector did for one request. */
export type InjectionReport = z.infer<typeof InjectionReportSchema>;

/** A report with nothing done yet. */
export function emptyReport(pid: number, tid: number): InjectionReport {
  return {
    pid,
    tid,
    results: [],
    bytesAdvised: 0,
    syscalls: 0,
    latencyNs: 0,
    stopWindowNs: 0,
    callerCpuNs: 0,
    method: null,
    stops: 0,
    steps: 0,
    frameBytes: 0,
    restart: 'none',
    rseq: 'unchecked',
    tracerCpu: -1,
    waitMode: 'block',
    passedSignals: [],
    deferredSignals: [],
    groupStopped: false,
    thawed: [],
    seccompSuspended: false,
    regsChanged: false,
    detachPending: false,
    windows: { deathNs: null, seccompNs: null, thawNs: null },
    targetSignal: null,
    warnings: [],
    profile: null,
    errorCode: null,
    error: null,
  };
}

/** A failure that ends an injection, with a code for the report. */
export class InjectAbort extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
