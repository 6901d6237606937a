import { ERRNO } from './errno-table.ts';

/** Symbolic name of an errno value, e.g. 3 -> `ESRCH`; unknown values give `E<n>`. */
export function errnoName(errno: number): string {
  return ERRNO.get(errno)?.[0] ?? `E${errno}`;
}

/** Short description of an errno value, e.g. 3 -> `No such process`. */
export function errnoDescription(errno: number): string {
  return ERRNO.get(errno)?.[1] ?? `unknown error ${errno}`;
}

/** errno value of a symbolic name, or undefined. */
export function errnoValue(name: string): number | undefined {
  for (const [value, [n]] of ERRNO) if (n === name) return value;
  return undefined;
}

/** A failed system call, with its errno as a number and as a name. */
export class SyscallError extends Error {
  /** errno value. */
  readonly errno: number;
  /** Symbolic errno name (`ESRCH`). */
  readonly code: string;
  /** The call that failed, e.g. `pidfd_open(1234)`. */
  readonly call: string;

  constructor(call: string, errno: number) {
    super(`${call} failed: ${errnoName(errno)} (${errnoDescription(errno)})`);
    this.name = 'SyscallError';
    this.errno = errno;
    this.code = errnoName(errno);
    this.call = call;
  }
}
