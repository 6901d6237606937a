import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ADVICE_VALUE } from '../../../core/sys/syscall.ts';
import type { Content } from '../../../core/types.ts';
import { closeFd, pidfdOpen } from '../../../core/sys/pidfd.ts';
import { processMadviseAll } from '../../../core/sys/process-madvise.ts';
import { processExists } from '../../../core/proc/stat.ts';
import { readMaps } from '../../../core/proc/maps.ts';
import { readSchedstat } from '../../../core/proc/tasks.ts';
import { readStatus } from '../../../core/proc/status.ts';
import { spawnWorkload, type WorkloadHandle } from '../../../workloads/client.ts';
import { IDLE_COMM } from '../../../workloads/protocol.ts';
import { canRun } from '../../helpers/prereq.ts';

const MiB = 1024 * 1024;
const CONTENTS: Content[] = ['zero', 'random', 'mixed'];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Polls `done` every 20 ms until it holds (true) or `timeoutMs` passes (false). */
async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) return false;
    await sleep(20);
  }
  return true;
}
const canPageOut = canRun('anon workload paged out', { root: true, swap: true });

let workload: WorkloadHandle | null = null;
afterEach(async () => {
  await workload?.kill();
  workload = null;
});

describe.each(CONTENTS)('anon workload, %s content, 16 MiB in 4 VMAs', (content) => {
  it('maps separate VMAs, is resident, verifies intact and re-touches without major faults', async () => {
    workload = await spawnWorkload({ kind: 'anon', content, sizeMiB: 16, vmas: 4 });
    const w = workload;
    expect(w.regions).toHaveLength(4);
    expect(w.regions.reduce((s, r) => s + r.lengthBytes, 0)).toBe(16 * MiB);
    const maps = readMaps(w.pid);
    for (const r of w.regions) {
      const vma = maps.filter((e) => e.startAddr === r.startAddr && e.endAddr === r.startAddr + r.lengthBytes);
      expect(vma, `region at 0x${r.startAddr.toString(16)} is one VMA`).toHaveLength(1);
      expect(vma[0]!.perms).toBe('rw-p');
    }
    expect(readStatus(w.pid).rssAnonBytes).toBeGreaterThanOrEqual(16 * MiB);
    expect(readFileSync(`/proc/${w.pid}/comm`, 'utf8').trim()).toBe(IDLE_COMM);
    const v = await w.verify();
    expect(v).toMatchObject({ intact: true, corruptPages: 0 });
    const t = await w.retouch();
    expect(t.pages).toBe((16 * MiB) / w.pageSizeBytes);
    // Background reclaim (DAMON) may take a handful of pages; no hint was given.
    expect(t.majorFaults).toBeLessThanOrEqual(0.02 * t.pages);
    expect(t.elapsedNs).toBeGreaterThan(0);
  });

  it.skipIf(!canPageOut)('after PAGEOUT, the re-touch takes one major fault per page and the data stays intact', async () => {
    workload = await spawnWorkload({ kind: 'anon', content, sizeMiB: 16, vmas: 4 });
    const w = workload;
    const pidfd = pidfdOpen(w.pid);
    try {
      const r = processMadviseAll(pidfd, w.regions, ADVICE_VALUE.pageout);
      expect(r).toMatchObject({ bytesAdvised: 16 * MiB, skipped: [], error: null });
    } finally {
      closeFd(pidfd);
    }
    expect(readStatus(w.pid).swapBytes).toBeGreaterThanOrEqual(0.98 * 16 * MiB);
    const t = await w.retouch();
    expect(Math.abs(t.majorFaults - t.pages)).toBeLessThanOrEqual(0.02 * t.pages);
    expect(await w.verify()).toMatchObject({ intact: true, corruptPages: 0 });
  });
});

describe('anon workload', () => {
  it.skipIf(!canRun('corrupting a workload page', { root: true }))('reports a page changed through /proc/PID/mem', async () => {
    workload = await spawnWorkload({ kind: 'anon', content: 'random', sizeMiB: 4, vmas: 2 });
    const w = workload;
    const target = w.regions[1]!.startAddr + 5 * w.pageSizeBytes;
    const fd = openSync(`/proc/${w.pid}/mem`, 'r+');
    try {
      const old = Buffer.alloc(4);
      const { readSync } = await import('node:fs');
      readSync(fd, old, 0, 4, target + 100);
      writeSync(fd, Buffer.from([~old[0]! & 0xff, old[1]!, old[2]!, old[3]!]), 0, 4, target + 100);
    } finally {
      closeSync(fd);
    }
    expect(await w.verify()).toMatchObject({ intact: false, corruptPages: 1, firstCorruptAddr: target });
  });

  it('spins on the CPU in running state and idles in sleeping state, answering commands in both', async () => {
    workload = await spawnWorkload({ kind: 'anon', content: 'zero', sizeMiB: 4, vmas: 1 });
    const w = workload;
    // Time the main thread was runnable (on a CPU or waiting in the run queue) over a window:
    // a spinning thread is runnable all along however busy the machine is, an idle one almost
    // never. The window's length is what is measured, not a wait for anything.
    const runnableOver = async (ms: number): Promise<{ runnableNs: number; elapsedNs: number }> => {
      const a = readSchedstat(w.pid);
      const t0 = process.hrtime.bigint();
      await sleep(ms);
      const b = readSchedstat(w.pid);
      const elapsedNs = Number(process.hrtime.bigint() - t0);
      return { runnableNs: b.runNs - a.runNs + (b.waitNs - a.waitNs), elapsedNs };
    };
    await w.setState('running');
    const busy = await runnableOver(300);
    expect((await w.verify()).intact).toBe(true);
    await w.setState('sleeping');
    // the spin slice in progress ends, then the event loop blocks: state S
    expect(await waitUntil(() => readStatus(w.pid).state === 'S', 30_000)).toBe(true);
    const idle = await runnableOver(300);
    // schedstat is brought up to date at context switches and ticks: allow a few slices
    expect(busy.runnableNs).toBeGreaterThan(0.75 * busy.elapsedNs);
    expect(idle.runnableNs).toBeLessThan(0.1 * idle.elapsedNs);
    expect(readStatus(w.pid).state).toBe('S');
  });

  it('exits on request, and exits when its runner is SIGKILLed', async () => {
    const w = await spawnWorkload({ kind: 'anon', content: 'zero', sizeMiB: 1, vmas: 1 });
    expect(await w.exit()).toEqual({ code: 0, signal: null });
    expect(processExists(w.pid)).toBe(false);

    const runner = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../../fixtures/workloads/runner-that-dies.ts', import.meta.url))], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      runner.stdout.setEncoding('utf8');
      runner.stdout.once('data', (s: string) => resolve(Number(s.trim())));
      runner.once('exit', () => reject(new Error('runner fixture exited early')));
    });
    expect(processExists(pid)).toBe(true);
    runner.kill('SIGKILL');
    expect(await waitUntil(() => !processExists(pid), 30_000), `workload ${pid} outlived its runner`).toBe(true);
  });
});
