/** The environment fingerprint stored in results.json: where and on what a run happened. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { arch, cpus, hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { pageSizeBytes } from '../../core/sys/mman.ts';
import type { Environment, Suite } from '../../core/types.ts';
import { hintbenchVersion } from '../../core/version.ts';
import { readBpftraceVersion } from '../../bpf/version.ts';
import { detectCgroups } from './cgroup.ts';
import { HOST_ROOT, hostExists, hostPath, readHostText } from '../../core/proc/hostfs.ts';
import { readKernelRelease } from './kernel.ts';
import { findReclaimers } from './reclaimers.ts';
import { readMemTotalBytes, readSwapDevices } from './swap.ts';
import { readThpDefrag, readThpMode } from './thp.ts';

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

/** An integer from a one-number sysctl/sysfs file, or null. */
function readInt(root: string, path: string): number | null {
  const text = readHostText(root, path)?.trim();
  return text !== undefined && /^-?\d+$/.test(text) ? Number(text) : null;
}

/** /proc/loadavg's 1, 5 and 15 minute figures, or null when unreadable. */
export function readLoadAverage(root: string = HOST_ROOT): number[] | null {
  const fields = readHostText(root, '/proc/loadavg')?.trim().split(/\s+/).slice(0, 3).map(Number);
  return fields !== undefined && fields.length === 3 && fields.every(Number.isFinite) ? fields : null;
}

/** MGLRU: /sys/kernel/mm/lru_gen/enabled, `absent` without the directory, null when unreadable. */
function readMglru(root: string): string | null {
  if (!hostExists(root, '/sys/kernel/mm/lru_gen')) return 'absent';
  return readHostText(root, '/sys/kernel/mm/lru_gen/enabled')?.trim() ?? null;
}

/** zswap state: `enabled (lz4, pool 20 %)`, `disabled`, `absent`, or null. */
function readZswap(root: string): string | null {
  if (!hostExists(root, '/sys/module/zswap/parameters')) return 'absent';
  const enabled = readHostText(root, '/sys/module/zswap/parameters/enabled')?.trim();
  if (enabled === undefined) return null;
  if (enabled !== 'Y' && enabled !== '1') return 'disabled';
  const compressor = readHostText(root, '/sys/module/zswap/parameters/compressor')?.trim();
  const pool = readHostText(root, '/sys/module/zswap/parameters/max_pool_percent')?.trim();
  const parts = [compressor, pool === undefined ? undefined : `pool ${pool} %`].filter((p) => p !== undefined);
  return parts.length === 0 ? 'enabled' : `enabled (${parts.join(', ')})`;
}

/** SHA-256 of the kernel config text (/proc/config.gz unpacked, else /boot/config-RELEASE), or null. */
function readKernelConfigSha256(root: string, release: string | null): string | null {
  const hash = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
  try {
    return hash(gunzipSync(readFileSync(hostPath(root, '/proc/config.gz'))));
  } catch {
    // not built with IKCONFIG_PROC, or unreadable: try /boot
  }
  if (release === null) return null;
  try {
    return hash(readFileSync(hostPath(root, `/boot/config-${release}`)));
  } catch {
    return null;
  }
}

/** Vendor, family, model, stepping, microcode and MHz of the first CPU in /proc/cpuinfo text; null when none is given. */
export function parseCpuDetail(cpuinfo: string): string | null {
  const first = cpuinfo.split(/\n\s*\n/)[0] ?? '';
  const field = (key: string): string | undefined => new RegExp(`^${key}\\s*:\\s*(.+)$`, 'm').exec(first)?.[1]?.trim();
  const ident = [
    field('vendor_id'),
    ...(
      [
        ['cpu family', 'family'],
        ['model', 'model'],
        ['stepping', 'stepping'],
      ] as const
    ).flatMap(([k, label]) => {
      const v = field(k);
      return v === undefined ? [] : [`${label} ${v}`];
    }),
  ].filter((p) => p !== undefined);
  const microcode = field('microcode');
  const mhz = field('cpu MHz');
  const parts = [ident.join(' '), microcode === undefined ? '' : `microcode ${microcode}`, mhz === undefined ? '' : `${Math.round(Number(mhz))} MHz`].filter((p) => p !== '');
  return parts.length === 0 ? null : parts.join(', ');
}

