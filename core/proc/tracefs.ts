/** tracefs: where it is mounted, whether it can be read, and which tracepoints it has. */
import { statSync } from 'node:fs';
import { HOST_ROOT, hostExists, hostPath } from './hostfs.ts';
import { readMounts } from './mounts.ts';

/** Where hintbench mounts tracefs when it is missing. */
export const TRACEFS_MOUNT = '/sys/kernel/tracing';

/** Places tracefs is found: its own mount, or below debugfs on older setups. */
export const TRACEFS_DIRS = [TRACEFS_MOUNT, '/sys/kernel/debug/tracing'] as const;

/** The tracefs directory with an `events/` tree, or null when tracefs is not mounted. */
export function findTracefs(root: string = HOST_ROOT): string | null {
  return TRACEFS_DIRS.find((dir) => hostExists(root, `${dir}/events`)) ?? null;
}

/** True when tracefs is mounted at its own mount point (/sys/kernel/tracing). */
export function tracefsMounted(root: string = HOST_ROOT): boolean {
  return hostExists(root, `${TRACEFS_MOUNT}/events`);
}

/** Tracepoints from `wanted` that have no events/<category>/<name> directory under `tracefsDir`. */
export function missingTracepoints(tracefsDir: string, wanted: readonly string[], root: string = HOST_ROOT): string[] {
  return wanted.filter((tp) => !hostExists(root, `${tracefsDir}/events/${tp}`));
}

/** Whether a path can be looked at: present, absent, or present but not accessible to this user. */
export type PathAccess = 'ok' | 'missing' | 'denied';

/** stat() of a path below `root`: `denied` on EACCES/EPERM, `missing` on any other failure. */
export function pathAccess(root: string, absPath: string): PathAccess {
  try {
    statSync(hostPath(root, absPath));
    return 'ok';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EACCES' || code === 'EPERM' ? 'denied' : 'missing';
  }
}

/** Mount points of tracefs below `root`, or null when the mount table is unreadable. */
export function tracefsMountPoints(root: string = HOST_ROOT): string[] | null {
  return (
    readMounts(root)
      ?.filter((m) => m.fsType === 'tracefs')
      .map((m) => m.mountPoint) ?? null
  );
}

/** What the doctor knows about tracefs. */
export type TracefsStatus =
  /** Mounted and readable: `dir` has events/. */
  | { state: 'ok'; dir: string }
  /** Mounted (per the mount table) at `dir`, but this user cannot read its events/. */
  | { state: 'unreadable'; dir: string }
  /** Not mounted at any of TRACEFS_DIRS. */
  | { state: 'missing' };

/**
 * Tells "tracefs is not mounted" apart from "tracefs is mounted but this user may not read
 * it" (/sys/kernel/tracing is mode 0700 root): the mount table says whether it is mounted,
 * access to events/ whether it can be used. Without a readable mount table, a denied access
 * still counts as mounted. `access` is injectable for tests, which run as root.
 */
export function probeTracefs(root: string = HOST_ROOT, access: (root: string, absPath: string) => PathAccess = pathAccess): TracefsStatus {
  const mounts = tracefsMountPoints(root);
  let unreadable: string | null = null;
  for (const dir of TRACEFS_DIRS) {
    const a = access(root, `${dir}/events`);
    if (a === 'ok') return { state: 'ok', dir };
    if (a === 'denied' && (mounts === null || mounts.includes(dir)) && unreadable === null) unreadable = dir;
  }
  return unreadable === null ? { state: 'missing' } : { state: 'unreadable', dir: unreadable };
}
