/**
 * waitpid(2): the one binding of it, and its options. Callers pass a caller-owned 4-byte
 * buffer for the status word (or null when they do not want it) so that a wait allocates
 * nothing; decode the word with ptrace-status.ts.
 */
import { libc } from './libc.ts';

/** waitpid option: return 0 at once when no child has changed state. */
export const WNOHANG = 1;
/** waitpid option: wait for every kind of child, clone or not (needed for a traced thread). */
export const __WALL = 0x40000000;

/**
 * waitpid(pid, status, options): the pid whose state changed, 0 (WNOHANG, nothing pending) or
 * -1 with errno set. Synchronous on the calling thread.
 */
export const waitpid: (pid: number, status: Buffer | null, options: number) => number = libc.func('int waitpid(int pid, void *status, int options)');
