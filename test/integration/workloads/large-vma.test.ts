/**
 * A workload VMA larger than 4 GiB: its memory is seen through views of at most 1 GiB (one
 * view over it made koffi abort the whole process), so it is filled, paged out, re-touched
 * and verified like any other.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { closeFd, pidfdOpen } from '../../../core/sys/pidfd.ts';
import { processMadviseAll } from '../../../core/sys/process-madvise.ts';
import { readMaps } from '../../../core/proc/maps.ts';
import { readStatus } from '../../../core/proc/status.ts';
import { ADVICE_VALUE } from '../../../core/sys/syscall.ts';
import { spawnWorkload, type WorkloadHandle } from '../../../workloads/client.ts';
import { canRun, canUse } from '../../helpers/prereq.ts';

const MiB = 2 ** 20;
/** Just above the 4 GiB an ArrayBuffer may have on Node 20. */
const SIZE_MIB = 4200;
const availableMiB = Number(/^MemAvailable:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 1024;
const ready =
  canRun('a 4200 MiB single-VMA workload', { root: true, swap: true }) &&
  canUse('a 4200 MiB single-VMA workload', availableMiB > SIZE_MIB + 2048, `${SIZE_MIB + 2048} MiB of MemAvailable (there are ${Math.floor(availableMiB)})`);

let workload: WorkloadHandle | null = null;
afterEach(async () => {
  await workload?.kill();
  workload = null;
});

describe.skipIf(!ready)('a single VMA larger than 4 GiB', () => {
  it('maps, fills, pages out, re-touches and verifies 4200 MiB of zero-filled pages in one VMA', async () => {
    workload = await spawnWorkload({ kind: 'anon', content: 'zero', sizeMiB: SIZE_MIB, vmas: 1 });
    const w = workload;
    expect(w.regions).toHaveLength(1);
    const region = w.regions[0]!;
    expect(region.lengthBytes).toBe(SIZE_MIB * MiB);
    const vma = readMaps(w.pid).find((m) => m.startAddr === region.startAddr);
    expect(vma?.endAddr).toBe(region.startAddr + region.lengthBytes);
    expect(readStatus(w.pid).rssBytes).toBeGreaterThan(SIZE_MIB * MiB);

    const pidfd = pidfdOpen(w.pid);
    try {
      const r = processMadviseAll(pidfd, w.regions, ADVICE_VALUE.pageout);
      expect(r.error).toBeNull();
      expect(r.bytesAdvised).toBe(SIZE_MIB * MiB);
      expect(r.syscalls).toBeGreaterThan(1); // one call advises at most MAX_RW_COUNT (~2 GiB)
    } finally {
      closeFd(pidfd);
    }
    expect(readStatus(w.pid).rssBytes).toBeLessThan((SIZE_MIB * MiB) / 2);
    const touched = await w.retouch();
    expect(touched.pages).toBe(SIZE_MIB * 256);
    expect(touched.majorFaults).toBeGreaterThan(0);
    expect(await w.verify()).toMatchObject({ intact: true, corruptPages: 0 });
  }, 300_000);
});
