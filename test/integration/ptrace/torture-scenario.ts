/**
 * The injection torture scenario, shared by the CI test (torture.test.ts, 2,400 injections)
 * and `npm run bench:ptrace-torture` (10,000): injections spread over self-checking targets
 * in every state (busy, blocked in nanosleep, read, epoll_wait and futex, SIGSTOPped,
 * multi-threaded, under seccomp, frozen by cgroup v2, receiving a stream of signals).
 * Returns what it saw; the caller asserts.
 */
import { PtraceMechanism } from '../../../bench/mechanisms/ptrace/index.ts';
import { ADVICE_VALUE } from '../../../core/sys/syscall.ts';
import { freezeComplete } from '../../../core/cgroup/freezer.ts';
import { readCgroupMounts } from '../../../core/cgroup/mounts.ts';
import type { SelfcheckStatus } from '../../targets/selfcheck-protocol.ts';
import { makeFreezerCgroup, signalStream, startSelfcheck, swapActive, threadState, tracerPid, waitFor, type SignalStream, type Target, type TestCgroup } from './helpers.ts';

/** What a torture run saw. */
export interface TortureResult {
  injections: number;
  /** Failed injections or ranges (`index pid: error`). */
  errors: string[];
  /** Injections that had to thaw the frozen target (expected: one per round over the targets). */
  thawCycles: number;
  frozenTarget: boolean;
  /** Injections per method. */
  methods: Record<string, number>;
  /**
   * Windows a SIGKILLed tracer would leave open (InjectionReport.windows), median and max in
   * ns over the injections that had one: the seccomp'd target's filter would see the injected
   * madvise; the frozen target would stay thawed.
   */
  windowsNs: { seccomp: { median: number; max: number; n: number } | null; thaw: { median: number; max: number; n: number } | null };
  /** SIGUSR2 sent to the signalled target, and how many its handler counted. */
  signalsSent: number;
  signalsCounted: number;
  /** EINTRs the targets' blocking calls saw (epoll_wait's are expected). */
  eintrTotal: number;
  /** Per target: alive, traced threads after the run, state letter, counters, idle-region check. */
  targets: { name: string; alive: boolean; tracedThreads: number; state: string; status: SelfcheckStatus | null; idleBadPages: number }[];
  /** The SIGSTOPped target was still stopped at the end; the frozen one frozen. */
  stoppedStayedStopped: boolean;
  frozenStayedFrozen: boolean | null;
  seconds: number;
}

const SPECS: { name: string; args: string[] }[] = [
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

/** Runs `injections` injections round-robin over the targets; cleans everything up. */
export async function runTorture(injections: number): Promise<TortureResult> {
  const t0 = Date.now();
  const mech = new PtraceMechanism();
  const targets: Target[] = [];
  const byName = new Map<string, Target>();
  let cg: TestCgroup | null = null;
  let frozenPid = 0;
  let stream: SignalStream | null = null;
  const result: TortureResult = {
    injections,
    errors: [],
    thawCycles: 0,
    frozenTarget: false,
    methods: {},
    windowsNs: { seccomp: null, thaw: null },
    signalsSent: 0,
    signalsCounted: 0,
    eintrTotal: 0,
    targets: [],
    stoppedStayedStopped: false,
    frozenStayedFrozen: null,
    seconds: 0,
  };
  try {
    for (const s of SPECS) {
      const t = await startSelfcheck([...s.args, '--idle-mib=4']);
      targets.push(t);
      byName.set(s.name, t);
    }
    for (const t of targets) await mech.open({ pid: t.pid });
    const stopped = byName.get('stopped')!;
    process.kill(stopped.pid, 'SIGSTOP');
    if (!(await waitFor(() => threadState(stopped.pid) === 'T'))) throw new Error(`pid ${stopped.pid} did not stop`);
    const v2 = readCgroupMounts().v2;
    const frozen = byName.get('frozen')!;
    if (v2 !== null) {
      frozenPid = frozen.pid;
      cg = makeFreezerCgroup('v2', v2, frozen.pid);
      await cg.freeze();
      result.frozenTarget = true;
    }
    const signals = byName.get('signals')!;
    stream = await signalStream(signals);

    const usePageout = swapActive();
    const seccompNs: number[] = [];
    const thawNs: number[] = [];
    for (let i = 0; i < injections; i++) {
      const t = targets[i % targets.length]!;
      const threads = t === byName.get('threads') ? t.ready.workerTids : [];
      const tid = threads.length > 0 && i % 3 === 0 ? threads[i % threads.length]! : t.pid;
      const page = (i * 7) % (t.ready.checked.lengthBytes / 4096 - 4);
      const ranges = [{ startAddr: t.ready.checked.startAddr + page * 4096, lengthBytes: 4096 * (1 + (i % 4)) }];
      if (i % 5 === 0) ranges.push({ startAddr: t.ready.idle.startAddr, lengthBytes: t.ready.idle.lengthBytes });
      const advice = usePageout && i % 2 === 0 ? ADVICE_VALUE.pageout : ADVICE_VALUE.cold;
      const r = await mech.inject({ pid: t.pid, tid, advice, ranges });
      if (r.thawed.length > 0) result.thawCycles++;
      if (r.windows.seccompNs !== null) seccompNs.push(r.windows.seccompNs);
      if (r.windows.thawNs !== null) thawNs.push(r.windows.thawNs);
      result.methods[r.method ?? 'none'] = (result.methods[r.method ?? 'none'] ?? 0) + 1;
      if (r.error !== null || r.results.some((x) => x.ret !== 0)) result.errors.push(`${i} pid ${t.pid}: ${r.error ?? JSON.stringify(r.results)}`);
    }
    await stream.stop();
    const stat = (v: number[]): { median: number; max: number; n: number } | null => {
      if (v.length === 0) return null;
      const sorted = [...v].sort((a, b) => a - b);
      return { median: sorted[sorted.length >> 1]!, max: sorted[sorted.length - 1]!, n: v.length };
    };
    result.windowsNs = { seccomp: stat(seccompNs), thaw: stat(thawNs) };

    result.stoppedStayedStopped = threadState(stopped.pid) === 'T';
    if (cg !== null) {
      const dir = cg.dir;
      result.frozenStayedFrozen = await waitFor(() => freezeComplete({ version: 'v2', dir }), 60_000);
      cg.thaw();
    }
    process.kill(stopped.pid, 'SIGCONT');
    await waitFor(() => threadState(stopped.pid) !== 'T', 60_000);
    for (const [name, t] of byName) {
      const traced = [t.pid, ...t.ready.workerTids].filter((tid) => t.alive() && tracerPid(t.pid, tid) !== 0).length;
      const state = t.alive() ? threadState(t.pid) : 'gone';
      const status = t.alive() ? await t.status() : null;
      const idleBadPages = t.alive() ? await t.verifyIdle() : -1;
      if (status !== null) result.eintrTotal += status.eintr;
      result.targets.push({ name, alive: t.alive(), tracedThreads: traced, state, status, idleBadPages });
    }
    const counts = await stream.finish();
    result.signalsSent = counts.sent;
    result.signalsCounted = counts.counted;
  } finally {
    await stream?.stop();
    if (cg !== null) await cg.remove(frozenPid);
    for (const t of targets) await t.kill();
    await mech.dispose();
  }
  result.seconds = (Date.now() - t0) / 1000;
  return result;
}
