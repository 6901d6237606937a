/** Helpers for the ptrace integration tests: self-checking targets and /proc probes. */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmdirSync, writeFileSync } from 'node:fs';
import { cgroupPids, type FreezerCgroup, freezeComplete, setFrozen } from '../../../core/cgroup/freezer.ts';
import { readProcStat, selfIdentity } from '../../../core/proc/stat.ts';
import { readStatus, readTaskStatus } from '../../../core/proc/status.ts';
import { readSchedstat } from '../../../core/proc/tasks.ts';
import { waitUntil } from '../../../core/process/wait.ts';
import { frozenCgroupName } from '../../../bench/host/stale-cgroups.ts';
import { readSwapDevices } from '../../../bench/host/swap.ts';

export { startSelfcheck, type Target } from '../../targets/selfcheck-client.ts';
import type { Target } from '../../targets/selfcheck-client.ts';

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
export function waitFor(pred: () => boolean, timeoutMs = 60_000): Promise<boolean> {
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

/** Signals sent that the target has not counted yet, at most (well below the ~4,096 libuv's pipe holds). */
const MAX_UNCOUNTED = 256;

/** A stream of SIGUSR2 to a self-checking target, paced so that none can be lost on the way (see signalStream). */
export interface SignalStream {
  /** SIGUSR2 sent so far. */
  sent(): number;
  /** Stops sending (idempotent). */
  stop(): Promise<void>;
  /** Stops sending; then waits until the target counted every signal sent or its count stops moving (signals lost), and returns both counts. */
  finish(): Promise<{ sent: number; counted: number }>;
}

/**
 * Sends SIGUSR2 to a self-checking target continuously: one at a time (never while one is
 * pending: the kernel would merge them), at most one per 200 us, and at most MAX_UNCOUNTED
 * that the target has not counted yet, read from its counter page (`signalCountAddr`). The
 * target counts them in JavaScript after libuv's handler has relayed each through a 64 KiB
 * pipe, which drops signals silently once ~4,096 wait: a loaded machine that keeps the
 * target's main thread from running for a second would otherwise lose some, and the test
 * would blame the injector.
 */
export async function signalStream(t: Target): Promise<SignalStream> {
  const before = (await t.status()).signals;
  const countFd = openSync(`/proc/${t.pid}/mem`, 'r');
  const countBuf = Buffer.alloc(4);
  const countedNow = (): number => (readSync(countFd, countBuf, 0, 4, t.ready.signalCountAddr) === 4 ? countBuf.readUInt32LE(0) - before : 0);
  const SIGUSR2_BIT = 1n << 11n;
  let sent = 0;
  let done = false;
  const sender = (async () => {
    let lastNs = 0n;
    while (!done) {
      const now = process.hrtime.bigint();
      if (now - lastNs >= 200_000n && sent - countedNow() < MAX_UNCOUNTED && (pendingSignals(t.pid) & SIGUSR2_BIT) === 0n) {
        process.kill(t.pid, 'SIGUSR2');
        sent++;
        lastNs = now;
      }
      await new Promise((r) => setImmediate(r));
    }
  })().finally(() => closeSync(countFd));
  const stop = async (): Promise<void> => {
    done = true;
    await sender;
  };
  return {
    sent: () => sent,
    stop,
    async finish() {
      await stop();
      // Until the count reaches what was sent, or stops moving for 10 status round trips
      // (then signals were lost), up to 60 s.
      let counted = 0;
      let still = 0;
      const until = Date.now() + 60_000;
      while (Date.now() < until && counted < sent && still < 10) {
        const c = (await t.status()).signals - before;
        still = c === counted ? still + 1 : 0;
        counted = c;
        if (still > 0) await new Promise((r) => setTimeout(r, 20));
      }
      return { sent, counted };
    },
  };
}
