/**
 * The claims' target states on the real kernel: a throttled target really is throttled (its
 * CPU cgroup's cpu.stat nr_throttled grows, and it gets no more CPU than its quota); a
 * contended target shares its one CPU with the hog at nice 19; a traced target makes ptrace
 * injection fail cleanly with the reason while process_madvise works, and the target and
 * strace are intact afterwards; and nothing (cgroup, hog, tracer, workload) is left behind,
 * while the cpu cgroup of a SIGKILLed runner is found and removed as stale.
 */
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { runScenario } from '../../../bench/runner/run.ts';
import { THROTTLE_QUOTA } from '../../../bench/runner/states/throttle.ts';
import { contentionOf, enterState, leaveState, throttledCgroupOf } from '../../../bench/runner/target-state.ts';
import { runDoctor } from '../../../bench/host/doctor.ts';
import { listHintbenchCgroups, removeStaleCgroups } from '../../../bench/host/stale-cgroups.ts';
import { scenarioId } from '../../../bench/scenarios/matrix.ts';
import { readCpuQuota, readCpuStat, removeCpuCgroup } from '../../../core/cgroup/cpu.ts';
import { readProcStat } from '../../../core/proc/stat.ts';
import { readSchedstat, threadIds } from '../../../core/proc/tasks.ts';
import { waitUntil } from '../../../core/process/wait.ts';
import { getCpuAffinity, getNice } from '../../../core/sys/sched.ts';
import type { MemorySpec, Scenario, TargetState } from '../../../core/types.ts';
import { spawnWorkload, type WorkloadHandle } from '../../../workloads/client.ts';
import { canRun, canUse } from '../../helpers/prereq.ts';
import { startScriptRunner } from '../../helpers/script-runner.ts';

