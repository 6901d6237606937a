/**
 * Where the cgroup hierarchies are mounted: cgroup2, and the v1 hierarchies of the freezer,
 * memory and cpu controllers. Read from the mount table; a tree without one (a fixture) is looked at
 * in the usual places. This is the one place that finds cgroup2.
 */
import { HOST_ROOT, hostExists } from '../proc/hostfs.ts';
import { type MountEntry, readMounts } from '../proc/mounts.ts';

/** Mount points of the cgroup hierarchies hintbench uses (null: not mounted). */
export interface CgroupMounts {
  /** cgroup2. */
  v2: string | null;
  /** The v1 hierarchy holding the freezer controller. */
  v1Freezer: string | null;
  /** The v1 hierarchy holding the memory controller. */
  v1Memory: string | null;
  /** The v1 hierarchy holding the cpu controller (CFS quota). */
  v1Cpu: string | null;
}

/** Usual cgroup2 mount points: pure v2 at the top, systemd's hybrid layout under unified/. */
const V2_PLACES = ['/sys/fs/cgroup', '/sys/fs/cgroup/unified'];

/** The cgroup mounts of a mount table (the first of each kind). */
export function cgroupMountsOf(mounts: readonly MountEntry[]): CgroupMounts {
  const v1 = (controller: string): string | null => mounts.find((m) => m.fsType === 'cgroup' && m.superOptions.includes(controller))?.mountPoint ?? null;
  return { v2: mounts.find((m) => m.fsType === 'cgroup2')?.mountPoint ?? null, v1Freezer: v1('freezer'), v1Memory: v1('memory'), v1Cpu: v1('cpu') };
}

/** The cgroup mounts below `root` (/proc/self/mountinfo, or the usual places when it cannot be read). */
export function readCgroupMounts(root: string = HOST_ROOT): CgroupMounts {
  const table = readMounts(root);
  if (table !== null) return cgroupMountsOf(table);
  return {
    v2: V2_PLACES.find((dir) => hostExists(root, `${dir}/cgroup.controllers`)) ?? null,
    v1Freezer: hostExists(root, '/sys/fs/cgroup/freezer/freezer.state') || hostExists(root, '/sys/fs/cgroup/freezer/tasks') ? '/sys/fs/cgroup/freezer' : null,
    v1Memory: hostExists(root, '/sys/fs/cgroup/memory/memory.limit_in_bytes') ? '/sys/fs/cgroup/memory' : null,
    v1Cpu: ['/sys/fs/cgroup/cpu', '/sys/fs/cgroup/cpu,cpuacct'].find((dir) => hostExists(root, `${dir}/cpu.cfs_quota_us`)) ?? null,
  };
}
