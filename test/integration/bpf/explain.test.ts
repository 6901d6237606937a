/**
 * The explanation figures of real samples (process_madvise PAGEOUT of 64 MiB random anon
 * memory, target spinning on a CPU and target sleeping, through the suite runner with the
 * real probes) checked against independent measurements of the same thing:
 * - TLB shootdowns the probe counted vs the TLB line of /proc/interrupts over the hint window;
 * - the refault-latency histogram's total vs its own count, vs refaults.bt and vs the
 *   workload's /proc/self/stat major faults of the re-touch;
 * - /proc/vmstat workingset_refault_anon and pswpin vs those major faults;
 * - zram's stored bytes vs the pages swapped out.
 * System-wide counters only grow from other activity, so they are bounded from below by
 * the exact figure and from above by that figure plus a margin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../../bench/runner/run.ts';
import { scenarioId } from '../../../bench/scenarios/matrix.ts';
import type { MemorySpec, Sample, Scenario, ScenarioResult, TargetState } from '../../../core/types.ts';
import { readNrMigrations } from '../../../core/proc/sched.ts';
import { canRun } from '../../helpers/prereq.ts';

const PAGES = 16_384; // 64 MiB
const memory: MemorySpec = { kind: 'anon', content: 'random', sizeMiB: 64, vmas: 1 };
const run = canRun('explanation probes', { root: true, bpftrace: true, swap: true, tracefs: true });
const scenario = (targetState: TargetState): Scenario => ({
  id: scenarioId('process_madvise', 'pageout', memory, targetState),
  mechanism: 'process_madvise',
  advice: 'pageout',
  memory,
  targetState,
  repetitions: 2,
});
const n = (v: number | null): number => {
  if (v === null) throw new Error('figure is null');
  return v;
};

describe.skipIf(!run)('explanation figures against independent counts', () => {
  const results: Partial<Record<TargetState, ScenarioResult>> = {};
  const samples = (): Sample[] => [...(results.running?.samples ?? []), ...(results.sleeping?.samples ?? [])];

  /** Migrations of this thread (the process_madvise caller) over both scenarios, from /proc. */
  let callerMigrationsProc: number | null = null;

  beforeAll(async () => {
    const before = readNrMigrations(process.pid, process.pid);
    results.running = await runScenario(scenario('running'), { explain: true });
    results.sleeping = await runScenario(scenario('sleeping'), { explain: true });
    const after = readNrMigrations(process.pid, process.pid);
    callerMigrationsProc = before === null || after === null ? null : after - before;
  }, 300_000);
  afterAll(() => {
    for (const s of samples()) console.log(JSON.stringify(s, (k, v) => (k === 'refaultLatencyLog2Hist' ? JSON.stringify(v) : v)));
  });

  it('ran every sample cleanly with every explanation probe', () => {
    for (const r of Object.values(results)) {
      expect(r.status, r.error ?? '').toBe('ok');
      expect(r.warnings.filter((w) => /not run|null for|never arrived|lost/.test(w))).toEqual([]);
      expect(r.samples).toHaveLength(2);
    }
  });

  it('counts the TLB shootdowns /proc/interrupts counts (traced ones: no more than it, most of them)', () => {
    for (const s of samples()) {
      const traced = n(s.tlbRemoteShootdowns);
      const irqs = n(s.irqTlbShootdowns);
      // every traced remote shootdown is a received TLB interrupt, and the interrupt window is a
      // little wider (a "remote wrong CPU" flush returns before the kernel counts it)
      expect(traced, `sample ${s.repetition}: traced ${traced}, /proc/interrupts ${irqs}`).toBeLessThanOrEqual(irqs);
      // every IPI the hinting thread sent was received before its call returned (the flush waits for it)
      expect(n(s.irqFunctionCalls), `sample ${s.repetition}: sent ${s.ipiSends}, CAL ${s.irqFunctionCalls}`).toBeGreaterThanOrEqual(n(s.ipiSends) * 0.99);
    }
    for (const s of results.running?.samples ?? []) {
      const irqs = n(s.irqTlbShootdowns);
      const traced = n(s.tlbRemoteShootdowns);
      // lazy-TLB CPUs take the interrupt without a trace, and other processes add some
      expect(traced, `running sample ${s.repetition}: traced ${traced}, /proc/interrupts ${irqs}`).toBeGreaterThanOrEqual(irqs * 0.5 - 50);
    }
  });

  it('the refault histogram holds every re-touch major fault: its total, refaults.bt and the workload agree', () => {
    for (const s of samples()) {
      const hist = s.refaultLatencyLog2Hist ?? [];
      const total = hist.reduce((a, c) => a + c, 0);
      expect(total).toBe(n(s.refaultsTimed));
      expect(n(s.refaultsTimed)).toBe(n(s.retouchMajorFaultsProbe));
      expect(Math.abs(n(s.refaultsTimed) - s.retouchMajorFaults), `probe ${s.refaultsTimed} vs /proc/self/stat ${s.retouchMajorFaults}`).toBeLessThanOrEqual(
        Math.max(4, s.retouchMajorFaults * 0.01),
      );
      expect(s.retouchMajorFaults).toBeGreaterThanOrEqual(PAGES * 0.98);
      expect(n(s.refaultLatencyMeanNs)).toBeGreaterThan(0);
      // the mean lies inside the histogram's range
      const lo = 2 ** hist.findIndex((c) => c > 0);
      const hi = 2 ** hist.length;
      expect(n(s.refaultLatencyMeanNs)).toBeGreaterThanOrEqual(lo);
      expect(n(s.refaultLatencyMeanNs)).toBeLessThan(hi);
      expect(n(s.retouchMinorFaults)).toBeGreaterThanOrEqual(0);
    }
  });

  it('/proc/vmstat: workingset_refault_anon and pswpin cover the re-touch major faults', () => {
    for (const s of samples()) {
      expect(n(s.workingsetRefaultAnonDeltaPages), `refault_anon delta vs ${s.retouchMajorFaults} major faults`).toBeGreaterThanOrEqual(s.retouchMajorFaults * 0.98);
      expect(n(s.workingsetRefaultAnonDeltaPages)).toBeLessThanOrEqual(s.retouchMajorFaults * 1.5 + 5000);
      expect(s.pswpinDeltaPages).toBeGreaterThanOrEqual(s.retouchMajorFaults * 0.98);
      for (const f of ['pgscanKswapdDeltaPages', 'pgstealDirectDeltaPages', 'thpSwpoutDelta', 'thpSplitPageDelta'] as const) expect(s[f], f).not.toBeNull();
    }
  });

  it('zram stored the pages swapped out, incompressible (ratio near 1)', () => {
    for (const s of samples()) {
      const outBytes = s.pswpoutDeltaPages * 4096;
      expect(Math.abs(n(s.zramOrigDeltaBytes) - outBytes), `zram orig delta ${s.zramOrigDeltaBytes} vs pswpout ${outBytes} bytes`).toBeLessThanOrEqual(outBytes * 0.1);
      expect(n(s.zramCompressionRatio)).toBeGreaterThan(0.9);
      expect(n(s.zramCompressionRatio)).toBeLessThan(1.3);
    }
  });

  it('places the caller on a CPU and counts its migrations and switches consistently', () => {
    // the probe counts migrations inside the hint calls only, /proc over the whole runs
    const probe = samples().reduce((a, s) => a + n(s.callerMigrations), 0);
    expect(probe, `probe ${probe}, /proc se.nr_migrations delta ${callerMigrationsProc}`).toBeLessThanOrEqual(n(callerMigrationsProc));
    for (const s of samples()) {
      expect(n(s.callerCpu)).toBeGreaterThanOrEqual(0);
      expect(n(s.targetCpu)).toBeGreaterThanOrEqual(0);
      expect(n(s.callerPreemptions)).toBeLessThanOrEqual(n(s.callerSwitches));
      expect(n(s.callerOffCpuNs)).toBeLessThanOrEqual(n(s.userLatencyNs));
      expect(n(s.targetMigrations)).toBeGreaterThanOrEqual(0);
      expect(n(s.ipiSends)).toBeGreaterThanOrEqual(0);
    }
  });
});
