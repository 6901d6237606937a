/**
 * Decoding of the status word waitpid(2) returns, including ptrace stops
 * (include/uapi/linux/ptrace.h, sys/wait.h macros). Pure: no system calls.
 */
import { constants as osConstants } from 'node:os';

/** PTRACE_EVENT_STOP: group-stop or PTRACE_INTERRUPT stop of a seized tracee (status >> 16). */
export const PTRACE_EVENT_STOP = 128;

/** A decoded wait status. */
export type WaitStatus =
  | { kind: 'exited'; exitCode: number }
  | { kind: 'signaled'; signal: number; coreDumped: boolean }
  | {
      kind: 'stopped';
      /** WSTOPSIG: the signal of a signal-delivery stop, SIGTRAP for an interrupt or step trap, the stop signal of a group-stop. */
      signal: number;
      /** status >> 16: 0 for a signal-delivery stop, PTRACE_EVENT_* otherwise (128 = PTRACE_EVENT_STOP). */
      event: number;
    }
  | { kind: 'continued' };

/** WIFEXITED. */
export function wIfExited(status: number): boolean {
  return (status & 0x7f) === 0;
}

/** WEXITSTATUS. */
export function wExitStatus(status: number): number {
  return (status >> 8) & 0xff;
}

/** WIFSIGNALED. */
export function wIfSignaled(status: number): boolean {
  return (((status & 0x7f) + 1) << 24) >> 25 > 0;
}

/** WTERMSIG. */
export function wTermSig(status: number): number {
  return status & 0x7f;
}

/** WIFSTOPPED. */
export function wIfStopped(status: number): boolean {
  return (status & 0xff) === 0x7f;
}

/** WSTOPSIG. */
export function wStopSig(status: number): number {
  return (status >> 8) & 0xff;
}

/** The ptrace event of a stop (status >> 16); 0 for signal-delivery stops. */
export function wPtraceEvent(status: number): number {
  return (status >>> 16) & 0xffff;
}

/** WIFCONTINUED. */
export function wIfContinued(status: number): boolean {
  return status === 0xffff;
}

/** Decodes a waitpid status word. */
export function decodeWaitStatus(status: number): WaitStatus {
  if (wIfContinued(status)) return { kind: 'continued' };
  if (wIfStopped(status)) return { kind: 'stopped', signal: wStopSig(status), event: wPtraceEvent(status) };
  if (wIfExited(status)) return { kind: 'exited', exitCode: wExitStatus(status) };
  return { kind: 'signaled', signal: wTermSig(status), coreDumped: (status & 0x80) !== 0 };
}

/** True for the stop PTRACE_INTERRUPT (or a group-stop of a seized tracee) produces. */
export function isEventStop(s: WaitStatus): boolean {
  return s.kind === 'stopped' && s.event === PTRACE_EVENT_STOP;
}

/** A one-line description of a wait status, for error messages. */
export function describeWaitStatus(s: WaitStatus): string {
  switch (s.kind) {
    case 'exited':
      return `exited with code ${s.exitCode}`;
    case 'signaled':
      return `killed by ${signalName(s.signal)}${s.coreDumped ? ' (core dumped)' : ''}`;
    case 'continued':
      return 'continued';
    case 'stopped':
      return s.event === 0 ? `signal-delivery stop (${signalName(s.signal)})` : `ptrace event ${s.event} stop (signal ${s.signal})`;
  }
}

const SIGNAL_NAMES = new Map<number, string>();

/** Name of a signal number (`SIGKILL`), or `signal N` when unknown. */
export function signalName(signal: number): string {
  if (SIGNAL_NAMES.size === 0) {
    for (const [name, n] of Object.entries(osConstants.signals)) if (!SIGNAL_NAMES.has(n)) SIGNAL_NAMES.set(n, name);
  }
  return SIGNAL_NAMES.get(signal) ?? `signal ${signal}`;
}
