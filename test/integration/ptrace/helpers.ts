/** Helpers for the ptrace integration tests: self-checking targets and /proc probes. */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { cgroupPids, type FreezerCgroup, freezeComplete, setFrozen } from '../../../core/cgroup/freezer.ts';
import { readProcStat, selfIdentity } from '../../../core/proc/stat.ts';
import { readStatus, readTaskStatus } from '../../../core/proc/status.ts';
import { readSchedstat } from '../../../core/proc/tasks.ts';
import { waitUntil } from '../../../core/process/wait.ts';
import { frozenCgroupName } from '../../../bench/host/stale-cgroups.ts';
import { readSwapDevices } from '../../../bench/host/swap.ts';

export { startSelfcheck, type Target } from '../../targets/selfcheck-client.ts';

/** State letter (R, S, T, t, D, Z...) of a thread, from /proc/PID/task/TID/stat; throws when the thread is gone. */
export function threadState(pid: number, tid = pid): string {
  const stat = readProcStat(pid, { tid });
  if (stat === null) throw new Error(`thread ${tid} of pid ${pid} is gone`);
  return stat.state;
}

/** TracerPid of a thread (0: not traced); throws when the thread is gone. */
export function tracerPid(pid: number, tid = pid): number {
  return readTaskStatus(pid, tid).tracerPid;
}

/** Run time of a thread so far, in ns (/proc/PID/task/TID/schedstat). */
export function threadRunNs(pid: number, tid: number): number {
  return readSchedstat(pid, tid).runNs;
}

/** VmSwap of a process in bytes. */
export function vmSwapBytes(pid: number): number {
  return readStatus(pid).swapBytes;
}

/** True when a swap device is active. */
export function swapActive(): boolean {
  return readSwapDevices().length > 0;
}

/** Checks `pred` every 10 ms until it holds or `timeoutMs` passes; resolves whether it held. */
export function waitFor(pred: () => boolean, timeoutMs = 5000): Promise<boolean> {
  return waitUntil(pred, { timeoutMs, intervalMs: 10 });
}

/** A cgroup created for one test, frozen and thawed on request, removed by `remove()`. */
export interface TestCgroup {
  dir: string;
  freeze(): Promise<void>;
  thaw(): void;
  /** Thaws, moves the member back to the root cgroup and removes the directory. */
  remove(pid: number): Promise<void>;
}

/**
 * Creates a cgroup named as hintbench names its own (`hintbench-<this process's pid>-<its
 * start ticks>-<pid>`, frozenCgroupName) in the v1 freezer hierarchy or in cgroup2, and moves
 * `pid` in. Should the test process be killed before `remove()`, the stale-cgroup cleanup of
 * doctor, teardown and the next run recognises its dead owner and removes it.
 */
export function makeFreezerCgroup(version: 'v1' | 'v2', root: string, pid: number): TestCgroup {
  const dir = `${root}/${frozenCgroupName(selfIdentity(), pid)}`;
  if (!existsSync(dir)) mkdirSync(dir); // mkdir in cgroupfs creates the cgroup
  writeFileSync(`${dir}/cgroup.procs`, String(pid));
  const cg: FreezerCgroup = { version, dir };
  return {
    dir,
    freeze: async () => {
      setFrozen(cg, true);
      await waitFor(() => freezeComplete(cg));
    },
    thaw: () => setFrozen(cg, false),
    remove: async (member: number) => {
      try {
        setFrozen(cg, false);
      } catch {
        // already gone
      }
      try {
        writeFileSync(`${root}/cgroup.procs`, String(member));
      } catch {
        /* member exited */
      }
      await waitFor(() => cgroupPids(dir).length === 0, 2000);
      rmdirSync(dir);
    },
  };
}

/** Signals pending for a process, thread-directed and shared (SigPnd | ShdPnd of /proc/PID/status), as a bit mask (bit N-1 for signal N). */
export function pendingSignals(pid: number): bigint {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mask = (key: string): bigint => BigInt(`0x${new RegExp(`^${key}:\\s+(\\w+)`, 'm').exec(status)?.[1] ?? '0'}`);
  return mask('SigPnd') | mask('ShdPnd');
}
