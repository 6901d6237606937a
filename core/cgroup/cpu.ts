/**
 * The CPU bandwidth controller (CFS quota), both flavours: cgroup v2 `cpu.max` ("quota
 * period" in us) and the v1 `cpu` controller's `cpu.cfs_quota_us` / `cpu.cfs_period_us`; and
 * the throttling counters of `cpu.stat` (v1 `nr_throttled`, `throttled_time` in ns; v2
 * `nr_throttled`, `throttled_usec`). Which flavour is used is detected: cgroup2 when its root
 * delegates the cpu controller to children (cgroup.subtree_control), else the v1 hierarchy
 * holding `cpu`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { HintbenchError } from '../errors.ts';
import { HOST_ROOT, readHostText } from '../proc/hostfs.ts';
import { type CgroupMounts, readCgroupMounts } from './mounts.ts';
import { parseV1Cgroup } from './placement.ts';
import { moveTasksAndRemove } from './remove.ts';

/** A cgroup with the CPU bandwidth controller. */
export interface CpuCgroup {
  /** `v1`: a cgroup of the v1 cpu hierarchy; `v2`: a cgroup2 cgroup. */
  version: 'v1' | 'v2';
  /** Its directory. */
  dir: string;
}

/** Throttling counters of one cgroup (cpu.stat). */
export interface CpuStat {
  /** Enforcement periods that have elapsed with runnable tasks. */
  nrPeriods: number;
  /** Periods in which the group was throttled (its quota used up). */
  nrThrottled: number;
  /** Total time its tasks were throttled, in ns. */
  throttledNs: number;
}

/** Where a CPU cgroup can be made: the hierarchy root and its flavour, or null with the reason. */
export type CpuControllerPlace = { version: 'v1' | 'v2'; root: string } | { version: null; reason: string };

/** Finds the CPU bandwidth controller below `root` (cgroup2 with cpu delegated, else v1 cpu). */
export function findCpuController(mounts: Pick<CgroupMounts, 'v1Cpu' | 'v2'> = readCgroupMounts(), root: string = HOST_ROOT): CpuControllerPlace {
  if (mounts.v2 !== null) {
    const delegated = (readHostText(root, `${mounts.v2}/cgroup.subtree_control`) ?? '').trim().split(/\s+/);
    if (delegated.includes('cpu')) return { version: 'v2', root: mounts.v2 };
  }
  if (mounts.v1Cpu !== null) return { version: 'v1', root: mounts.v1Cpu };
  return { version: null, reason: 'no CPU bandwidth controller: cgroup2 does not delegate `cpu` (cgroup.subtree_control) and no v1 cpu hierarchy is mounted' };
}

/** Parses cpu.stat text of either flavour (v2 gives throttled_usec, v1 throttled_time in ns). */
export function parseCpuStat(text: string, source = 'cpu.stat'): CpuStat {
  const fields = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k !== undefined && v !== undefined && /^\d+$/.test(v)) fields.set(k, Number(v));
  }
  const nrPeriods = fields.get('nr_periods');
  const nrThrottled = fields.get('nr_throttled');
  const throttledUs = fields.get('throttled_usec');
  const throttledNs = throttledUs !== undefined ? throttledUs * 1000 : fields.get('throttled_time');
  if (nrPeriods === undefined || nrThrottled === undefined || throttledNs === undefined) {
    throw new HintbenchError(
      `${source}: expected nr_periods, nr_throttled and throttled_usec or throttled_time, got '${text.trim().replace(/\n/g, ' ')}'`,
      'check that the cgroup has the cpu controller',
    );
  }
  return { nrPeriods, nrThrottled, throttledNs };
}

/** The cgroup's throttling counters. */
export function readCpuStat(cg: CpuCgroup): CpuStat {
  return parseCpuStat(readFileSync(`${cg.dir}/cpu.stat`, 'utf8'), `${cg.dir}/cpu.stat`);
}

/** Sets the cgroup's CPU quota: `quotaUs` of CPU time per `periodUs`. */
export function setCpuQuota(cg: CpuCgroup, quotaUs: number, periodUs: number): void {
  if (cg.version === 'v2') {
    writeFileSync(`${cg.dir}/cpu.max`, `${quotaUs} ${periodUs}`);
    return;
  }
  // The period first: a quota is checked against the period in place.
  writeFileSync(`${cg.dir}/cpu.cfs_period_us`, String(periodUs));
  writeFileSync(`${cg.dir}/cpu.cfs_quota_us`, String(quotaUs));
}

/** The quota and period in force, in us (quota null: unlimited). */
export function readCpuQuota(cg: CpuCgroup): { quotaUs: number | null; periodUs: number } {
  if (cg.version === 'v2') {
    const [q, p] = readFileSync(`${cg.dir}/cpu.max`, 'utf8').trim().split(/\s+/);
    return { quotaUs: q === 'max' ? null : Number(q), periodUs: Number(p) };
  }
  const quota = Number(readFileSync(`${cg.dir}/cpu.cfs_quota_us`, 'utf8').trim());
  return { quotaUs: quota < 0 ? null : quota, periodUs: Number(readFileSync(`${cg.dir}/cpu.cfs_period_us`, 'utf8').trim()) };
}

/** The cgroup of process `pid` in the hierarchy `place` names (where it goes back to). */
export function cpuCgroupOf(pid: number, place: { version: 'v1' | 'v2'; root: string }): string {
  const text = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  const dir = place.version === 'v2' ? parseV2Path(text, place.root) : parseV1Cgroup(text, 'cpu', place.root);
  if (dir === null) throw new HintbenchError(`pid ${pid} has no ${place.version} cpu cgroup in /proc/${pid}/cgroup`, 'check the cgroup mounts (hintbench doctor)');
  return dir;
}

function parseV2Path(text: string, root: string): string | null {
  const line = text.split('\n').find((l) => l.startsWith('0::'));
  if (line === undefined) return null;
  const path = line.slice(3);
  return root + (path === '/' ? '' : path);
}

/**
 * Makes cgroup `name` at the root of the hierarchy `place` names, with `quotaUs` per
 * `periodUs`, and moves `pid` into it. On failure the cgroup is removed again.
 */
export async function createThrottledCgroup(
  place: { version: 'v1' | 'v2'; root: string },
  name: string,
  pid: number,
  quota: { quotaUs: number; periodUs: number },
): Promise<CpuCgroup> {
  const cg: CpuCgroup = { version: place.version, dir: `${place.root}/${name}` };
  mkdirSync(cg.dir);
  try {
    setCpuQuota(cg, quota.quotaUs, quota.periodUs);
    writeFileSync(`${cg.dir}/cgroup.procs`, String(pid));
  } catch (err) {
    await moveTasksAndRemove(cg.dir, { timeoutMs: 2000 });
    throw err;
  }
  return cg;
}

/** Moves the cgroup's tasks to `home` (default the parent) and removes it. Safe when it is gone already. */
export async function removeCpuCgroup(cg: CpuCgroup, home?: string): Promise<void> {
  if (!existsSync(cg.dir)) return;
  await moveTasksAndRemove(cg.dir, { ...(home === undefined ? {} : { to: home }), timeoutMs: 2000 });
}
