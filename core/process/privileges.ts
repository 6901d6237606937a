/** Whether this process may do what needs root: judged by its effective uid, as the kernel does. */
import { HintbenchError } from '../errors.ts';

/** Effective user id of this process (-1 where the platform has none). */
export function effectiveUid(): number {
  return process.geteuid?.() ?? -1;
}

/** True when this process runs with effective uid 0. */
export function isRoot(): boolean {
  return effectiveUid() === 0;
}

/**
 * Throws a HintbenchError unless this process runs as root: `what` names the action and `why`
 * what in it needs root; the fix is `sudo` + `command`.
 */
export function requireRoot(what: string, why: string, command: string): void {
  if (isRoot()) return;
  throw new HintbenchError(`${what} needs root (${why}; running as uid ${effectiveUid()})`, `run it as root, e.g. sudo ${command}`);
}
