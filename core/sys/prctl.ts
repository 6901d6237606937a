/** prctl(2) operations a workload needs: thread name and parent-death signal. */
import { lastErrno, libc } from './libc.ts';
import { SyscallError } from './errno.ts';

const PR_SET_PDEATHSIG = 1;
const PR_SET_NAME = 15;
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
