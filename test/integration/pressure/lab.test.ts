import { existsSync, mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RUNTIME_MIB, parseLabConfig } from '../../../bench/pressure/config.ts';
import { detectMemcg, removeStaleLabMemcgs } from '../../../bench/pressure/memcg-host.ts';
import { runLabSample } from '../../../bench/pressure/sample.ts';
import { frozenCgroupName } from '../../../bench/host/stale-cgroups.ts';
import { processExists } from '../../../core/proc/stat.ts';
import { canRun } from '../../helpers/prereq.ts';
import { MEMORY_KINDS } from '../../../core/schema/enums.ts';
import { spawnSync } from 'node:child_process';
import { sampleOfLab } from '../../../bench/runner/pressure.ts';
import { SampleSchema } from '../../../core/schema/results.ts';

const MiB = 1024 * 1024;
const canPressure = canRun('memory cgroup pressure lab', { root: true, swap: true });

/** |a - b| relative to b. */
const relDiff = (a: number, b: number): number => Math.abs(a - b) / b;

describe.skipIf(!canPressure)('strategy lab on the real kernel', () => {
  const features = canPressure ? detectMemcg() : null;

  it('PAGEOUT of the cold set: the pages freed agree with the cgroup usage delta and the swap delta within 2 %; nothing is left behind', async () => {
    const cfg = parseLabConfig({ 'hot-mib': '16', 'cold-mib': '64', batches: '8', 'interval-ms': '5' });
    const s = await runLabSample(cfg, 'pageout_cold_set', features!);
    expect(s.error).toBeNull();
    const freed = s.freed!;
    expect(freed.rssBytes).toBeGreaterThan(0.95 * 64 * MiB);
    expect(relDiff(freed.cgroupUsageBytes, freed.rssBytes)).toBeLessThanOrEqual(0.02);
    expect(relDiff(freed.processSwapBytes, freed.rssBytes)).toBeLessThanOrEqual(0.02);
    if (freed.cgroupSwapBytes !== null) expect(relDiff(freed.cgroupSwapBytes, freed.rssBytes)).toBeLessThanOrEqual(0.02);
    // The cold set was out before the pressure: the hot set kept its pages.
    expect(s.coldEvictedPages!).toBeGreaterThan(0.95 * s.coldPages!);
    expect(s.access.underPressure!.faultedPages).toBeLessThanOrEqual(0.02 * s.access.underPressure!.pages);
    expect(s.pressure!.limitError).toBeNull();
    expect(s.pressure!.psi?.scope).toBe(features!.version === 'v2' ? 'cgroup' : 'system');
    expect(s.oom.kills).toBe(0);
    expect(s.intact).toBe(true);
    expect(existsSync(s.memcg.dir)).toBe(false);
    expect(processExists(s.pid)).toBe(false);
  });

  it('PAGEOUT of the cold set injected by ptrace frees the same: RSS, cgroup usage and swap agree within 2 %', async () => {
    const cfg = parseLabConfig({ 'hot-mib': '16', 'cold-mib': '64', batches: '8', 'interval-ms': '5', via: 'ptrace' });
    const s = await runLabSample(cfg, 'pageout_cold_set', features!);
    expect(s.error).toBeNull();
    expect(s.hint?.via).toBe('ptrace');
    const freed = s.freed!;
    expect(freed.rssBytes).toBeGreaterThan(0.95 * 64 * MiB);
    expect(relDiff(freed.cgroupUsageBytes, freed.rssBytes)).toBeLessThanOrEqual(0.02);
    expect(relDiff(freed.processSwapBytes, freed.rssBytes)).toBeLessThanOrEqual(0.02);
    expect(s.intact).toBe(true);
    expect(existsSync(s.memcg.dir)).toBe(false);
    expect(processExists(s.pid)).toBe(false);
  });

  it('PAGEOUT of everything: the hot set refaults under pressure, one major fault per page, data intact', async () => {
    const cfg = parseLabConfig({ 'hot-mib': '16', 'cold-mib': '64', batches: '8', 'interval-ms': '5' });
    const s = await runLabSample(cfg, 'pageout_all', features!);
    expect(s.error).toBeNull();
    const hotPages = (16 * MiB) / 4096;
    const under = s.access.underPressure!;
    expect(under.faultedPages).toBeGreaterThan(0.95 * hotPages);
    expect(under.faultedPages).toBeLessThanOrEqual(hotPages);
    expect(s.intact).toBe(true);
    expect(existsSync(s.memcg.dir)).toBe(false);
  });

  it('an impossible configuration (working set above the limit, no swap) ends in an OOM kill reported as data with its reason, and leaves nothing behind', async () => {
    const cfg = parseLabConfig({ 'hot-mib': '16', 'cold-mib': '256', batches: '4' });
    const s = await runLabSample(cfg, 'none', features!, { initialLimits: { memoryBytes: (RUNTIME_MIB + 64) * MiB, swapBytes: 0 } });
    expect(s.oom.kills).toBeGreaterThanOrEqual(1);
    expect(s.error).toMatch(/SIGKILL|exited/);
    expect(s.oom.reason).toMatch(/OOM kill\(s\) in .*hintbench-/);
    // The kernel's own words, when its log still holds them.
    if (!s.oom.reason!.includes('has no line')) expect(s.oom.reason).toMatch(/CONSTRAINT_MEMCG|Killed process/);
    expect(s.pid).toBeGreaterThan(0);
    process.stderr.write(`OOM reason: ${s.oom.reason}\n`);
    expect(existsSync(s.memcg.dir)).toBe(false);
    expect(processExists(s.pid)).toBe(false);
    // In the runner's Sample: counted, with the reason among its errors, never silent.
    const spec = { strategy: 'none', delivery: 'external', hot: cfg.spec.hot, cold: cfg.spec.cold, mode: 'limit', limitMiB: cfg.limitMiB, balloonMiB: null } as const;
    const sample = sampleOfLab(s, spec, { repetition: 0, warmUp: false, block: 0 });
    expect(SampleSchema.safeParse(sample).success).toBe(true);
    expect(sample.oomKills).toBeGreaterThanOrEqual(1);
    expect(sample.errors).toContain(s.oom.reason);
    expect(sample.dataIntact).toBe(false);
  });

  it.each(MEMORY_KINDS)('a %s cold set, hinted COLD and put under pressure, is intact afterwards', async (kind) => {
    const cfg = parseLabConfig({ 'hot-mib': '8', 'cold-mib': '48', 'cold-kind': kind, batches: '4', 'interval-ms': '5' });
    const s = await runLabSample(cfg, 'cold_cold_set', features!);
    expect(s.error).toBeNull();
    expect(s.pressure!.limitError).toBeNull();
    expect(s.oom.kills).toBe(0);
    process.stderr.write(
      `${kind} cold set under pressure: ${s.coldEvictedPages}/${s.coldPages} cold pages out, limit write ${((s.pressure!.limitWriteNs ?? 0) / 1e6).toFixed(1)} ms\n`,
    );
    expect(s.intact).toBe(true);
    expect(existsSync(s.memcg.dir)).toBe(false);
  });

  // On cgroup2 the stale-cgroup cleanup of bench/host/stale-cgroups.ts covers them (test/integration/host).
  it.skipIf(features?.version !== 'v1')('removes a lab cgroup in the v1 memory hierarchy whose owner is dead', async () => {
    const dead = spawnSync('true');
    expect(dead.pid).toBeGreaterThan(0);
    const dir = `${features!.root}/${frozenCgroupName({ pid: dead.pid!, startTicks: 1 }, 1)}`;
    mkdirSync(dir);
    const removed = await removeStaleLabMemcgs(features!);
    expect(removed).toContain(dir);
    expect(existsSync(dir)).toBe(false);
  });
});
