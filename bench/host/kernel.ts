/** Kernel release and version comparison. */
import { HOST_ROOT, readHostText } from '../../core/proc/hostfs.ts';

/** A kernel version as major.minor.patch. */
export interface KernelVersion {
  major: number;
  minor: number;
  patch: number;
}

/** Oldest kernel with process_madvise(2). */
export const MIN_KERNEL: KernelVersion = { major: 5, minor: 10, patch: 0 };

/** Parses the leading numbers of a release string (`6.18.44-fc-v657`, `5.10.0-28-amd64`, `6.1`); null when it has none. */
export function parseKernelVersion(release: string): KernelVersion | null {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release.trim());
  if (m === null) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: m[3] === undefined ? 0 : Number(m[3]) };
}

/** Negative when a < b, 0 when equal, positive when a > b. */
export function compareKernelVersions(a: KernelVersion, b: KernelVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** True when `release` is at least `min`; false for an unparsable release. */
export function kernelAtLeast(release: string, min: KernelVersion = MIN_KERNEL): boolean {
  const v = parseKernelVersion(release);
  return v !== null && compareKernelVersions(v, min) >= 0;
}

/** The running kernel's release (/proc/sys/kernel/osrelease), or null when unreadable. */
export function readKernelRelease(root: string = HOST_ROOT): string | null {
  return readHostText(root, '/proc/sys/kernel/osrelease')?.trim() ?? null;
}
