/** Which cgroups a process is in (/proc/PID/cgroup), as directories below the mount points. */
import { readFileSync } from 'node:fs';
import type { CgroupMounts } from './mounts.ts';

/** The cgroup directories of one process (null where the hierarchy is not mounted). */
export interface CgroupPlacement {
  /** Its cgroup in the v1 freezer hierarchy. */
  v1Freezer: string | null;
  /** Its cgroup2 cgroup. */
  v2: string | null;
}

/** Parses /proc/PID/cgroup text (`hierarchy:controllers:path` lines) against the mount points. */
export function parseCgroupPlacement(text: string, mounts: Pick<CgroupMounts, 'v1Freezer' | 'v2'>): CgroupPlacement {
  const placement: CgroupPlacement = { v1Freezer: null, v2: null };
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const hierarchy = line.slice(0, first);
    const controllers = line.slice(first + 1, second).split(',');
    const path = line.slice(second + 1);
    const below = (mount: string): string => mount + (path === '/' ? '' : path);
    if (hierarchy === '0' && controllers.join() === '' && mounts.v2 !== null) placement.v2 = below(mounts.v2);
    else if (controllers.includes('freezer') && mounts.v1Freezer !== null) placement.v1Freezer = below(mounts.v1Freezer);
  }
  return placement;
}

/** The cgroups of process `pid`; throws (ENOENT) when it is gone. */
export function readCgroupPlacement(pid: number, mounts: Pick<CgroupMounts, 'v1Freezer' | 'v2'>): CgroupPlacement {
  return parseCgroupPlacement(readFileSync(`/proc/${pid}/cgroup`, 'utf8'), mounts);
}

/** The cgroup directory of a v1 hierarchy holding `controller` in /proc/PID/cgroup text, below its mount point `mount`; null when absent. */
export function parseV1Cgroup(text: string, controller: string, mount: string): string | null {
  for (const line of text.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (m === null || !m[1]!.split(',').includes(controller)) continue;
    const path = m[2]!;
    return mount + (path === '/' ? '' : path);
  }
  return null;
}
