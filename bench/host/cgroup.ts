/** The cgroup layout the doctor and the fingerprint describe: where the memory controller and the freezers live (v1, v2, or both in a hybrid layout). */
import { HOST_ROOT, hostExists, readHostText } from '../../core/proc/hostfs.ts';
import { kernelAtLeast, readKernelRelease } from './kernel.ts';
import { readCgroupMounts } from '../../core/cgroup/mounts.ts';

/** What the cgroup file system offers for memory control and freezing. */
export interface CgroupInfo {
  /**
   * `v1`: memory controller on a v1 hierarchy, no cgroup2 mounted; `v2`: memory controller on
   * cgroup2; `hybrid`: memory controller on v1 while cgroup2 is also mounted (systemd's hybrid
   * layout); `none`: no memory controller.
   */
  memory: 'v1' | 'v2' | 'hybrid' | 'none';
  /** Directory of the memory controller's root cgroup, or null. */
  memoryRoot: string | null;
  /** Mount point of cgroup2, or null when it is not mounted. */
  v2Root: string | null;
  /** Freezers available: v1 freezer controller and/or v2 cgroup.freeze. */
  freezer: { v1: string | null; v2: string | null };
}

/** Controllers enabled at a cgroup2 root (its cgroup.controllers), or null when it cannot be read. */
function v2Controllers(root: string, dir: string): string[] | null {
  const text = readHostText(root, `${dir}/cgroup.controllers`);
  return text === null
    ? null
    : text
        .trim()
        .split(/\s+/)
        .filter((c) => c !== '');
}

/**
 * Detects the cgroup layout below `root`. `kernelRelease` decides whether cgroup2 has
 * cgroup.freeze (Linux 5.2+); it defaults to the running kernel's.
 */
export function detectCgroups(root: string = HOST_ROOT, kernelRelease: string | null = readKernelRelease(root)): CgroupInfo {
  const mounts = readCgroupMounts(root);
  const v2Root = mounts.v2 !== null && v2Controllers(root, mounts.v2) !== null ? mounts.v2 : null;
  const v2Memory = v2Root !== null && (v2Controllers(root, v2Root) ?? []).includes('memory');
  const v1Memory = mounts.v1Memory !== null && hostExists(root, `${mounts.v1Memory}/memory.limit_in_bytes`) ? mounts.v1Memory : null;
  const v2Freezer = v2Root !== null && kernelRelease !== null && kernelAtLeast(kernelRelease, { major: 5, minor: 2, patch: 0 }) ? v2Root : null;
  let memory: CgroupInfo['memory'] = 'none';
  let memoryRoot: string | null = null;
  if (v2Memory) {
    memory = 'v2';
    memoryRoot = v2Root;
  } else if (v1Memory !== null) {
    memory = v2Root === null ? 'v1' : 'hybrid';
    memoryRoot = v1Memory;
  }
  return { memory, memoryRoot, v2Root, freezer: { v1: mounts.v1Freezer, v2: v2Freezer } };
}

/** One line describing the layout, e.g. `hybrid: memory controller at /sys/fs/cgroup/memory (v1), cgroup2 at /sys/fs/cgroup/unified`. */
export function describeCgroups(info: CgroupInfo): string {
  const v2 = info.v2Root === null ? 'cgroup2 not mounted' : `cgroup2 at ${info.v2Root}`;
  switch (info.memory) {
    case 'v2':
      return `v2: memory controller at ${info.memoryRoot}`;
    case 'v1':
      return `v1: memory controller at ${info.memoryRoot}; ${v2}`;
    case 'hybrid':
      return `hybrid: memory controller at ${info.memoryRoot} (v1); ${v2} without it`;
    case 'none':
      return `no memory controller; ${v2}`;
  }
}
