/**
 * File access for the host readers. Every reader takes a `root` directory (default `/`) so
 * unit tests can point it at a fixture tree under test/fixtures/host/.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The real host. */
export const HOST_ROOT = '/';

/** `absPath` below `root` (`hostPath('/tmp/fx', '/proc/swaps')` is `/tmp/fx/proc/swaps`). */
export function hostPath(root: string, absPath: string): string {
  return root === HOST_ROOT ? absPath : join(root, absPath);
}

/** Contents of a file below `root`, or null when it is missing or unreadable. */
export function readHostText(root: string, absPath: string): string | null {
  try {
    return readFileSync(hostPath(root, absPath), 'utf8');
  } catch {
    return null;
  }
}

/** True when the path exists below `root`. */
export function hostExists(root: string, absPath: string): boolean {
  return existsSync(hostPath(root, absPath));
}

/** Entry names of a directory below `root`; empty when it is missing or unreadable. */
export function listHostDir(root: string, absPath: string): string[] {
  try {
    return readdirSync(hostPath(root, absPath));
  } catch {
    return [];
  }
}
