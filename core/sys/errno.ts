/**
 * errno names and descriptions, from Node's own tables: `os.constants.errno` (name -> value,
 * this platform's) and `util.getSystemErrorMap()` (libuv's names and messages).
 */
import { constants } from 'node:os';
import { getSystemErrorMap } from 'node:util';

/** errno value -> symbolic name; where two names share a value (EAGAIN, EWOULDBLOCK), libuv's. */
const NAMES = new Map<number, string>();
/** errno value -> libuv's description. */
const MESSAGES = new Map<number, string>();
for (const [code, [name, message]] of getSystemErrorMap()) {
  NAMES.set(-code, name);
  MESSAGES.set(-code, message);
}
for (const [name, value] of Object.entries(constants.errno)) if (!NAMES.has(value)) NAMES.set(value, name);

/** Symbolic name of an errno value, e.g. 3 -> `ESRCH`; unknown values give `E<n>`. */
export function errnoName(errno: number): string {
  return NAMES.get(errno) ?? `E${errno}`;
}

/** Short description of an errno value, e.g. 3 -> `no such process`; `errno <n>` when Node has none. */
export function errnoDescription(errno: number): string {
  return MESSAGES.get(errno) ?? `errno ${errno}`;
}

/** errno value of a symbolic name, or undefined. */
export function errnoValue(name: string): number | undefined {
  return (constants.errno as Readonly<Record<string, number>>)[name];
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
