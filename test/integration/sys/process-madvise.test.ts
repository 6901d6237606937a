import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ADVICE_VALUE } from '../../../core/sys/syscall.ts';
import { SyscallError } from '../../../core/sys/errno.ts';
import { closeFd, pidfdOpen } from '../../../core/sys/pidfd.ts';
import { probeProcessMadvise, processMadviseAll } from '../../../core/sys/process-madvise.ts';
import { readSmaps, smapsFieldIn } from '../../../core/proc/smaps.ts';
import { readStatus } from '../../../core/proc/status.ts';
import { readVmstat } from '../../../core/proc/vmstat.ts';
import { spawnWorkload, type WorkloadHandle } from '../../../workloads/client.ts';
import { canRun } from '../../helpers/prereq.ts';

const run = canRun('process_madvise integration', { root: true, swap: true });
const MiB = 1024 * 1024;

describe.skipIf(!run)('process_madvise on a real child process', () => {
  let workload: WorkloadHandle | null = null;
  let pidfd = -1;
  afterEach(async () => {
    if (pidfd >= 0) closeFd(pidfd);
    pidfd = -1;
    await workload?.kill();
    workload = null;
  });

  it('is available on this kernel', () => {
    expect(probeProcessMadvise()).toBe('available');
  });

  it('PAGEOUTs a 32 MiB child: bytesAdvised is the size and VmSwap grows by about the size', async () => {
    workload = await spawnWorkload({ kind: 'anon', content: 'random', sizeMiB: 32, vmas: 2 });
    const sizeBytes = 32 * MiB;
    pidfd = pidfdOpen(workload.pid);
    // Resident bytes of the advised regions alone (smaps): the process's RssAnon also holds the
    // Node runtime's heap, which grew by 0.8-1.4 MiB across the hint once under two CPU hogs.
    const regionRss = (): number => {
      const smaps = readSmaps(workload!.pid);
      return workload!.regions.reduce((n, x) => n + smapsFieldIn(smaps, 'Rss', x.startAddr, x.lengthBytes), 0);
    };
    const before = readStatus(workload.pid);
    const rssBefore = regionRss();
    const vmBefore = readVmstat();
    const r = processMadviseAll(pidfd, workload.regions, ADVICE_VALUE.pageout);
    const vmAfter = readVmstat();
    const rssAfter = regionRss();
    const after = readStatus(workload.pid);
    expect(r).toEqual({ bytesAdvised: sizeBytes, syscalls: 1, skipped: [], error: null, elapsedNs: expect.any(Number) });
    expect(after.swapBytes - before.swapBytes).toBeGreaterThanOrEqual(0.98 * sizeBytes);
    expect(rssBefore).toBeGreaterThanOrEqual(0.98 * sizeBytes);
    expect(rssBefore - rssAfter, `regions' Rss ${rssBefore} -> ${rssAfter} bytes`).toBeGreaterThanOrEqual(0.98 * sizeBytes);
    expect((vmAfter.pswpout ?? 0) - (vmBefore.pswpout ?? 0)).toBeGreaterThanOrEqual((0.98 * sizeBytes) / workload.pageSizeBytes);
  });

  it('splits 2000 page-sized ranges into calls of at most 1024 iovecs and advises them all', async () => {
    workload = await spawnWorkload({ kind: 'anon', content: 'random', sizeMiB: 16, vmas: 1 });
    pidfd = pidfdOpen(workload.pid);
    const page = workload.pageSizeBytes;
    const start = workload.regions[0]!.startAddr;
    // Every other page, so no two ranges are adjacent: 2000 separate iovecs.
    const ranges = Array.from({ length: 2000 }, (_, i) => ({ startAddr: start + 2 * i * page, lengthBytes: page }));
    const swapBefore = readStatus(workload.pid).swapBytes;
    const r = processMadviseAll(pidfd, ranges, ADVICE_VALUE.pageout);
    expect(r).toEqual({ bytesAdvised: 2000 * page, syscalls: 2, skipped: [], error: null, elapsedNs: expect.any(Number) });
    expect(readStatus(workload.pid).swapBytes - swapBefore).toBeGreaterThanOrEqual(0.98 * 2000 * page);
    expect((await workload.verify()).intact).toBe(true);
  });

  it('skips an unmapped range with ENOMEM and advises the ranges after it', async () => {
    workload = await spawnWorkload({ kind: 'anon', content: 'random', sizeMiB: 8, vmas: 2 });
    pidfd = pidfdOpen(workload.pid);
    const [a, b] = workload.regions;
    // mmap_min_addr keeps the first 64 KiB of every process unmapped.
    const hole = { startAddr: 0x1000, lengthBytes: workload.pageSizeBytes };
    const r = processMadviseAll(pidfd, [a!, hole, b!], ADVICE_VALUE.cold);
    expect(r.bytesAdvised).toBe(a!.lengthBytes + b!.lengthBytes);
    expect(r.skipped).toEqual([{ ...hole, reason: 'ENOMEM' }]);
    expect(r.syscalls).toBe(3);
    expect(r.error).toBeNull();
  });

  it('reports ESRCH for a process that has exited', async () => {
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    const pid = child.pid!;
    pidfd = pidfdOpen(pid);
    child.kill('SIGKILL');
    await once(child, 'exit');
    const r = processMadviseAll(pidfd, [{ startAddr: 0x400000, lengthBytes: 4096 }], ADVICE_VALUE.pageout);
    expect(r.bytesAdvised).toBe(0);
    expect(r.error).toMatch(/^ESRCH: /);
    let err: unknown = null;
    try {
      pidfdOpen(pid);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SyscallError);
    expect((err as SyscallError).code).toBe('ESRCH');
  });
});
