/**
 * The ptrace injector against every target state of issue 3, on the real kernel. After each
 * injection: TracerPid 0, the state as before, the madvise took effect (return 0; with swap,
 * PAGEOUT moved the idle region to swap), and the target reports no corruption.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { canRun } from '../../helpers/prereq.ts';
import { PtraceMechanism } from '../../../bench/mechanisms/ptrace/index.ts';
import type { InjectionReport } from '../../../bench/mechanisms/ptrace/injector.ts';
import type { SelfcheckStatus } from '../../targets/selfcheck-protocol.ts';
import { freezeComplete } from '../../../core/cgroup/freezer.ts';
import { readCgroupMounts } from '../../../core/cgroup/mounts.ts';
import { ADVICE_VALUE } from '../../../core/sys/syscall.ts';
import { makeFreezerCgroup, signalStream, startSelfcheck, swapActive, threadRunNs, threadState, tracerPid, vmSwapBytes, waitFor, type Target } from './helpers.ts';

const run = canRun('ptrace injection states', { root: true }) && process.arch === 'x64';
const MADV_COLD = ADVICE_VALUE.cold;
const MADV_PAGEOUT = ADVICE_VALUE.pageout;

describe.skipIf(!run)('ptrace injector: target states', () => {
  const mech = new PtraceMechanism();
  const targets: Target[] = [];
  const start = async (args: string[]): Promise<Target> => {
    const t = await startSelfcheck(args);
    targets.push(t);
    await mech.open({ pid: t.pid });
    return t;
  };
  beforeAll(async () => {
    await mech.open({ pid: process.pid });
  });
  afterEach(async () => {
    for (const t of targets.splice(0)) await t.kill();
  });
  afterAll(async () => {
    await mech.dispose();
  });

  /** Checks the invariants after an injection and returns the target's counters. */
  async function checkAfter(t: Target, report: InjectionReport, stateBefore: string): Promise<void> {
    expect(report.error).toBeNull();
    expect(report.results.length).toBeGreaterThan(0);
    for (const r of report.results) expect(r.ret).toBe(0);
    expect(tracerPid(t.pid)).toBe(0);
    if (stateBefore === 'T') expect(threadState(t.pid)).toBe('T');
    else expect(threadState(t.pid)).not.toMatch(/[tTZX]/);
  }

  async function cleanStatus(t: Target): Promise<SelfcheckStatus> {
    const s = await t.status();
    expect(s.hashFailures).toBe(0);
    expect(s.pageFailures).toBe(0);
    expect(s.otherErrors).toBe(0);
    expect(await t.verifyIdle()).toBe(0);
    expect(t.alive()).toBe(true);
    return s;
  }

  for (const mode of ['busy', 'nanosleep', 'read', 'epoll', 'futex'] as const) {
    it(`${mode}: 50 injections, data intact, blocking call ${mode === 'epoll' ? 'sees EINTR (counted)' : 'restarts'}`, async () => {
      const t = await start([`--mode=${mode}`]);
      const before = await t.status();
      const useSwap = swapActive();
      const swap0 = vmSwapBytes(t.pid);
      let injections = 0;
      for (let i = 0; i < 50; i++) {
        const range = i === 0 && useSwap ? t.ready.idle : { startAddr: t.ready.checked.startAddr + (i % 64) * 4096, lengthBytes: 4096 };
        const report = await mech.inject({ pid: t.pid, advice: i === 0 && useSwap ? MADV_PAGEOUT : MADV_COLD, ranges: [range] });
        await checkAfter(t, report, 'S');
        injections++;
        if (i === 0 && useSwap) expect(vmSwapBytes(t.pid) - swap0).toBeGreaterThan(t.ready.idle.lengthBytes / 2);
      }
      await new Promise((r) => setTimeout(r, 100));
      const s = await cleanStatus(t);
      const eintr = s.eintr - before.eintr;
      if (mode === 'epoll') {
        expect(eintr).toBeGreaterThan(0);
        expect(eintr).toBeLessThanOrEqual(injections);
      } else {
        expect(eintr).toBe(0);
      }
    });
  }

  it('SIGSTOPped target stays stopped, then resumes intact', async () => {
    const t = await start(['--mode=nanosleep']);
    process.kill(t.pid, 'SIGSTOP');
    expect(await waitFor(() => threadState(t.pid) === 'T')).toBe(true);
    for (let i = 0; i < 20; i++) {
      const report = await mech.inject({ pid: t.pid, advice: MADV_COLD, ranges: [{ startAddr: t.ready.checked.startAddr, lengthBytes: 8192 }] });
      await checkAfter(t, report, 'T');
      expect(report.groupStopped).toBe(true);
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(threadState(t.pid)).toBe('T');
    process.kill(t.pid, 'SIGCONT');
    await cleanStatus(t);
  });

  it('multi-threaded: injecting into main, the worker keeps running during the stop; injecting into the worker works', async () => {
    const t = await start(['--mode=nanosleep', '--threads=1', '--idle-mib=64']);
    const wtid = t.ready.workerTids[0]!;
    expect(wtid).toBeGreaterThan(0);
    // A long stop: one madvise per page of the 64 MiB idle region.
    const ranges = Array.from({ length: t.ready.idle.lengthBytes / 4096 }, (_, i) => ({ startAddr: t.ready.idle.startAddr + i * 4096, lengthBytes: 4096 }));
    // The worker must be seen running while the main thread is stopped: two polls in a row
    // that find main in a ptrace stop and the worker's run time grown. A loaded machine can
    // starve the polling, so the long injection is repeated (at most 20 times) until seen.
    let progressedWhileStopped = false;
    for (let attempt = 0; attempt < 20 && !progressedWhileStopped; attempt++) {
      const pending = mech.inject({ pid: t.pid, advice: MADV_COLD, ranges });
      let settled = false;
      void pending.finally(() => {
        settled = true;
      });
      let last: number | null = null;
      while (!settled && !progressedWhileStopped) {
        const stopped = threadState(t.pid) === 't';
        const runNs = threadRunNs(t.pid, wtid);
        if (stopped && last !== null && runNs > last) progressedWhileStopped = true;
        last = stopped ? runNs : null;
        await new Promise((r) => setTimeout(r, 2));
      }
      const report = await pending;
      await checkAfter(t, report, 'S');
      expect(report.syscalls).toBe(ranges.length);
    }
    expect(progressedWhileStopped).toBe(true);
    const intoWorker = await mech.inject({ pid: t.pid, tid: wtid, advice: MADV_COLD, ranges: [t.ready.checked] });
    expect(intoWorker.error).toBeNull();
    expect(intoWorker.tid).toBe(wtid);
    expect(intoWorker.results[0]!.ret).toBe(0);
    expect(tracerPid(t.pid, wtid)).toBe(0);
    const s = await cleanStatus(t);
    expect(s.workerCounts[0]).toBeGreaterThan(0);
  });

  it('seccomp filter denying madvise: suspended with PTRACE_O_SUSPEND_SECCOMP, clear error when suspension is off', async () => {
    const t = await start(['--mode=nanosleep', '--seccomp']);
    expect(t.ready.seccomp.madviseDenied).toBe(true);
    const report = await mech.inject({ pid: t.pid, advice: MADV_COLD, ranges: [t.ready.checked] });
    await checkAfter(t, report, 'S');
    expect(report.seccompSuspended).toBe(true);
    const refused = await mech.inject({ pid: t.pid, advice: MADV_COLD, ranges: [t.ready.checked], suspendSeccomp: false });
    expect(refused.errorCode).toBe('ESECCOMP');
    expect(refused.error).toMatch(/seccomp/);
    expect(refused.regsChanged).toBe(false);
    expect(tracerPid(t.pid)).toBe(0);
    await cleanStatus(t);
  });

  it('signals arriving during injections are all delivered (none lost)', async () => {
    const t = await start(['--mode=nanosleep']);
    const stream = await signalStream(t);
    let passedOrDeferred = 0;
    for (let i = 0; i < 300; i++) {
      const report = await mech.inject({ pid: t.pid, advice: MADV_COLD, ranges: [{ startAddr: t.ready.checked.startAddr, lengthBytes: 4096 }] });
      expect(report.error).toBeNull();
      passedOrDeferred += report.passedSignals.length + report.deferredSignals.length;
    }
    const { sent, counted } = await stream.finish();
    expect(tracerPid(t.pid)).toBe(0);
    await cleanStatus(t);
    expect(sent).toBeGreaterThan(50);
    expect(counted).toBe(sent);
    process.stderr.write(`signals sent ${sent}, passed on or deferred by the injector ${passedOrDeferred}\n`);
  });

  for (const version of ['v1', 'v2'] as const) {
    it(`frozen by the cgroup ${version} freezer: thaw, inject, re-freeze; stays frozen`, async () => {
      const m = readCgroupMounts();
      const root = version === 'v1' ? m.v1Freezer : m.v2;
      if (root === null) {
        process.stderr.write(`SKIP frozen ${version}: no ${version} freezer mounted\n`);
        return;
      }
      const t = await start(['--mode=nanosleep']);
      const cg = makeFreezerCgroup(version, root, t.pid);
      try {
        await cg.freeze();
        const report = await mech.inject({ pid: t.pid, advice: MADV_COLD, ranges: [t.ready.checked] });
        expect(report.error).toBeNull();
        expect(report.results[0]!.ret).toBe(0);
        expect(report.thawed.map((c) => c.dir)).toEqual([cg.dir]);
        expect(tracerPid(t.pid)).toBe(0);
        expect(await waitFor(() => freezeComplete({ version, dir: cg.dir }), 60_000)).toBe(true);
        const refused = await mech.inject({ pid: t.pid, advice: MADV_COLD, ranges: [t.ready.checked], thawFrozen: false });
        expect(refused.errorCode).toBe('EFROZEN');
        expect(refused.error).toMatch(/target frozen/);
        cg.thaw();
        await cleanStatus(t);
      } finally {
        await cg.remove(t.pid);
      }
    });
  }

  it('target killed in the middle of an injection: clean error, no hang, tracer still serves', async () => {
    const t = await start(['--mode=busy', '--idle-mib=64']);
    const ranges = Array.from({ length: t.ready.idle.lengthBytes / 4096 }, (_, i) => ({ startAddr: t.ready.idle.startAddr + i * 4096, lengthBytes: 4096 }));
    const pending = mech.inject({ pid: t.pid, advice: MADV_COLD, ranges });
    // Seized and stopped: a condition, waited for as long as a loaded machine needs.
    expect(await waitFor(() => threadState(t.pid) === 't', 60_000)).toBe(true);
    process.kill(t.pid, 'SIGKILL');
    const report = await pending;
    expect(report.errorCode, `error: ${report.error}`).toBe('EXITED');
    expect(report.results.length).toBeLessThan(ranges.length);
    await t.kill();
    const gone = await mech.inject({ pid: t.pid, advice: MADV_COLD, ranges: [t.ready.checked] });
    expect(gone.errorCode).toBe('ESRCH');
    // The tracer still works on a live target.
    const t2 = await start(['--mode=nanosleep']);
    const ok = await mech.inject({ pid: t2.pid, advice: MADV_COLD, ranges: [t2.ready.checked] });
    await checkAfter(t2, ok, 'S');
  });
});