const ready = canRun('target states', { root: true, bpftrace: true, swap: true, tracefs: true });
const hasStrace = (() => {
  try {
    execFileSync('strace', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const straceReady = ready && canUse('traced target state', hasStrace, 'apt-get install strace');

const memory: MemorySpec = { kind: 'anon', content: 'random', sizeMiB: 8, vmas: 1 };
function scenario(mechanism: 'process_madvise' | 'ptrace', state: TargetState, repetitions = 2): Scenario {
  return { id: scenarioId(mechanism, 'pageout', memory, state), mechanism, advice: 'pageout', memory, targetState: state, repetitions };
}

/** hintbench cgroups owned by this process. */
const ours = () => listHintbenchCgroups().filter((c) => c.owner.ownerPid === process.pid);

let workload: WorkloadHandle | null = null;
afterEach(async () => {
  await workload?.exit();
  workload = null;
  expect(ours()).toEqual([]);
});

function alive(pid: number): boolean {
  const st = readProcStat(pid);
  return st !== null && st.state !== 'Z';
}

describe.skipIf(!ready)('throttled target', () => {
  it('sits in a CPU cgroup with the quota, gets no more CPU than it, and nr_throttled grows while it runs', async () => {
    workload = await spawnWorkload(memory);
    await enterState(workload, 'throttled');
    const cg = throttledCgroupOf(workload.pid);
    expect(cg).not.toBeNull();
    expect(readFileSync(`${cg!.dir}/cgroup.procs`, 'utf8').trim().split('\n')).toContain(String(workload.pid));
    expect(readCpuQuota(cg!)).toEqual({ quotaUs: THROTTLE_QUOTA.quotaUs, periodUs: THROTTLE_QUOTA.periodUs });
    const before = readCpuStat(cg!);
    const cpuBefore = readSchedstat(workload.pid).runNs;
    const t0 = process.hrtime.bigint();
    await workload.setState('running');
    // Busy in its own loop, the workload must use up its quota and be throttled again and again.
    expect(await waitUntil(() => readCpuStat(cg!).nrThrottled - before.nrThrottled >= 5, { timeoutMs: 30_000, intervalMs: 10 })).toBe(true);
    const wallNs = Number(process.hrtime.bigint() - t0);
    const cpuNs = readSchedstat(workload.pid).runNs - cpuBefore;
    await workload.setState('sleeping');
    const after = readCpuStat(cg!);
    expect(after.throttledNs).toBeGreaterThan(before.throttledNs);
    // At most its quota share of the wall time (plus one period's quota of slack): never more, however loaded the machine.
    const share = THROTTLE_QUOTA.quotaUs / THROTTLE_QUOTA.periodUs;
    expect(cpuNs).toBeLessThanOrEqual(share * wallNs + THROTTLE_QUOTA.quotaUs * 1000 * 2);
    await leaveState(workload, 'throttled');
    expect(existsSync(cg!.dir)).toBe(false);
  }, 60_000);

  it('a ptrace PAGEOUT sample records the throttling it met; the cgroup is gone afterwards', async () => {
    const r = await runScenario(scenario('ptrace', 'throttled'));
    expect(r.error).toBeNull();
    for (const s of r.samples) {
      expect(s.errors).toEqual([]);
      expect(s.dataIntact).toBe(true);
      expect(s.throttledPeriods!).toBeGreaterThanOrEqual(1);
      expect(s.throttledNs!).toBeGreaterThan(0);
      expect(s.freedNs!).toBeGreaterThan(0);
      expect(s.targetCpuNs!).toBeGreaterThan(0);
    }
  }, 120_000);
});

/** A runner that puts a workload into the throttled state and waits to be killed; resolves with the cgroup. */
async function startThrottlingRunner(): Promise<{ runnerPid: number; cgroup: string; kill: () => Promise<void> }> {
  const code = `import { spawnWorkload } from ${JSON.stringify(new URL('../../../workloads/client.ts', import.meta.url).href)};
import { enterState, throttledCgroupOf } from ${JSON.stringify(new URL('../../../bench/runner/target-state.ts', import.meta.url).href)};
const w = await spawnWorkload({ kind: 'anon', content: 'random', sizeMiB: 8, vmas: 1 });
await enterState(w, 'throttled');
process.stdout.write(JSON.stringify({ dir: throttledCgroupOf(w.pid).dir }) + '\\n');
setInterval(() => {}, 1000);`;
  const r = await startScriptRunner(code, 'throttling runner');
  return { runnerPid: r.pid, cgroup: (JSON.parse(r.firstLine) as { dir: string }).dir, kill: r.kill };
}

describe.skipIf(!ready)('throttled target of a killed runner', () => {
  it('leaves a cpu cgroup that the doctor reports and the stale-cgroup cleanup removes', async () => {
    const r = await startThrottlingRunner();
    try {
      expect(listHintbenchCgroups().find((c) => c.dir === r.cgroup)).toMatchObject({ controller: 'cpu', ownerAlive: true });
      await r.kill();
      expect(listHintbenchCgroups().find((c) => c.dir === r.cgroup)).toMatchObject({ ownerAlive: false, frozen: false });
      const doctor = (await runDoctor()).checks.find((c) => c.id === 'stale-cgroups');
      expect(doctor?.detail).toContain(`${r.cgroup} (`);
      const cleanup = await removeStaleCgroups();
      expect(cleanup.removed.some((l) => l.startsWith(`removed stale cgroup ${r.cgroup} of dead pid ${r.runnerPid}`))).toBe(true);
      expect(existsSync(r.cgroup)).toBe(false);
    } finally {
      await r.kill();
      if (existsSync(r.cgroup)) await removeCpuCgroup({ version: 'v1', dir: r.cgroup });
    }
  }, 60_000);
});

describe.skipIf(!ready)('contended target', () => {
  it('shares its one CPU with the running hog at nice 19; the hog is gone and affinity restored afterwards', async () => {
    workload = await spawnWorkload(memory);
    const tids = threadIds(workload.pid);
    const affinityBefore = getCpuAffinity(workload.pid);
    const niceBefore = getNice(workload.pid);
    await enterState(workload, 'contended');
    const c = contentionOf(workload.pid);
    expect(c).not.toBeNull();
    expect(getCpuAffinity(c!.hogPid)).toEqual([c!.cpu]);
    for (const tid of tids) {
      expect(getCpuAffinity(tid)).toEqual([c!.cpu]);
      expect(getNice(workload.pid, tid)).toBe(19);
    }
    expect(await waitUntil(() => readProcStat(c!.hogPid)?.state === 'R', { timeoutMs: 5000 })).toBe(true);
    // The hog keeps running on that CPU: its CPU time grows.
    const hogRun = readSchedstat(c!.hogPid).runNs;
    expect(await waitUntil(() => readSchedstat(c!.hogPid).runNs > hogRun + 10_000_000, { timeoutMs: 10_000 })).toBe(true);
    await leaveState(workload, 'contended');
    expect(alive(c!.hogPid)).toBe(false);
    expect(getCpuAffinity(workload.pid)).toEqual(affinityBefore);
    expect(getNice(workload.pid)).toBe(niceBefore);
  }, 60_000);
});

describe.skipIf(!straceReady)('traced target', () => {
  it('ptrace fails cleanly with the reason, the scenario goes on, and target and strace are intact', async () => {
    const r = await runScenario(scenario('ptrace', 'traced'));
    expect(r.error).toBeNull();
    expect(r.samples).toHaveLength(2);
    for (const s of r.samples) {
      expect(s.bytesAdvised).toBe(0);
      expect(s.errors.join('\n')).toMatch(/EPERM: thread \d+ of pid \d+ is already traced by pid \d+/);
      expect(s.errors.join('\n')).toContain(`traced by pid ${s.foreignTracerPid}`);
      expect(s.foreignTracerIntact).toBe(true);
      // The target went on: re-touched and verified after the tracer detached.
      expect(s.dataIntact).toBe(true);
      expect(alive(s.foreignTracerPid!)).toBe(false);
      expect(alive(s.pid)).toBe(false);
    }
  }, 120_000);

  it('process_madvise advises every byte of the traced target, and strace stays attached', async () => {
    const r = await runScenario(scenario('process_madvise', 'traced'));
    expect(r.error).toBeNull();
    for (const s of r.samples) {
      expect(s.errors).toEqual([]);
      expect(s.bytesAdvised).toBe(s.bytesRequested);
      expect(s.freedNs!).toBeGreaterThan(0);
      expect(s.foreignTracerIntact).toBe(true);
      expect(s.dataIntact).toBe(true);
      expect(alive(s.foreignTracerPid!)).toBe(false);
    }
  }, 120_000);
});
