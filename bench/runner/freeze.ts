/**
 * The `frozen` target state: the workload is moved into a cgroup of its own and frozen with
 * the cgroup freezer (cgroup v2 `cgroup.freeze` where cgroup2 is mounted, else the v1
 * `freezer` controller), then thawed, moved back to the cgroup it came from and the cgroup
 * removed. Nothing else on the host is touched.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { HintbenchError } from '../errors.ts';
import { cgroupMounts, freezerPlacement } from '../sys/ptrace-freezer.ts';

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

/** Moves `pid` into a new cgroup `hintbench-<runner pid>-<pid>` and freezes it; resolves once it is frozen. */
export async function freezeProcess(pid: number, timeoutMs = 2000): Promise<FrozenCgroup> {
  const mounts = cgroupMounts();
  const placement = freezerPlacement(pid);
  let cg: FrozenCgroup;
  if (mounts.v2 !== null && placement.v2Dir !== null && existsSync(`${placement.v2Dir}/cgroup.procs`)) {
    cg = { version: 'v2', dir: `${mounts.v2}/hintbench-${process.pid}-${pid}`, homeDir: placement.v2Dir, pid };
  } else if (mounts.v1Freezer !== null && placement.v1Dir !== null) {
    cg = { version: 'v1', dir: `${mounts.v1Freezer}/hintbench-${process.pid}-${pid}`, homeDir: placement.v1Dir, pid };
  } else {
    throw new HintbenchError('no cgroup freezer: neither cgroup2 nor the v1 freezer controller is mounted', 'mount cgroup2 (mount -t cgroup2 none /sys/fs/cgroup) or use another target state');
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
