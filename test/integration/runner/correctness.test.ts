/**
 * The figures hintbench reports must agree with independent measurements of the same thing:
 * the probe's reclaimed pages with the pages advised, VmSwap growth and /proc/vmstat pswpout;
 * the probe's and the workload's major faults with the pages paged out and pswpin. Runs the
 * real pipeline (runScenario: workload process, process_madvise, bpftrace) on the real kernel.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../bench/runner/run.ts';
import { scenarioId } from '../../../bench/scenarios/matrix.ts';
import type { Advice, MemorySpec, Sample, Scenario } from '../../../core/types.ts';
import { canRun } from '../../helpers/prereq.ts';

const ready = canRun('runner correctness', { root: true, bpftrace: true, swap: true, tracefs: true });
const PAGE = 4096;
const memory: MemorySpec = { kind: 'anon', content: 'random', sizeMiB: 64, vmas: 2 };
const pages = (memory.sizeMiB * 1024 * 1024) / PAGE;

function scenario(mechanism: 'process_madvise' | 'ptrace' | 'none', advice: Advice | 'none'): Scenario {
  return { id: scenarioId(mechanism, advice, memory, 'sleeping'), mechanism, advice, memory, targetState: 'sleeping', repetitions: 3 };
}

/** |a - b| <= tol * ref */
function within(a: number, b: number, tol: number, ref = b): boolean {
  return Math.abs(a - b) <= tol * ref;
}

describe.skipIf(!ready)('figures agree with independent measurements', () => {
  it.each(['process_madvise', 'ptrace'] as const)('PAGEOUT via %s: reclaimed pages, swap growth, vmstat and major faults all match the page count', async (mechanism) => {
    const result = await runScenario(scenario(mechanism, 'pageout'));
    expect(result.error).toBeNull();
    expect(result.samples).toHaveLength(3);
    for (const s of result.samples) {
      expect(s.errors).toEqual([]);
      expect(s.dataIntact).toBe(true);
      expect(s.bytesAdvised).toBe(pages * PAGE);
      expect(s.probeSyscalls).toBe(s.syscalls);
      // pages reclaimed inside the call (probe) vs pages advised
      expect(s.reclaimedPages).not.toBeNull();
      expect(within(s.reclaimedPages!, pages, 0.02)).toBe(true);
      // swap grew by ~N pages (VmSwap of the target, an independent reading)
      expect(within((s.swapAfterBytes - s.swapBeforeBytes) / PAGE, pages, 0.02)).toBe(true);
      // the probe agrees with /proc/vmstat pswpout over the same window
      expect(within(s.reclaimedPages!, s.pswpoutDeltaPages, 0.02, pages)).toBe(true);
      // re-touch: major faults (workload's /proc/self/stat and the probe) vs N and pswpin
      expect(within(s.retouchMajorFaults, pages, 0.02)).toBe(true);
      expect(s.retouchMajorFaultsProbe).not.toBeNull();
      expect(within(s.retouchMajorFaultsProbe!, s.retouchMajorFaults, 0.02, pages)).toBe(true);
      expect(within(s.pswpinDeltaPages, s.retouchMajorFaults, 0.02, pages)).toBe(true);
      // kernel-side latency is inside the user-side window
      expect(s.kernelLatencyNs!).toBeGreaterThan(0);
      expect(s.kernelLatencyNs!).toBeLessThanOrEqual(s.userLatencyNs!);
    }
    expect(result.summary.reclaimedPages!.n).toBe(3);
    if (mechanism === 'ptrace') {
      // The idle Node target mostly sits in epoll_wait, which returns EINTR after an injection;
      // now and then the injection finds it running (it has just answered the runner), so the
      // count is checked over the samples, not per sample (0 in 1 of about 9 samples here).
      const eintr = result.samples.map((s) => s.targetEintr);
      expect(Math.max(...eintr), `targetEintr per sample: ${eintr.join(', ')}`).toBeGreaterThanOrEqual(1);
    }
    for (const s of result.samples) {
      if (mechanism === 'ptrace') {
        // one injected madvise per region; the target paid for the reclaim, the tracer did not
        expect(s.syscalls).toBe(memory.vmas);
        expect(s.injectorStopNs!).toBeGreaterThanOrEqual(s.kernelLatencyNs!);
        expect(s.stallNs!).toBeGreaterThan(0);
        expect(s.targetCpuNs!).toBeGreaterThan(s.callerCpuNs!);
      } else {
        expect(s.stallNs).toBeNull();
        expect(s.targetEintr).toBe(0);
        expect(s.callerCpuNs!).toBeGreaterThan(s.targetCpuNs!);
      }
    }
  });

  it('COLD: nothing reclaimed, RSS unchanged within 5 % of the advised size, no major faults on re-touch', async () => {
    const result = await runScenario(scenario('process_madvise', 'cold'));
    expect(result.error).toBeNull();
    for (const s of result.samples) {
      expect(s.errors).toEqual([]);
      expect(s.dataIntact).toBe(true);
      expect(s.bytesAdvised).toBe(pages * PAGE);
      expect(s.reclaimedPages).toBe(0);
      // COLD reclaims nothing, so the target's RSS stays within 5 % of the advised size. The
      // reading is of the whole Node process, whose V8 heap may grow or be trimmed by its idle
      // GC between the two readings (more than 1 %, 1.6 MiB, once in CI; 0 here in 15 of 15); reclaim of the
      // advised pages would show as tens of MiB, and swap and reclaimedPages are checked exactly.
      const rssChange = `RSS ${s.rssBeforeBytes} -> ${s.rssAfterBytes} bytes, swap ${s.swapBeforeBytes} -> ${s.swapAfterBytes}`;
      expect(Math.abs(s.rssBeforeBytes - s.rssAfterBytes), rssChange).toBeLessThanOrEqual(0.05 * pages * PAGE);
      expect(s.swapAfterBytes - s.swapBeforeBytes).toBe(0);
      expect(s.retouchMajorFaults).toBe(0);
      expect(s.retouchMajorFaultsProbe).toBe(0);
    }
  });

  it('baseline: no hint, no syscalls, data intact, no major faults', async () => {
    const result = await runScenario(scenario('none', 'none'));
    for (const s of result.samples as Sample[]) {
      expect(s.errors).toEqual([]);
      expect(s.syscalls).toBe(0);
      expect(s.userLatencyNs).toBeNull();
      expect(s.dataIntact).toBe(true);
      expect(s.retouchMajorFaults).toBe(0);
    }
  });
});