describe.skipIf(!run)('ptrace tracer: shutdown during an injection', () => {
  it('SIGTERM to the tracer mid-injection: the injection finishes and is restored before the tracer exits', async () => {
    const mech = new PtraceMechanism();
    const t = await startSelfcheck(['--mode=nanosleep', '--idle-mib=64']);
    try {
      await mech.open({ pid: t.pid });
      const ranges = Array.from({ length: t.ready.idle.lengthBytes / 4096 }, (_, i) => ({ startAddr: t.ready.idle.startAddr + i * 4096, lengthBytes: 4096 }));
      const pending = mech.inject({ pid: t.pid, advice: MADV_COLD, ranges });
      expect(await waitFor(() => threadState(t.pid) === 't', 60_000)).toBe(true);
      process.kill(mech.tracerPid!, 'SIGTERM');
      const report = await pending;
      expect(report.error).toBeNull();
      expect(report.syscalls).toBe(ranges.length);
      expect(
        await waitFor(() => {
          try {
            process.kill(mech.tracerPid!, 0);
            return false;
          } catch {
            return true;
          }
        }, 60_000),
      ).toBe(true);
      expect(tracerPid(t.pid)).toBe(0);
      expect(threadState(t.pid)).not.toMatch(/[tTZ]/);
      const s = await t.status();
      expect(s.hashFailures + s.pageFailures + s.otherErrors).toBe(0);
    } finally {
      await t.kill();
      await mech.dispose();
    }
  });
});
