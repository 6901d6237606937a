/** pidfd_open(2) and close(2): a stable handle on another process. */
import { lastErrno, libc } from './libc.ts';
import { SyscallError } from './errno.ts';
import { syscall, syscallNumber } from './syscall.ts';

const closeNative: (fd: number) => number = libc.func('int close(int fd)');

/**
 * Opens a pidfd for `pid` (flags 0). Throws SyscallError: ESRCH when the process does not
 * exist, ENOSYS on kernels before 5.3.
 */
export function pidfdOpen(pid: number): number {
  const fd = syscall(syscallNumber('pidfd_open'), 'int', pid, 'unsigned int', 0);
  if (fd < 0) throw new SyscallError(`pidfd_open(${pid})`, lastErrno());
  return fd;
}

/** Closes a file descriptor; throws SyscallError (e.g. EBADF) when close(2) fails. */
export function closeFd(fd: number): void {
  if (closeNative(fd) !== 0) throw new SyscallError(`close(${fd})`, lastErrno());
}