/** `none`, or the hypervisor: /sys/hypervisor/type, DMI vendor or product, else the cpuinfo `hypervisor` flag alone; null when unknown. */
export function readVirtualization(root: string, cpuinfo: string): string | null {
  const flagged = /^flags\s*:.*\bhypervisor\b/m.test(cpuinfo);
  const named = [readHostText(root, '/sys/hypervisor/type'), readHostText(root, '/sys/class/dmi/id/sys_vendor'), readHostText(root, '/sys/class/dmi/id/product_name')]
    .map((t) => t?.trim())
    .find((t) => t !== undefined && t !== '');
  if (flagged) return named === undefined ? 'yes (hypervisor flag set; hypervisor not named by DMI or /sys/hypervisor)' : named;
  if (!/^flags\s*:/m.test(cpuinfo)) return named ?? null;
  return 'none';
}

/** The git commit of this hintbench tree (`-dirty` with uncommitted changes to tracked files), or null outside a clone or without git. */
export function readHintbenchCommit(treeDir: string = fileURLToPath(new URL('../../', import.meta.url))): string | null {
  const git = (...args: string[]): string => execFileSync('git', ['-C', treeDir, ...args], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const commit = git('rev-parse', 'HEAD');
    if (!/^[0-9a-f]{40}$/.test(commit)) return null;
    return git('status', '--porcelain', '--untracked-files=no') === '' ? commit : `${commit}-dirty`;
  } catch {
    return null;
  }
}

/** What collectEnvironment records about the run itself, beside the host. */
export interface RunContext {
  /** The command line (default: this process's arguments after `node script`). */
  argv?: string[];
  /** The suite as asked for. */
  suite?: Suite;
}

/**
 * Collects the fingerprint of this host. Uses the same readers as the doctor, so each fact
 * has one source. `root` only redirects the file readers (for tests); the Node, page-size,
 * git and argv facts always come from this process, the bpftrace version from `bpftracePath`.
 */
export async function collectEnvironment(root: string = HOST_ROOT, bpftracePath = 'bpftrace', context: RunContext = {}): Promise<Environment> {
  const cpuinfo = readHostText(root, '/proc/cpuinfo') ?? '';
  const online = readHostText(root, '/sys/devices/system/cpu/online');
  const release = readKernelRelease(root);
  const suite = context.suite;
  return {
    hostname: readHostText(root, '/proc/sys/kernel/hostname')?.trim() ?? hostname(),
    kernelRelease: release ?? 'unknown',
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
    swappiness: readInt(root, '/proc/sys/vm/swappiness'),
    pageCluster: readInt(root, '/proc/sys/vm/page-cluster'),
    mglru: readMglru(root),
    zswap: readZswap(root),
    thpDefrag: readThpDefrag(root),
    kernelCmdline: readHostText(root, '/proc/cmdline')?.trim() ?? null,
    kernelConfigSha256: readKernelConfigSha256(root, release),
    cpuDetail: parseCpuDetail(cpuinfo),
    cpuGovernor: readHostText(root, '/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor')?.trim() ?? null,
    virtualization: readVirtualization(root, cpuinfo),
    loadAverageStart: readLoadAverage(root),
    loadAverageEnd: null,
    hintbenchCommit: readHintbenchCommit(),
    argv: context.argv ?? process.argv.slice(2),
    ...(suite === undefined ? {} : { suiteDefinition: { name: suite.name, description: suite.description, scenarios: suite.scenarios.map((s) => `${s.id} x ${s.repetitions}`) } }),
  };
}
