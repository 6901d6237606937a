/**
 * The fleet and vectored families on the real kernel, through the real pipeline (runScenario:
 * workload processes, the cgroup freezer or SIGSTOP, process_madvise or the ptrace tracer,
 * bpftrace): a small fleet runs end to end with every app's data intact and nothing left
 * behind (checked here independently of the sample's own fields), and a vectored sample makes
 * the system calls its mode says, as counted by the hint-latency probe.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../bench/runner/run.ts';
import { fleetScenarios } from '../../../bench/scenarios/claims-fleet.ts';
import { VECTORED_MODES, vectoredScenarios } from '../../../bench/scenarios/claims-vectored.ts';
import { readCgroupMounts } from '../../../core/cgroup/mounts.ts';
import type { Sample } from '../../../core/types.ts';
import { canRun } from '../../helpers/prereq.ts';

const ready = canRun('fleet and vectored families', { root: true, bpftrace: true, swap: true, tracefs: true });
const MIB = 2 ** 20;
const APPS = 3;
const APP_MIB = 8;

/** Live workload processes (workloads/anon.ts) whose parent is this process. */
function ourWorkloads(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const status = readFileSync(`/proc/${d}/status`, 'utf8');
        return new RegExp(`^PPid:\\s+${process.pid}$`, 'm').test(status) && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('workloads/anon.ts');
      } catch {
        return false; // exited meanwhile
      }
    })
    .map(Number);
}

/** Freezer cgroups this process made that still exist (their names start with hintbench-<our pid>-). */
function ourCgroups(): string[] {
  const m = readCgroupMounts();
  return [m.v2, m.v1Freezer].flatMap((root) => (root === null || !existsSync(root) ? [] : readdirSync(root).filter((n) => n.startsWith(`hintbench-${process.pid}-`))));
}

describe.skipIf(!ready)('fleet family on the real kernel', () => {
  it.each([
    ['process_madvise', 'frozen'],
    ['ptrace', 'frozen'],
    ['ptrace', 'stopped'],
  ] as const)('PAGEOUT of %s over a %s fleet: every app hinted, intact, ended; no cgroup left', async (mechanism, state) => {
    const scenario = fleetScenarios({
      apps: APPS,
      appSizeMiB: APP_MIB,
      contents: ['random', 'mixed', 'zero'],
      states: [state],
      mechanisms: [mechanism],
      advices: ['pageout'],
      repetitions: 1,
    })[0]!;
    const result = await runScenario(scenario);
    expect(result.error).toBeNull();
    expect(result.samples).toHaveLength(1);
    const s: Sample = result.samples[0]!;
    expect(s.errors).toEqual([]);
    expect(s.fleetApps).toBe(APPS);
    expect(s.fleetAppsIntact).toBe(APPS);
    expect(s.dataIntact).toBe(true);
    expect(s.fleetLeftBehind).toEqual([]);
    expect(s.bytesAdvised).toBe(APPS * APP_MIB * MIB);
    expect(s.syscalls).toBe(APPS);
    // PAGEOUT moves (nearly) every page to zram: the RSS of the fleet drops by most of its data.
    expect(s.fleetFreedBytes!).toBeGreaterThan(0.9 * APPS * APP_MIB * MIB);
    expect(s.fleetAppHintNs).toHaveLength(APPS);
    expect(s.fleetAppStallNs).toHaveLength(APPS);
    expect(s.fleetTotalNs!).toBeGreaterThanOrEqual(s.fleetAppHintNs!.reduce((a, b) => a + b, 0));
    if (mechanism === 'ptrace') {
      expect(s.fleetAppStallNs!.every((ns) => ns > 0)).toBe(true);
      // The injected madvise runs in the apps: they pay CPU for their own reclaim.
      expect(s.fleetAppsCpuNs!).toBeGreaterThan(0);
    } else {
      expect(s.fleetAppStallNs).toEqual([0, 0, 0]);
    }
    // Independently of the sample: the app processes are gone and no freezer cgroup of ours is left.
    expect(ourCgroups()).toEqual([]);
    expect(ourWorkloads()).toEqual([]);
  });
});

describe.skipIf(!ready)('vectored family on the real kernel', () => {
  const K = 1100;
  it.each(VECTORED_MODES.map((m) => [m.mechanism, m.calls] as const))('%s %s over K = 1100 ranges: the probe counts the calls the mode says', async (mechanism, calls) => {
    const scenario = vectoredScenarios({ ranges: [K], rangeKiB: 4, content: 'random', advices: ['pageout'], modes: [{ mechanism, calls }], repetitions: 1 })[0]!;
    const result = await runScenario(scenario);
    expect(result.error).toBeNull();
    const s = result.samples[0]!;
    expect(s.errors).toEqual([]);
    expect(s.dataIntact).toBe(true);
    expect(s.vectoredRanges).toBe(K);
    expect(s.bytesAdvised).toBe(K * 4096);
    // IOV_MAX is 1024: 1100 ranges in one vector are two calls; otherwise one call per range.
    expect(s.syscalls).toBe(calls === 'vector' ? 2 : K);
    expect(s.probeSyscalls).toBe(s.syscalls);
    expect(s.vectoredPerRangeNs).toBeCloseTo(s.userLatencyNs! / K, 6);
    // PAGEOUT of every range: the pages left the target (swap grew by most of them).
    expect(s.swapAfterBytes - s.swapBeforeBytes).toBeGreaterThan(0.9 * K * 4096);
  });
});
