/** Helpers for the ptrace integration tests: self-checking targets and /proc probes. */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { selfIdentity } from '../../../core/proc/stat.ts';
import { frozenCgroupName } from '../../../bench/host/stale-cgroups.ts';

export { startSelfcheck, type Target } from '../../targets/selfcheck-client.ts';

/** State letter (R, S, T, t, D, Z...) of a thread, from /proc/PID/task/TID/stat. */
export function threadState(pid: number, tid = pid): string {
  const s = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  return s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3);
}

/** TracerPid of a thread. */
export function tracerPid(pid: number, tid = pid): number {
  return Number(/^TracerPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'))?.[1] ?? -1);
}

/** Run time of a thread so far, in ns (/proc/PID/task/TID/schedstat). */
export function threadRunNs(pid: number, tid: number): number {
  return Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
}

/** VmSwap of a process in bytes. */
export function vmSwapBytes(pid: number): number {
  return Number(/^VmSwap:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
}

/** True when a swap device is active. */
export function swapActive(): boolean {
  return readFileSync('/proc/swaps', 'utf8').trim().split('\n').length > 1;
}

/** Polls `pred` every 10 ms until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitFor(pred: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return pred();
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
  return {
    dir,
    freeze: async () => {
      if (version === 'v1') {
        writeFileSync(`${dir}/freezer.state`, 'FROZEN');
        await waitFor(() => readFileSync(`${dir}/freezer.state`, 'utf8').trim() === 'FROZEN');
      } else {
        writeFileSync(`${dir}/cgroup.freeze`, '1');
        await waitFor(() => /frozen 1/.test(readFileSync(`${dir}/cgroup.events`, 'utf8')));
      }
    },
    thaw: () => {
      if (version === 'v1') writeFileSync(`${dir}/freezer.state`, 'THAWED');
      else writeFileSync(`${dir}/cgroup.freeze`, '0');
    },
    remove: async (member: number) => {
      try {
        if (version === 'v1') writeFileSync(`${dir}/freezer.state`, 'THAWED');
        else writeFileSync(`${dir}/cgroup.freeze`, '0');
      } catch { /* already gone */ }
      try { writeFileSync(`${root}/cgroup.procs`, String(member)); } catch { /* member exited */ }
      await waitFor(() => readFileSync(`${dir}/cgroup.procs`, 'utf8').trim() === '', 2000);
      rmdirSync(dir);
    },
  };
}
