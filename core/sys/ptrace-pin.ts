/**
 * Pinning a target's identity across repeated injections: a pidfd is opened before the
 * first injection; before every later one, once the thread is seized (a seized task cannot
 * be reaped, so its pid cannot be recycled while we hold it), pidfd_send_signal(pidfd, 0)
 * must still succeed. A process that exited and was reaped makes it fail with ESRCH, even
 * when a new process got the same pid number meanwhile: that one is detached untouched.
 *
 * The pidfd is the process's (its thread-group id), not a thread's: it holds while any of its
 * threads lives. A process whose main thread has exited (a zombie leader with live threads)
 * is pinned the same way: pidfd_open(tgid) succeeds and pidfd_send_signal(0) returns 0 until
 * the whole group has been reaped (Linux 6.18, checked by test/integration/cli/hint-targets).
 * A non-leader thread id is refused by pidfd_open with ENOENT: callers pass the process.
 */
import { readFileSync } from 'node:fs';
import { lastErrno, libc } from './libc.ts';
import { closeFd, pidfdOpen } from './pidfd.ts';
import { statField } from '../proc/stat.ts';
import { sysCallCounter } from './ptrace.ts';

/** pidfd_send_signal(2) on x86_64 and aarch64 (asm-generic numbering). */
const NR_PIDFD_SEND_SIGNAL = 424;

/**
 * libc syscall() declared with pidfd_send_signal's fixed argument list (checked twice per
 * injection: cheaper than the variadic binding, which parses argument types on every call;
 * glibc's syscall() only moves registers, so a fixed prototype is safe here).
 */
const pidfdSendSignal: (nr: number, pidfd: number, sig: number, info: null, flags: number) => number = libc.func(
  'long syscall(long nr, int pidfd, int sig, void *info, unsigned int flags)',
);

/** A pinned process: its pid number and the pidfd that refers to exactly that process. */
export interface PidPin {
  pid: number;
  pidfd: number;
  /** starttime (field 22 of /proc/PID/stat, clock ticks since boot) when pinned, for messages. */
  startTicks: number;
}

/** Opens a pidfd for `pid` and records its start time. Throws SyscallError (ESRCH) when there is no such process. */
export function pinPid(pid: number): PidPin {
  const pidfd = pidfdOpen(pid);
  let startTicks = -1;
  try {
    startTicks = statField(readFileSync(`/proc/${pid}/stat`, 'utf8'), 22);
  } catch {
    /* exited just now: the next check says so */
  }
  return { pid, pidfd, startTicks };
}

/** True while the pinned process has not been reaped (pidfd_send_signal with signal 0). */
export function pinAlive(pin: PidPin): boolean {
  sysCallCounter.calls++;
  if (pidfdSendSignal(NR_PIDFD_SEND_SIGNAL, pin.pidfd, 0, null, 0) === 0) return true;
  const errno = lastErrno();
  return errno !== 3; // ESRCH: gone; EPERM and others mean it exists
}

/** Closes the pin's pidfd. */
export function unpin(pin: PidPin): void {
  try {
    closeFd(pin.pidfd);
  } catch {
    /* already closed */
  }
}
