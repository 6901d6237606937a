/** prctl(2) operations hintbench's processes need: thread name, parent-death signal, no-new-privileges, child subreaper. */
import { lastErrno, libc } from './libc.ts';
import { SyscallError } from './errno.ts';

const PR_SET_PDEATHSIG = 1;
const PR_SET_NAME = 15;
const PR_SET_CHILD_SUBREAPER = 36;
const PR_SET_NO_NEW_PRIVS = 38;
/** Longest thread name the kernel keeps (TASK_COMM_LEN - 1). */
export const MAX_COMM_BYTES = 15;

const prctlNative: (option: number, ...typedArgs: unknown[]) => number = libc.func('int prctl(int option, ...)');

/** Sets the calling thread's name (its /proc comm); names longer than 15 bytes are refused. */
export function setThreadName(name: string): void {
  if (Buffer.byteLength(name) > MAX_COMM_BYTES) throw new RangeError(`thread name '${name}' is longer than ${MAX_COMM_BYTES} bytes`);
  if (prctlNative(PR_SET_NAME, 'str', name) !== 0) throw new SyscallError(`prctl(PR_SET_NAME, ${name})`, lastErrno());
}

/**
 * Asks the kernel to send `signal` to this process when the thread that forked it exits
 * (PR_SET_PDEATHSIG), so a workload dies with its runner.
 */
export function setParentDeathSignal(signal: number): void {
  if (prctlNative(PR_SET_PDEATHSIG, 'unsigned long', signal) !== 0) throw new SyscallError(`prctl(PR_SET_PDEATHSIG, ${signal})`, lastErrno());
}

/** Sets PR_SET_NO_NEW_PRIVS on the calling process (needed before an unprivileged seccomp filter). */
export function setNoNewPrivs(): void {
  if (prctlNative(PR_SET_NO_NEW_PRIVS, 'unsigned long', 1, 'unsigned long', 0, 'unsigned long', 0, 'unsigned long', 0) !== 0) {
    throw new SyscallError('prctl(PR_SET_NO_NEW_PRIVS)', lastErrno());
  }
}

/** Makes the calling process the reaper of its orphaned descendants (PR_SET_CHILD_SUBREAPER). */
export function setChildSubreaper(): void {
  if (prctlNative(PR_SET_CHILD_SUBREAPER, 'unsigned long', 1) !== 0) throw new SyscallError('prctl(PR_SET_CHILD_SUBREAPER)', lastErrno());
}
