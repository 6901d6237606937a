/** The environment fingerprint stored in results.json: where and on what a run happened. */
import { arch, cpus, hostname } from 'node:os';
import { pageSizeBytes } from '../../core/sys/mman.ts';
import type { Environment } from '../../core/types.ts';
import { hintbenchVersion } from '../../core/version.ts';
import { readBpftraceVersion } from '../../bpf/version.ts';
import { detectCgroups } from './cgroup.ts';
import { HOST_ROOT, readHostText } from '../../core/proc/hostfs.ts';
import { readKernelRelease } from './kernel.ts';
import { findReclaimers } from './reclaimers.ts';
import { readMemTotalBytes, readSwapDevices } from './swap.ts';
import { readThpMode } from './thp.ts';

/** CPU model from /proc/cpuinfo text: `model name` (x86), else `Hardware`/`CPU part` (arm), else null. */
export function parseCpuModel(cpuinfo: string): string | null {
  for (const key of ['model name', 'Hardware', 'Processor', 'cpu model', 'CPU part']) {
    const m = new RegExp(`^${key}\\s*:\\s*(.+)$`, 'm').exec(cpuinfo);
    if (m?.[1] !== undefined && m[1].trim() !== '') return key === 'CPU part' ? `CPU part ${m[1].trim()}` : m[1].trim();
  }
  return null;
}

/** Number of online CPUs from a cpulist such as `0-3,6` (/sys/devices/system/cpu/online); null when malformed. */
export function parseCpuList(text: string): number | null {
  let n = 0;
  for (const part of text.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (m === null) return null;
    n += m[2] === undefined ? 1 : Number(m[2]) - Number(m[1]) + 1;
  }
  return n;
}

/**
 * Collects the fingerprint of this host. Uses the same readers as the doctor, so each fact
 * has one source. `root` only redirects the file readers (for tests); the Node and page-size
 * facts always come from this process, the bpftrace version from `bpftracePath`.
 */
export async function collectEnvironment(root: string = HOST_ROOT, bpftracePath = 'bpftrace'): Promise<Environment> {
  const cpuinfo = readHostText(root, '/proc/cpuinfo') ?? '';
  const online = readHostText(root, '/sys/devices/system/cpu/online');
  return {
    hostname: readHostText(root, '/proc/sys/kernel/hostname')?.trim() ?? hostname(),
    kernelRelease: readKernelRelease(root) ?? 'unknown',
    arch: arch(),
    pageSizeBytes: pageSizeBytes(),
    cpuModel: parseCpuModel(cpuinfo) ?? cpus()[0]?.model ?? 'unknown',
    cpuCount: (online === null ? null : parseCpuList(online)) ?? cpus().length,
    memTotalBytes: readMemTotalBytes(root) ?? 0,
    swapDevices: readSwapDevices(root),
    thpMode: readThpMode(root),
    cgroupMemory: detectCgroups(root).memory,
    nodeVersion: process.version,
    bpftraceVersion: await readBpftraceVersion(bpftracePath),
    hintbenchVersion: hintbenchVersion(),
    backgroundReclaimers: findReclaimers(root).map((r) => r.description),
  };
}
