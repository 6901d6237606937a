/**
 * The `throttled` target state: the workload is moved into a CPU cgroup of its own with a low
 * CFS quota (THROTTLE_QUOTA: 10 % of one CPU), then moved back to the cgroup it came from and
 * the cgroup removed. cgroup2 `cpu.max` where cgroup2 delegates the cpu controller, else the
 * v1 `cpu` hierarchy (core/cgroup/cpu.ts). The cgroup is named like the freezer's
 * (`hintbench-<runner pid>-<runner start ticks>-<pid>`, bench/host/stale-cgroups.ts), so one
 * left behind by a killed runner is found and removed by setup, teardown and the doctor.
 */
import { rmdirSync, writeFileSync } from 'node:fs';
import { type CpuCgroup, cpuCgroupOf, createThrottledCgroup, findCpuController, removeCpuCgroup } from '../../../core/cgroup/cpu.ts';
import { HintbenchError } from '../../../core/errors.ts';
import { selfIdentity } from '../../../core/proc/stat.ts';
import { targetCgroupName } from '../../host/stale-cgroups.ts';

/** The quota of a throttled target: 5 ms of CPU per 50 ms period (10 % of one CPU). */
export const THROTTLE_QUOTA = { quotaUs: 5_000, periodUs: 50_000 } as const;

/** A workload held in a CPU cgroup of its own. */
export interface ThrottledTarget {
  cg: CpuCgroup;
  /** The cgroup it came from (it goes back there). */
  homeDir: string;
  pid: number;
}

/** Moves `pid` into a new CPU cgroup with THROTTLE_QUOTA. */
export async function throttleProcess(pid: number): Promise<ThrottledTarget> {
  const place = findCpuController();
  if (place.version === null)
    throw new HintbenchError(
      place.reason,
      'mount the v1 cpu controller or delegate `cpu` in cgroup2 (echo +cpu > /sys/fs/cgroup/cgroup.subtree_control), or use another target state',
    );
  const homeDir = cpuCgroupOf(pid, place);
  const cg = await createThrottledCgroup(place, targetCgroupName(selfIdentity(), pid), pid, THROTTLE_QUOTA);
  return { cg, homeDir, pid };
}

/** Moves the workload home and removes its cgroup; safe when either is gone. */
export async function unthrottle(t: ThrottledTarget): Promise<void> {
  await removeCpuCgroup(t.cg, t.homeDir);
}

/** What can be done synchronously while the runner exits: move the workload home and remove the cgroup. Never throws. */
export function unthrottleOnExit(t: ThrottledTarget): void {
  try {
    writeFileSync(`${t.homeDir}/cgroup.procs`, String(t.pid));
    rmdirSync(t.cg.dir);
  } catch {
    // gone already, or not empty yet: left for the stale-cgroup cleanup
  }
}
