/**
 * Torture: 2,400 injections spread over the target states (busy, blocked in nanosleep, read,
 * epoll_wait and futex, SIGSTOPped, multi-threaded, under seccomp, frozen by cgroup v2, and
 * receiving signals) against self-checking targets. Zero corruption, zero deaths, nothing left
 * traced or stopped.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { canRun } from '../../helpers/prereq.ts';
import { PtraceMechanism } from '../../../bench/mechanisms/ptrace/index.ts';
import { cgroupMounts } from '../../../bench/sys/ptrace-freezer.ts';
import { makeFreezerCgroup, startSelfcheck, swapActive, threadState, tracerPid, waitFor, type Target, type TestCgroup } from './helpers.ts';

const run = canRun('ptrace torture', { root: true }) && process.arch === 'x64';
const INJECTIONS = 2400;

describe.skipIf(!run)('ptrace injector torture', () => {
  const mech = new PtraceMechanism();
  const targets: Target[] = [];
  let cg: TestCgroup | null = null;
  let frozenPid = 0;
  afterAll(async () => {
    if (cg !== null) await cg.remove(frozenPid);
    for (const t of targets) await t.kill();
    await mech.dispose();
  });

  it(`${INJECTIONS} injections: zero corruption, zero deaths, nothing left traced or stopped`, async () => {
    const specs: { name: string; args: string[] }[] = [
      { name: 'busy', args: ['--mode=busy'] },
      { name: 'nanosleep', args: ['--mode=nanosleep'] },
      { name: 'read', args: ['--mode=read'] },
      { name: 'epoll', args: ['--mode=epoll'] },
      { name: 'futex', args: ['--mode=futex'] },
      { name: 'stopped', args: ['--mode=nanosleep'] },
      { name: 'threads', args: ['--mode=futex', '--threads=2'] },
      { name: 'seccomp', args: ['--mode=epoll', '--seccomp'] },
      { name: 'frozen', args: ['--mode=nanosleep'] },
      { name: 'signals', args: ['--mode=read'] },
    ];
    const byName = new Map<string, Target>();
    for (const s of specs) {
      const t = await startSelfcheck([...s.args, '--idle-mib=4']);
      targets.push(t);
      byName.set(s.name, t);
    }
    await mech.open({ pid: targets[0]!.pid });
    const stopped = byName.get('stopped')!;
    process.kill(stopped.pid, 'SIGSTOP');
    expect(await waitFor(() => threadState(stopped.pid) === 'T')).toBe(true);
    const v2 = cgroupMounts().v2;
    const frozen = byName.get('frozen')!;
    if (v2 !== null) {
      frozenPid = frozen.pid;
      cg = makeFreezerCgroup('v2', v2, frozen.pid);
      await cg.freeze();
    }
    const signals = byName.get('signals')!;
    const sigBefore = (await signals.status()).signals;
    let sent = 0;
    let done = false;
    const sender = (async () => {
      while (!done) {
        const st = readFileSync(`/proc/${signals.pid}/status`, 'utf8');
        const pend = BigInt('0x' + (/^ShdPnd:\s+(\w+)/m.exec(st)?.[1] ?? '0')) | BigInt('0x' + (/^SigPnd:\s+(\w+)/m.exec(st)?.[1] ?? '0'));
        if ((pend & (1n << 11n)) === 0n) { process.kill(signals.pid, 'SIGUSR2'); sent++; }
        await new Promise((r) => setImmediate(r));
      }
    })();

    const usePageout = swapActive();
    const errors: string[] = [];
    let thawCycles = 0;
    for (let i = 0; i < INJECTIONS; i++) {
      const t = targets[i % targets.length]!;
      const threads = t === byName.get('threads') ? t.ready.workerTids : [];
      const tid = threads.length > 0 && i % 3 === 0 ? threads[i % threads.length]! : t.pid;
      const page = (i * 7) % (t.ready.checked.lengthBytes / 4096 - 4);
      const ranges = [{ startAddr: t.ready.checked.startAddr + page * 4096, lengthBytes: 4096 * (1 + (i % 4)) }];
      if (i % 5 === 0) ranges.push({ startAddr: t.ready.idle.startAddr, lengthBytes: t.ready.idle.lengthBytes });
      const advice = usePageout && i % 2 === 0 ? 21 : 20;
      const r = await mech.inject({ pid: t.pid, tid, advice, ranges });
      if (r.thawed.length > 0) thawCycles++;
      if (r.error !== null || r.results.some((x) => x.ret !== 0)) errors.push(`${i} pid ${t.pid}: ${r.error ?? JSON.stringify(r.results)}`);
    }
    done = true;
    await sender;
    expect(errors).toEqual([]);
    if (v2 !== null) expect(thawCycles).toBe(INJECTIONS / targets.length);

    // Nothing left traced, states as before.
    for (const t of targets) {
      expect(t.alive()).toBe(true);
      for (const tid of [t.pid, ...t.ready.workerTids]) expect(tracerPid(t.pid, tid)).toBe(0);
    }
    expect(threadState(stopped.pid)).toBe('T');
    if (cg !== null) {
      expect(await waitFor(() => /frozen 1/.test(readFileSync(`${cg!.dir}/cgroup.events`, 'utf8')), 3000)).toBe(true);
      cg.thaw();
    }
    process.kill(stopped.pid, 'SIGCONT');
    await new Promise((r) => setTimeout(r, 200));
    let eintrTotal = 0;
    for (const t of targets) {
      const s = await t.status();
      expect(s.hashFailures).toBe(0);
      expect(s.pageFailures).toBe(0);
      expect(s.otherErrors).toBe(0);
      expect(await t.verifyIdle()).toBe(0);
      expect(threadState(t.pid)).not.toMatch(/[tTZ]/);
      eintrTotal += s.eintr;
    }
    await waitFor(() => false, 100);
    expect((await signals.status()).signals - sigBefore).toBe(sent);
    process.stderr.write(`torture: ${INJECTIONS} injections, ${thawCycles} thaw cycles, ${sent} signals, ${eintrTotal} EINTRs seen by targets\n`);
  });
});
