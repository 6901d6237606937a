/**
 * The pressure family on the real kernel, beyond the lab's own checks (lab.test.ts): the
 * cooperative deliveries, balloon mode, the timeline and window, and every memory kind
 * through hint, pressure and re-touch.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { labConfigOfSpec, parseLabConfig } from '../../../bench/pressure/config.ts';
import { detectMemcg } from '../../../bench/pressure/memcg-host.ts';
import { runLabSample } from '../../../bench/pressure/sample.ts';
import { sampleOfLab } from '../../../bench/runner/pressure.ts';
import { processExists } from '../../../core/proc/stat.ts';
import { MEMORY_KINDS } from '../../../core/schema/enums.ts';
import { SampleSchema } from '../../../core/schema/results.ts';
import type { PressureSpec } from '../../../core/schema/pressure.ts';
import { canRun } from '../../helpers/prereq.ts';

const MiB = 1024 * 1024;
const canPressure = canRun('memory cgroup pressure lab', { root: true, swap: true });

/** |a - b| relative to b. */
const relDiff = (a: number, b: number): number => Math.abs(a - b) / b;

const place = { repetition: 0, warmUp: false, block: 0 };

describe.skipIf(!canPressure)('pressure samples on the real kernel', () => {
  const features = canPressure ? detectMemcg() : null;

  it.each(['self_madvise', 'self_process_madvise'] as const)(
    'PAGEOUT of the cold set by the workload itself (%s): freed agrees with the cgroup usage delta and the swap delta within 2 %%',
    async (delivery) => {
      const cfg = { ...parseLabConfig({ 'hot-mib': '16', 'cold-mib': '64', batches: '8', 'interval-ms': '5' }), delivery };
      const s = await runLabSample(cfg, 'pageout_cold_set', features!);
      expect(s.error).toBeNull();
      expect(s.hint).toMatchObject({ via: delivery, advice: 'pageout', set: 'cold', bytesAdvised: 64 * MiB, error: null, syscallTid: s.pid });
      expect(s.hint!.syscalls).toBe(1);
      const freed = s.freed!;
      expect(freed.rssBytes).toBeGreaterThan(0.95 * 64 * MiB);
      expect(relDiff(freed.cgroupUsageBytes, freed.rssBytes)).toBeLessThanOrEqual(0.02);
      expect(relDiff(freed.processSwapBytes, freed.rssBytes)).toBeLessThanOrEqual(0.02);
      if (freed.cgroupSwapBytes !== null) expect(relDiff(freed.cgroupSwapBytes, freed.rssBytes)).toBeLessThanOrEqual(0.02);
      expect(s.access.underPressure!.faultedPages).toBeLessThanOrEqual(0.02 * s.access.underPressure!.pages);
      expect(s.intact).toBe(true);
      expect(existsSync(s.memcg.dir)).toBe(false);
      expect(processExists(s.pid)).toBe(false);
    },
  );

  it('limit mode: the timeline runs through the pressure window and the Sample validates', async () => {
    const spec: PressureSpec = {
      strategy: 'cold_cold_set',
      delivery: 'external',
      hot: { kind: 'anon', content: 'random', sizeMiB: 16 },
      cold: { kind: 'anon', content: 'random', sizeMiB: 64 },
      mode: 'limit',
      limitMiB: 96,
      balloonMiB: null,
    };
    const s = await runLabSample(labConfigOfSpec(spec, 'process_madvise'), spec.strategy, features!);
    expect(s.error).toBeNull();
    const p = s.pressure!;
    expect(p.window.toNs).toBeGreaterThan(p.window.fromNs);
    const durationMs = (p.window.toNs - p.window.fromNs) / 1e6;
    // The first point is taken as the phase begins, one right after the limit write, the last at its end.
    expect(p.timeline.length).toBeGreaterThanOrEqual(3);
    const ts = p.timeline.map((pt) => pt.tMs);
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);
    expect(ts.at(-1)!).toBeLessThanOrEqual(durationMs + 1);
    // Under the limit from the write on: the cgroup's usage at the last point is within it.
    expect(p.timeline.at(-1)!.cgroupUsageBytes).toBeLessThanOrEqual(96 * MiB);
    const sample = sampleOfLab(s, spec, place);
    expect(SampleSchema.safeParse(sample).success).toBe(true);
    expect(sample.errors).toEqual([]);
    expect(sample.dataIntact).toBe(true);
    expect(sample.pressureTimeline).toHaveLength(p.timeline.length);
    // The re-touch after the pressure read every page back: its major faults are the pages the pressure had put out.
    expect(s.retouch!.majorFaults).toBeGreaterThan(0);
  });

  it('balloon mode: the balloon fills the cgroup under its fixed limit, pushes the working set out, and is gone at the end with the cgroup', async () => {
    const spec: PressureSpec = {
      strategy: 'none',
      delivery: 'external',
      hot: { kind: 'anon', content: 'random', sizeMiB: 8 },
      cold: { kind: 'anon', content: 'random', sizeMiB: 48 },
      mode: 'balloon',
      limitMiB: 160,
      balloonMiB: 96,
    };
    const s = await runLabSample(labConfigOfSpec(spec, 'process_madvise'), spec.strategy, features!);
    process.stderr.write(
      `balloon: ${JSON.stringify({ balloon: s.pressure?.balloon, coldEvicted: s.coldEvictedPages, hotRefaults: s.access.underPressure?.faultedPages, last: s.pressure?.timeline.at(-1), oom: s.oom })}\n`,
    );
    expect(s.error).toBeNull();
    const b = s.pressure!.balloon!;
    expect(b.error).toBeNull();
    expect(b.sizeMiB).toBe(96);
    expect(b.pid).toBeGreaterThan(0);
    expect(s.pressure!.limitWriteNs).toBeNull();
    // Working set (~56 MiB + runtime) and balloon (96 MiB + runtime) do not fit in 160 MiB: the workload lost pages to swap.
    const peakSwap = Math.max(...s.pressure!.timeline.map((pt) => pt.swapBytes));
    expect(peakSwap).toBeGreaterThan(0);
    expect(s.coldEvictedPages!).toBeGreaterThan(0);
    expect(s.oom.kills).toBe(0);
    expect(s.intact).toBe(true);
    expect(processExists(b.pid)).toBe(false);
    expect(processExists(s.pid)).toBe(false);
    expect(existsSync(s.memcg.dir)).toBe(false);
    expect(SampleSchema.safeParse(sampleOfLab(s, spec, place)).success).toBe(true);
  });

  it.each(MEMORY_KINDS)('both sets %s, PAGEOUT of everything, pressure and re-touch: every page intact, nothing left behind', async (kind) => {
    const cfg = parseLabConfig({ 'hot-mib': '8', 'cold-mib': '32', 'hot-kind': kind, 'cold-kind': kind, batches: '4', 'interval-ms': '5' });
    const s = await runLabSample(cfg, 'pageout_all', features!);
    process.stderr.write(
      `${kind}: freed ${((s.freed?.rssBytes ?? 0) / MiB).toFixed(1)} MiB, hot refaults ${s.access.underPressure?.faultedPages}, re-touch major faults ${s.retouch?.majorFaults}\n`,
    );
    expect(s.error).toBeNull();
    expect(s.hint!.error).toBeNull();
    expect(s.oom.kills).toBe(0);
    expect(s.retouch).not.toBeNull();
    expect(s.intact).toBe(true);
    expect(existsSync(s.memcg.dir)).toBe(false);
    expect(processExists(s.pid)).toBe(false);
  });
});
