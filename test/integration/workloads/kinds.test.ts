import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createMechanism } from '../../../bench/mechanisms/index.ts';
import type { Mechanism } from '../../../bench/mechanisms/mechanism.ts';
import { MEMORY_KINDS } from '../../../core/schema/enums.ts';
import { readSmaps, smapsFieldIn } from '../../../core/proc/smaps.ts';
import { readVmstat } from '../../../core/proc/vmstat.ts';
import type { Advice, MechanismName, MemoryKind, Region } from '../../../core/types.ts';
import { spawnWorkload, type WorkloadHandle } from '../../../workloads/client.ts';
import { canRun, canUse } from '../../helpers/prereq.ts';
import { existsSync, readFileSync } from 'node:fs';

const MiB = 1024 * 1024;
const THP_ENABLED = '/sys/kernel/mm/transparent_hugepage/enabled';
const SIZE_MIB = 16;
const canHint = canRun('memory kinds hinted', { root: true, swap: true });
/** MADV_HUGEPAGE gets huge pages only when THP is `always` or `madvise`. */
const thpMode = /\[(\w+)\]/.exec(existsSync(THP_ENABLED) ? readFileSync(THP_ENABLED, 'utf8') : '')?.[1] ?? 'absent';
const canThp = canUse('transparent huge pages for MADV_HUGEPAGE', thpMode === 'always' || thpMode === 'madvise', `echo madvise > ${THP_ENABLED} (now: ${thpMode})`);

/** Sum of an smaps field over the workload's regions, bytes. */
function regionField(pid: number, regions: readonly Region[], field: string): number {
  const smaps = readSmaps(pid);
  return regions.reduce((n, r) => n + smapsFieldIn(smaps, field, r.startAddr, r.lengthBytes), 0);
}

let workload: WorkloadHandle | null = null;
const mechanisms = new Map<MechanismName, Mechanism>();
async function mechanismFor(name: MechanismName): Promise<Mechanism> {
  const m = mechanisms.get(name) ?? (await createMechanism(name));
  mechanisms.set(name, m);
  return m;
}
afterEach(async () => {
  for (const m of mechanisms.values()) await m.close();
  await workload?.kill();
  workload = null;
});
afterAll(async () => {
  for (const m of mechanisms.values()) await m.dispose();
});

/** Every kind with both advices by process_madvise, and PAGEOUT injected by ptrace. */
const CASES: Array<[MemoryKind, Advice, MechanismName]> = MEMORY_KINDS.filter((kind) => kind !== 'thp' || canThp).flatMap((kind) => [
  [kind, 'pageout', 'process_madvise'],
  [kind, 'cold', 'process_madvise'],
  [kind, 'pageout', 'ptrace'],
]);

/** What a hint did to one kind, printed so a run documents the kernel's behaviour. */
const observed: string[] = [];
afterAll(() => {
  if (observed.length > 0) process.stderr.write(`memory kinds, ${SIZE_MIB} MiB each:\n  ${observed.join('\n  ')}\n`);
});

describe.skipIf(!canHint).each(CASES)('%s memory, %s by %s', (kind, advice, mechanismName) => {
  it('keeps every page intact through the hint and the re-touch', async () => {
    workload = await spawnWorkload({ kind, content: 'random', sizeMiB: SIZE_MIB, vmas: 2 });
    const w = workload;
    expect(w.regions.every((r) => r.kind === kind)).toBe(true);
    const rss0 = regionField(w.pid, w.regions, 'Rss');
    expect(rss0).toBeGreaterThan(0.95 * SIZE_MIB * MiB);
    const huge0 = regionField(w.pid, w.regions, 'AnonHugePages');
    if (kind === 'thp') expect(huge0, 'MADV_HUGEPAGE regions are backed by huge pages').toBeGreaterThan(0);
    else expect(huge0).toBe(0);
    const swap0 = regionField(w.pid, w.regions, 'Swap');
    const vm0 = readVmstat();

    const mechanism = await mechanismFor(mechanismName);
    await mechanism.open({ pid: w.pid });
    const out = await mechanism.hint({ target: { pid: w.pid }, advice, ranges: w.regions });
    expect(out.error ?? null).toBeNull();
    expect(out.bytesAdvised).toBe(SIZE_MIB * MiB);
    const vm1 = readVmstat();
    const rss1 = regionField(w.pid, w.regions, 'Rss');
    const swap1 = regionField(w.pid, w.regions, 'Swap');
    const huge1 = regionField(w.pid, w.regions, 'AnonHugePages');
    const delta = (k: string): number => (vm1[k] ?? 0) - (vm0[k] ?? 0);
    const thp = kind === 'thp' ? `, huge ${huge0 / MiB}->${huge1 / MiB} MiB, thp_swpout +${delta('thp_swpout')}, thp_split_page +${delta('thp_split_page')}` : '';
    observed.push(`${kind} ${advice} via ${mechanismName}: rss ${(rss0 / MiB).toFixed(1)}->${(rss1 / MiB).toFixed(1)} MiB, swap +${((swap1 - swap0) / MiB).toFixed(1)} MiB${thp}`);

    if (advice === 'cold') {
      // COLD only deactivates: nothing leaves memory.
      expect(rss1).toBeGreaterThan(0.95 * rss0);
    } else if (kind === 'file_private') {
      // Clean page cache is dropped, not swapped.
      expect(rss1).toBeLessThan(0.05 * rss0);
      expect(swap1 - swap0).toBe(0);
    } else if (kind === 'anon' || kind === 'thp') {
      expect(rss1).toBeLessThan(0.05 * rss0);
      expect(swap1 - swap0).toBeGreaterThan(0.95 * rss0);
    } else if (kind === 'shmem' || kind === 'memfd') {
      expect(rss1).toBeLessThan(0.05 * rss0);
    }
    if (kind === 'thp' && advice === 'pageout') {
      // Swapped whole (thp_swpout) or split first (thp_split_page): one of them moved.
      expect(delta('thp_swpout') + delta('thp_split_page')).toBeGreaterThan(0);
    }

    const t = await w.retouch();
    expect(t.pages).toBe((SIZE_MIB * MiB) / w.pageSizeBytes);
    const v = await w.verify();
    expect(v).toMatchObject({ intact: true, corruptPages: 0 });
  });
});
