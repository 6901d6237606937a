/**
 * What an injection method gets once the target thread is in its interrupt stop, and what
 * it hands back for the detach.
 */
import type { X86_64Regs } from '../../sys/ptrace-regs.ts';
import type { InjectionReport, InjectRequest } from './report.ts';
import type { StopWaiter } from './stops.ts';

/** A seized thread in its PTRACE_EVENT_STOP, with its state saved. */
export interface StoppedTarget {
  pid: number;
  tid: number;
  req: InjectRequest;
  report: InjectionReport;
  /** Registers at the stop (never modified). */
  saved: X86_64Regs;
  /** Signal mask at the stop (8 bytes, never modified). */
  savedMask: Buffer;
  waiter: StopWaiter;
}

/** A signal to hand back to the target at or after the detach. */
export interface DeferredSignal {
  signal: number;
  /** Its siginfo (128 bytes). */
  info: Buffer;
}

/** madvise(2) on x86_64. */
export const NR_MADVISE_X86_64 = 28;

/** Signals a fault in the injected code raises (never passed on: the fault is the injector's). */
export const FAULT_SIGNALS: ReadonlySet<number> = new Set([4, 5, 7, 8, 11, 31]); // SIGILL SIGTRAP SIGBUS SIGFPE SIGSEGV SIGSYS
