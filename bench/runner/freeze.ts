/**
 * The `frozen` target state: the workload is moved into a cgroup of its own and frozen with
 * the cgroup freezer (cgroup v2 `cgroup.freeze` where cgroup2 is mounted, else the v1
 * `freezer` controller), then thawed, moved back to the cgroup it came from and the cgroup
 * removed. The cgroup is named after this runner (pid and start time,
 * bench/host/stale-cgroups.ts), so one left behind by a killed runner is recognised: the
 * first freeze of a runner removes such stale cgroups, as do setup and teardown. Nothing
 * else on the host is touched.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { HintbenchError } from '../../core/errors.ts';
import { readFreezerMounts } from '../host/cgroup.ts';
import { selfIdentity } from '../host/owner.ts';
import { frozenCgroupName, removeStaleCgroups } from '../host/stale-cgroups.ts';
import { freezerPlacement } from '../sys/ptrace-freezer.ts';

/** A cgroup holding one frozen workload. */
export interface FrozenCgroup {
  version: 'v1' | 'v2';
  /** The cgroup created for the workload. */
  dir: string;
  /** The cgroup the workload was in before (it goes back there). */
  homeDir: string;
  pid: number;
}

async function waitUntil(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new HintbenchError(`${what} did not happen within ${timeoutMs} ms`, 'check the cgroup freezer (hintbench doctor)');
    await new Promise((r) => setTimeout(r, 2));
  }
}

function isFrozen(cg: FrozenCgroup): boolean {
  if (cg.version === 'v2') return /^frozen 1$/m.test(readFileSync(`${cg.dir}/cgroup.events`, 'utf8'));
  return readFileSync(`${cg.dir}/freezer.state`, 'utf8').trim() === 'FROZEN';
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
  const mounts = readFreezerMounts();
  const placement = freezerPlacement(pid);
  const name = frozenCgroupName(selfIdentity(), pid);
  const v2Home = placement.v2Dir !== null && existsSync(`${placement.v2Dir}/cgroup.procs`) ? placement.v2Dir : null;
  let cg: FrozenCgroup;
  if (mounts.v2 !== null && v2Home !== null && opts.version !== 'v1') {
    cg = { version: 'v2', dir: `${mounts.v2}/${name}`, homeDir: v2Home, pid };
  } else if (mounts.v1Freezer !== null && placement.v1Dir !== null && opts.version !== 'v2') {
    cg = { version: 'v1', dir: `${mounts.v1Freezer}/${name}`, homeDir: placement.v1Dir, pid };
  } else {
    throw new HintbenchError(
      opts.version === undefined ? 'no cgroup freezer: neither cgroup2 nor the v1 freezer controller is mounted' : `no cgroup ${opts.version} freezer is mounted`,
      'mount cgroup2 (mount -t cgroup2 none /sys/fs/cgroup) or use another target state',
    );
  }
  mkdirSync(cg.dir);
  try {
    writeFileSync(`${cg.dir}/cgroup.procs`, String(pid));
    if (cg.version === 'v2') writeFileSync(`${cg.dir}/cgroup.freeze`, '1');
    else writeFileSync(`${cg.dir}/freezer.state`, 'FROZEN');
    await waitUntil(() => isFrozen(cg), timeoutMs, `freezing pid ${pid} in ${cg.dir}`);
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
    writeFileSync(cg.version === 'v2' ? `${cg.dir}/cgroup.freeze` : `${cg.dir}/freezer.state`, cg.version === 'v2' ? '0' : 'THAWED');
    writeFileSync(`${cg.homeDir}/cgroup.procs`, String(cg.pid));
    rmdirSync(cg.dir);
  } catch {
    // gone already, or not empty yet: left for the stale-cgroup cleanup
  }
}

/** Thaws the cgroup, moves the process back home and removes the cgroup. Safe when the process has exited. */
export async function thawAndRemove(cg: FrozenCgroup): Promise<void> {
  try {
    if (cg.version === 'v2') writeFileSync(`${cg.dir}/cgroup.freeze`, '0');
    else writeFileSync(`${cg.dir}/freezer.state`, 'THAWED');
  } catch {
    // the cgroup is already gone
  }
  try {
    writeFileSync(`${cg.homeDir}/cgroup.procs`, String(cg.pid));
  } catch {
    // the process has exited
  }
  if (!existsSync(cg.dir)) return;
  await waitUntil(() => readFileSync(`${cg.dir}/cgroup.procs`, 'utf8').trim() === '', 2000, `emptying ${cg.dir}`);
  rmdirSync(cg.dir);
}
