/**
 * What an injection method gets once the target thread is in its interrupt stop, and what
 * it hands back for the detach.
 */
import { constants } from 'node:os';
import { SYSCALL_NUMBERS } from '../../../core/sys/syscall.ts';
import type { X86_64Regs } from '../../../core/sys/ptrace-regs.ts';
import { signalName, type WaitStatus } from '../../../core/sys/ptrace-status.ts';
import { InjectAbort, type InjectionReport, type InjectRequest } from './report.ts';
import { NO_DEADLINE_NS, type StopWaiter } from './stops.ts';

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

/** madvise(2) on x86_64 (the injection is x86_64 only). */
export const NR_MADVISE_X86_64 = SYSCALL_NUMBERS.x64!.madvise;

/** Signals a fault in the injected code raises (never passed on: the fault is the injector's). */
export const FAULT_SIGNALS: ReadonlySet<number> = new Set((['SIGILL', 'SIGTRAP', 'SIGBUS', 'SIGFPE', 'SIGSEGV', 'SIGSYS'] as const).map((name) => constants.signals[name]));

/**
 * The next stop of an injection said the thread is gone (`exited` or `signaled`): records the
 * signal in the report and returns the error naming the pid and the signal; null otherwise.
 */
export function exitedDuring(t: StoppedTarget, s: WaitStatus): InjectAbort | null {
  if (s.kind !== 'exited' && s.kind !== 'signaled') return null;
  if (s.kind === 'signaled') t.report.targetSignal = s.signal;
  const how = s.kind === 'signaled' ? `was killed by ${signalName(s.signal)}` : `exited with code ${s.exitCode}`;
  return new InjectAbort('EXITED', `target thread ${t.tid} of pid ${t.pid} ${how} during the injection (after ${t.report.syscalls} of ${t.req.ranges.length} madvise calls)`);
}

/**
 * Waits (without a deadline: the injected call runs as long as the kernel needs) for the next
 * stop of thread `t` while it runs injected code, and counts it. Returns the stop; null for a
 * wake-up to ignore (no state change, or `continued`). Throws InjectAbort when the thread
 * exited or was killed meanwhile.
 */
export function nextInjectedStop(t: StoppedTarget): Extract<WaitStatus, { kind: 'stopped' }> | null {
  const s = t.waiter.wait(t.tid, NO_DEADLINE_NS, t.pid, t.report);
  t.report.stops++;
  if (s === null) return null;
  const gone = exitedDuring(t, s);
  if (gone !== null) throw gone;
  return s.kind === 'stopped' ? s : null;
}

/** Records one madvise's return value in the report. */
export function recordResult(report: InjectionReport, range: { startAddr: number; lengthBytes: number }, ret: number): void {
  report.syscalls++;
  report.results.push({ startAddr: range.startAddr, lengthBytes: range.lengthBytes, ret });
  if (ret === 0) report.bytesAdvised += range.lengthBytes;
}

/** Sets `regs` to call madvise(range, advice) from the `syscall` instruction at `rip` (orig_rax -1: no restart handling). */
export function setMadviseCall(regs: X86_64Regs, rip: number, range: { startAddr: number; lengthBytes: number }, advice: number): void {
  regs.set('rip', rip);
  regs.set('rax', NR_MADVISE_X86_64);
  regs.set('orig_rax', -1);
  regs.set('rdi', range.startAddr);
  regs.set('rsi', range.lengthBytes);
  regs.set('rdx', advice);
}
