import { afterEach, describe, expect, it } from 'vitest';
import { ProcessMadviseMechanism } from '../../../bench/mechanisms/process-madvise.ts';
import { spawnWorkingSet, type WorkloadHandle } from '../../../workloads/client.ts';
import { canRun } from '../../helpers/prereq.ts';

const canPageOut = canRun('working-set workload paged out', { root: true, swap: true });

let workload: WorkloadHandle | null = null;
const mechanism = new ProcessMadviseMechanism();
afterEach(async () => {
  await mechanism.dispose();
  await workload?.kill();
  workload = null;
});

/** |a - b| relative to b. */
const relDiff = (a: number, b: number): number => Math.abs(a - b) / b;

describe.skipIf(!canPageOut)('working-set workload, 16 MiB hot + 48 MiB cold anonymous', () => {
  it('splits the faults of a re-touch after PAGEOUT by set, and hot + cold equal the major faults within 2 %', async () => {
    workload = await spawnWorkingSet({ hot: { kind: 'anon', content: 'random', sizeMiB: 16 }, cold: { kind: 'anon', content: 'random', sizeMiB: 48 } });
    const w = workload;
    expect(w.regions.map((r) => r.role)).toEqual(['hot', 'cold']);
    await mechanism.open({ pid: w.pid });
    const out = await mechanism.hint({ target: { pid: w.pid }, advice: 'pageout', ranges: w.regions });
    expect(out.error ?? null).toBeNull();
    const t = await w.touch('all');
    const hot = t.sets.find((s) => s.role === 'hot')!;
    const cold = t.sets.find((s) => s.role === 'cold')!;
    expect(hot.pages).toBe(4096);
    expect(cold.pages).toBe(12288);
    // Nearly every page was paged out (a page the kernel could not isolate stays).
    expect(hot.faultedPages + cold.faultedPages).toBeGreaterThan(0.95 * (hot.pages + cold.pages));
    expect(relDiff(hot.faultedPages + cold.faultedPages, t.majorFaults)).toBeLessThanOrEqual(0.02);
    expect(await w.verify()).toMatchObject({ intact: true, corruptPages: 0 });
  });

  it('measures the hot set at a fixed rate: refaults after PAGEOUT of the hot set match the major faults within 2 %, the cold set stays out', async () => {
    workload = await spawnWorkingSet({ hot: { kind: 'anon', content: 'random', sizeMiB: 16 }, cold: { kind: 'anon', content: 'random', sizeMiB: 16 } });
    const w = workload;
    const warm = await w.measure({ batches: 8, batchPages: 1024, intervalUs: 5000 });
    expect(warm.batches).toHaveLength(8);
    expect(warm.pages).toBe(8192);
    expect(warm.faultedPages).toBeLessThanOrEqual(0.02 * warm.pages);
    expect(warm.p50Ns).toBeLessThanOrEqual(warm.p99Ns);
    expect(warm.p99Ns).toBeLessThanOrEqual(warm.maxNs);
    // The batches keep their schedule: each starts no earlier than its slot.
    for (const [i, b] of warm.batches.entries()) expect(b.offsetNs).toBeGreaterThanOrEqual(i * 5_000_000 - 1_000);

    await mechanism.open({ pid: w.pid });
    await mechanism.hint({ target: { pid: w.pid }, advice: 'pageout', ranges: w.regions });
    const m = await w.measure({ batches: 8, batchPages: 1024, intervalUs: 5000 });
    // 8 x 1024 pages read the 4096-page hot set twice: the first pass refaults it.
    expect(m.faultedPages).toBeGreaterThan(0.95 * 4096);
    expect(m.faultedPages).toBeLessThanOrEqual(4096);
    expect(relDiff(m.faultedPages, m.majorFaults)).toBeLessThanOrEqual(0.02);
    // The first pass (batches 0-3) refaults and is slower than the second: a swap-in costs
    // microseconds, a resident read tens of nanoseconds.
    const firstPass = m.batches.slice(0, 4);
    const secondPass = m.batches.slice(4);
    expect(firstPass.every((b) => b.faultedPages > 0)).toBe(true);
    expect(secondPass.every((b) => b.faultedPages <= 0.01 * b.pages)).toBe(true);
    expect(Math.min(...firstPass.map((b) => b.p50Ns))).toBeGreaterThan(Math.max(...secondPass.map((b) => b.p50Ns)));
    const r = await w.residency();
    expect(r.sets.find((s) => s.role === 'hot')!.residentPages).toBe(4096);
    expect(r.sets.find((s) => s.role === 'cold')!.residentPages).toBeLessThan(0.05 * 4096);
    expect(await w.verify()).toMatchObject({ intact: true, corruptPages: 0 });
  });
});
