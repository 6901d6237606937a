/**
 * The `frozen` target state: the workload is moved into a cgroup of its own and frozen with
 * the cgroup freezer (cgroup v2 `cgroup.freeze` where cgroup2 is mounted, else the v1
 * `freezer` controller), then thawed, moved back to the cgroup it came from and the cgroup
 * removed. The cgroup is named after this runner (pid and start time,
 * bench/host/stale-cgroups.ts), so one left behind by a killed runner is recognised: the
 * first freeze of a runner removes such stale cgroups, as do setup and teardown. Nothing
 * else on the host is touched.
 */
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { type FreezerCgroup, freezeComplete, setFrozen, thawMoveRemove } from '../../core/cgroup/freezer.ts';
import { readCgroupMounts } from '../../core/cgroup/mounts.ts';
import { readCgroupPlacement } from '../../core/cgroup/placement.ts';
import { HintbenchError } from '../../core/errors.ts';
import { selfIdentity } from '../../core/proc/stat.ts';
import { waitUntil } from '../../core/process/wait.ts';
import { frozenCgroupName, removeStaleCgroups } from '../host/stale-cgroups.ts';

/** A cgroup holding one frozen workload. */
export interface FrozenCgroup extends FreezerCgroup {
  /** The cgroup the workload was in before (it goes back there). */
  homeDir: string;
  pid: number;
}

/** True once this runner has removed the stale cgroups of dead runners. */
let staleRemoved = false;

/** Options of freezeProcess(). */
export interface FreezeOptions {
  /** Longest wait for the freeze to complete, in ms; default 2000. */
  timeoutMs?: number;
  /** Freezer to use; default cgroup2 where it is mounted, else the v1 freezer. */
  version?: 'v1' | 'v2';
}

/**
 * Moves `pid` into a new cgroup `hintbench-<runner pid>-<runner start ticks>-<pid>` and
 * freezes it; resolves once it is frozen.
 */
export async function freezeProcess(pid: number, opts: FreezeOptions = {}): Promise<FrozenCgroup> {
  const timeoutMs = opts.timeoutMs ?? 2000;
  if (!staleRemoved) {
    staleRemoved = true;
    await removeStaleCgroups(); // failures are the doctor's and teardown's to report
  }
  const mounts = readCgroupMounts();
  const placement = readCgroupPlacement(pid, mounts);
  const name = frozenCgroupName(selfIdentity(), pid);
  const v2Home = placement.v2 !== null && existsSync(`${placement.v2}/cgroup.procs`) ? placement.v2 : null;
  let cg: FrozenCgroup;
  if (mounts.v2 !== null && v2Home !== null && opts.version !== 'v1') {
    cg = { version: 'v2', dir: `${mounts.v2}/${name}`, homeDir: v2Home, pid };
  } else if (mounts.v1Freezer !== null && placement.v1Freezer !== null && opts.version !== 'v2') {
    cg = { version: 'v1', dir: `${mounts.v1Freezer}/${name}`, homeDir: placement.v1Freezer, pid };
  } else {
    throw new HintbenchError(
      opts.version === undefined ? 'no cgroup freezer: neither cgroup2 nor the v1 freezer controller is mounted' : `no cgroup ${opts.version} freezer is mounted`,
      'mount cgroup2 (mount -t cgroup2 none /sys/fs/cgroup) or use another target state',
    );
  }
  mkdirSync(cg.dir);
  try {
    writeFileSync(`${cg.dir}/cgroup.procs`, String(pid));
    setFrozen(cg, true);
    if (!(await waitUntil(() => freezeComplete(cg), { timeoutMs }))) {
      throw new HintbenchError(`freezing pid ${pid} in ${cg.dir} did not complete within ${timeoutMs} ms`, 'check the cgroup freezer (hintbench doctor)');
    }
  } catch (err) {
    await thawAndRemove(cg);
    throw err;
  }
  return cg;
}

/**
 * What can be done synchronously while the process exits: thaw, move the workload back home,
 * and remove the cgroup if it is already empty (else the next setup, teardown or freeze
 * removes it as stale, its owner being dead by then). Never throws.
 */
export function thawOnExit(cg: FrozenCgroup): void {
  try {
    setFrozen(cg, false);
    writeFileSync(`${cg.homeDir}/cgroup.procs`, String(cg.pid));
    rmdirSync(cg.dir);
  } catch {
    // gone already, or not empty yet: left for the stale-cgroup cleanup
  }
}

/** Thaws the cgroup, moves the process back home and removes the cgroup. Safe when the process has exited or the cgroup is gone. */
export async function thawAndRemove(cg: FrozenCgroup): Promise<void> {
  if (!existsSync(cg.dir)) return;
  await thawMoveRemove(cg, { to: cg.homeDir, timeoutMs: 2000 });
}
