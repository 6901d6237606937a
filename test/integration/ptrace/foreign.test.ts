/**
 * Programs nobody here wrote survive injected madvise: coreutils `sleep`, a python3 loop, a
 * plain Node process and redis-server under load from redis-benchmark. Each gets hundreds of
 * injections of MADV_PAGEOUT (MADV_COLD without swap; every fourth one COLD) over all of its
 * private anonymous VMAs, re-read from /proc/PID/maps before each injection. Afterwards:
 * TracerPid 0, the state it was in, its own checks pass, its data is intact, it exits normally.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { mulberry32 } from '../../../core/stats/random.ts';
import { PtraceMechanism } from '../../../bench/mechanisms/ptrace/index.ts';
import { readStatus } from '../../../core/proc/status.ts';
import { waitUntil } from '../../../core/process/wait.ts';
import type { Advice } from '../../../core/types.ts';
import { canRun, inCI } from '../../helpers/prereq.ts';
import { startInterruptWatch, total, type InterruptCounts, type InterruptWatch } from '../../helpers/foreign-eintr.ts';
import { describeTally, ensureCommands, injectRepeatedly, median, python3Path, startForeign, swapActive, type ForeignProcess, type InjectionTally } from '../../helpers/foreign.ts';
import { chainHex, NODE_LOOP, PYTHON_LOOP, type LoopResult, type NodeLoopResult } from '../../helpers/foreign-programs.ts';
import { connectResp, knownKey, knownValue, RespError, startRedis, type RedisInstance } from '../../helpers/foreign-redis.ts';

const run = canRun('ptrace injection into foreign programs', { root: true, swap: true }) && process.arch === 'x64';
/** Pages of the self-checking buffers (32 MiB). */
const PAGES = 8192;
/** Known keys loaded into redis before the benchmark. */
const REDIS_KEYS = 20_000;
const MiB = 2 ** 20;
/** Injections that must catch the python loop computing, and as many inside its sleep. */
const CAUGHT_MIN = 20;

/** Checks `pred` every 5 ms until it holds or `timeoutMs` passes; resolves whether it held. */
const waitFor = (pred: () => boolean, timeoutMs: number): Promise<boolean> => waitUntil(pred, { timeoutMs, intervalMs: 5 });

/** comm of a process, '' when it is gone. */
function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Errors other than the target exiting under the injector (which a target that ends on its own may do once). */
function unexpectedErrors(t: InjectionTally): string[] {
  return t.errors.filter((e) => !/^(ESRCH|EXITED)\b/.test(e));
}

/** The tally invariants every target must meet. */
function expectCleanTally(t: InjectionTally, minCount: number): void {
  expect(t.errors).toEqual([]);
  expect(t.rangeErrors).toEqual([]);
  expect(t.badAfter).toEqual([]);
  expect(t.count).toBeGreaterThanOrEqual(minCount);
  expect(t.bytesAdvised).toBeGreaterThan(0);
}

describe.skipIf(!run)('ptrace injection into programs nobody here wrote', () => {
  const mech = new PtraceMechanism();
  const procs: ForeignProcess[] = [];
  let redis: RedisInstance | null = null;
  let pythonMissing: string | null = null;
  let redisMissing: string | null = null;
  let finishing = false;
  let watch: InterruptWatch | null = null;
  /** Interrupted syscalls of `pid` so far, logged; null when bpftrace could not run (outside CI only). */
  const interrupts = async (name: string, pid: number): Promise<InterruptCounts | null> => {
    if (watch === null) {
      console.log(`${name}: interrupted syscalls not counted (bpftrace unavailable)`);
      return null;
    }
    await watch.settle();
    const c = watch.countsFor(pid);
    console.log(`${name}: syscalls returning EINTR ${JSON.stringify(c.eintr)}, restarted by the kernel ${JSON.stringify(c.restarted)}`);
    return c;
  };
  const usePageout = swapActive();
  const advice = (i: number): Advice => (usePageout && i % 4 !== 3 ? 'pageout' : 'cold');
  const start = (cmd: string, args: string[]): ForeignProcess => {
    const p = startForeign(cmd, args);
    procs.push(p);
    return p;
  };

  beforeAll(async () => {
    pythonMissing = ensureCommands(['python3'], ['python3']);
    redisMissing = ensureCommands(['redis-server', 'redis-benchmark', 'redis-cli'], ['redis-server', 'redis-tools']);
    watch = await startInterruptWatch();
    if (watch === null && inCI) throw new Error('bpftrace could not attach tracepoint:raw_syscalls:sys_exit; CI=true requires it');
    await mech.open({ pid: process.pid });
  });

  afterAll(async () => {
    finishing = true;
    await mech.close(); // waits for an injection in flight: nothing is left traced
    if (watch !== null) await watch.stop();
    if (redis !== null) await redis.stop();
    for (const p of procs) await p.kill();
  });

  it('coreutils sleep: 50 injections, stays asleep and untraced, dies by SIGTERM; `sleep 3` under injection ends on time with 0', async () => {
    const s = start('sleep', ['1000']);
    expect(await waitFor(() => comm(s.pid) === 'sleep' && readStatus(s.pid).state === 'S', 5000)).toBe(true);
    const t = await injectRepeatedly(mech, s.pid, { advice, maxInjections: 50, maxDurationMs: 20_000, intervalMs: 2, stop: () => finishing });
    console.log(describeTally('sleep 1000', t));
    expectCleanTally(t, 50);
    // Asleep at (nearly) every injection; an R is the target on its way back into
    // nanosleep (restart_syscall) after the previous injection, 2 ms earlier, on a busy machine.
    expect(Object.keys(t.statesBefore).filter((k) => k !== 'S' && k !== 'R')).toEqual([]);
    expect(t.statesBefore.S ?? 0).toBeGreaterThanOrEqual(45);
    const st = readStatus(s.pid);
    expect(st.state).toBe('S');
    expect(st.tracerPid).toBe(0);
    expect(s.alive()).toBe(true);
    // Every injection interrupted nanosleep; the kernel restarted it, sleep never saw EINTR.
    const ic = await interrupts('sleep 1000', s.pid);
    if (ic !== null) {
      expect(ic.eintr).toEqual({});
      expect(total(ic.restarted)).toBeGreaterThan(0);
      expect(total(ic.restarted)).toBeLessThanOrEqual(t.count);
    }
    process.kill(s.pid, 'SIGTERM');
    const e = await s.exited;
    expect(e).toMatchObject({ code: null, signal: 'SIGTERM' });

    // nanosleep restarted with the remaining time after every injection: on time, status 0.
    const t0 = performance.now();
    const s3 = start('sleep', ['3']);
    expect(await waitFor(() => comm(s3.pid) === 'sleep', 5000)).toBe(true);
    const t3 = await injectRepeatedly(mech, s3.pid, { advice, maxInjections: 2000, maxDurationMs: 10_000, intervalMs: 5, stop: () => finishing || !s3.alive() });
    const e3 = await s3.exited;
    const elapsedMs = e3.atMs - t0;
    console.log(`${describeTally('sleep 3', t3)}; exited after ${elapsedMs.toFixed(0)} ms with code ${e3.code}`);
    expect(e3).toMatchObject({ code: 0, signal: null });
    expect(elapsedMs).toBeGreaterThanOrEqual(2990);
    expect(elapsedMs).toBeLessThan(3600);
    expect(unexpectedErrors(t3)).toEqual([]);
    expect(t3.errors.length).toBeLessThanOrEqual(1);
    expect(t3.rangeErrors).toEqual([]);
    // `sleep 3` ends on its own while it is being injected: the check right after the last
    // injection may find it a zombie already (untraced). Anything else is a failure.
    const lastBad = t3.badAfter.at(-1);
    const racedExit = lastBad !== undefined && /: TracerPid 0, state Z$/.test(lastBad) ? 1 : 0;
    expect(t3.badAfter.slice(0, t3.badAfter.length - racedExit)).toEqual([]);
    expect(t3.count).toBeGreaterThanOrEqual(100);
    const ic3 = await interrupts('sleep 3', s3.pid);
    if (ic3 !== null) expect(ic3.eintr).toEqual({});
  });

  it('python3 loop: 200 injections, at least 20 catching it computing and 20 in its sleep; chain and 32 MiB buffer intact, exit 0', async (ctx) => {
    if (pythonMissing !== null) {
      process.stderr.write(`SKIP python3 target: ${pythonMissing}\n`);
      ctx.skip();
    }
    const py = start(python3Path(), ['-c', PYTHON_LOOP, String(PAGES), '2000', '5']);
    const ready = JSON.parse(await py.waitLine((l) => l.includes('"ready"'), 15_000)) as { pid: number };
    expect(ready.pid).toBe(py.pid);
    const swap0 = readStatus(py.pid).swapBytes;
    const t = await injectRepeatedly(mech, py.pid, { advice: () => (usePageout ? 'pageout' : 'cold'), maxInjections: 1, maxDurationMs: 10_000, intervalMs: 0 });
    // The first PAGEOUT moved the buffer to swap: the final check reads it back from there.
    if (usePageout) expect(readStatus(py.pid).swapBytes - swap0).toBeGreaterThan(16 * MiB);
    // Where each stop caught it comes from the registers the injector saved: in its own code
    // (computing or faulting pages back in: restart `none`) or inside its sleep (clock_nanosleep,
    // restarted). A /proc state read before the injection says little: the stop lands a
    // millisecond later, and a fixed pause locks onto the loop's period (an injection that
    // catches it computing delays its next sleep by the stop window), which put every sample
    // at the end of a sleep (seen: S 198 of 200, while the stops caught it computing 96 times).
    // Random pauses spread the injections over the loop's period; it goes on until both
    // places were caught often enough (bounded: 2000 injections, 30 s).
    const random = mulberry32(5);
    const end = performance.now() + 30_000;
    const inSleep = (): number => (t.caughtIn.restart ?? 0) + (t.caughtIn['restart-block'] ?? 0);
    while ((t.count < 200 || (t.caughtIn.none ?? 0) < CAUGHT_MIN || inSleep() < CAUGHT_MIN) && t.count + t.errors.length < 2000 && performance.now() < end && !finishing) {
      await injectRepeatedly(mech, py.pid, { advice: () => advice(t.count), maxInjections: 1, maxDurationMs: 10_000, intervalMs: 0, tally: t });
      await new Promise((r) => setTimeout(r, random() * 12));
    }
    console.log(describeTally('python3', t));
    expectCleanTally(t, 200);
    expect(t.caughtIn.none ?? 0).toBeGreaterThanOrEqual(CAUGHT_MIN);
    expect(inSleep()).toBeGreaterThanOrEqual(CAUGHT_MIN);
    const st = readStatus(py.pid);
    expect(st.tracerPid).toBe(0);
    expect(st.state).toMatch(/^[RSD]$/);
    expect(py.alive()).toBe(true);
    await interrupts('python3', py.pid);

    process.kill(py.pid, 'SIGUSR2');
    const res = JSON.parse(await py.waitLine((l) => l.includes('"done"'), 15_000)) as LoopResult;
    const e = await py.exited;
    console.log(
      `python3: ${res.rounds} rounds, ${res.n} chain steps, ${py.lines.filter((l) => l.includes('"progress"')).length} progress lines, stderr: ${JSON.stringify(py.errLines)}`,
    );
    expect(e).toMatchObject({ code: 0, signal: null });
    expect(res).toMatchObject({ badRounds: 0, badPages: 0, pages: PAGES });
    expect(res.rounds).toBeGreaterThan(100);
    expect(res.n).toBe(res.rounds * 2000);
    expect(res.chain).toBe(chainHex(res.n));
    expect(py.errLines).toEqual([]);
  });

  it('node process: 200 injections; timers keep firing, chain and 32 MiB Buffer intact, exit 0', async () => {
    const TICK_MS = 5;
    const nd = start(process.execPath, ['-e', NODE_LOOP, String(PAGES), '1000', '3', String(TICK_MS)]);
    const ready = JSON.parse(await nd.waitLine((l) => l.includes('"ready"'), 15_000)) as { pid: number };
    expect(ready.pid).toBe(nd.pid);
    const swap0 = readStatus(nd.pid).swapBytes;
    const t = await injectRepeatedly(mech, nd.pid, { advice: () => (usePageout ? 'pageout' : 'cold'), maxInjections: 1, maxDurationMs: 10_000, intervalMs: 0 });
    if (usePageout) expect(readStatus(nd.pid).swapBytes - swap0).toBeGreaterThan(16 * MiB);
    await injectRepeatedly(mech, nd.pid, { advice, maxInjections: 199, maxDurationMs: 30_000, intervalMs: 10, stop: () => finishing, tally: t });
    console.log(describeTally('node', t));
    expectCleanTally(t, 200);
    const st = readStatus(nd.pid);
    expect(st.tracerPid).toBe(0);
    expect(st.state).toMatch(/^[RSD]$/);
    expect(nd.alive()).toBe(true);
    // libuv's epoll_pwait returns EINTR when an injection catches it waiting; libuv retries.
    const ic = await interrupts('node', nd.pid);
    if (ic !== null) {
      expect(total(ic.eintr)).toBeGreaterThan(0);
      expect(total(ic.eintr)).toBeLessThanOrEqual(t.count);
    }

    process.kill(nd.pid, 'SIGUSR2');
    const res = JSON.parse(await nd.waitLine((l) => l.includes('"done"'), 15_000)) as NodeLoopResult;
    const e = await nd.exited;
    // Ticks the timer could have fired while the process was not held in a ptrace stop.
    const stoppedMs = t.stopWindowsNs.reduce((a, b) => a + b, 0) / 1e6;
    const expectedTicks = (res.elapsedMs - stoppedMs) / res.tickMs;
    const progressTicks = nd.lines.filter((l) => l.includes('"progress"')).map((l) => (JSON.parse(l) as { ticks: number }).ticks);
    console.log(
      `node: ${res.rounds} rounds, ${res.n} chain steps, ${res.ticks} ticks over ${res.elapsedMs.toFixed(0)} ms of which ${stoppedMs.toFixed(0)} ms in ptrace stops (${expectedTicks.toFixed(0)} ticks possible), ticks at progress lines ${JSON.stringify(progressTicks)}, largest tick gap ${res.maxGapMs.toFixed(1)} ms, stderr: ${JSON.stringify(nd.errLines)}`,
    );
    expect(e).toMatchObject({ code: 0, signal: null });
    expect(res).toMatchObject({ badRounds: 0, badPages: 0, pages: PAGES });
    expect(res.rounds).toBeGreaterThan(100);
    expect(res.n).toBe(res.rounds * 1000);
    expect(res.chain).toBe(chainHex(res.n));
    // libuv's epoll_wait returns EINTR after each injection and is retried: the timer keeps its pace.
    expect(progressTicks.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < progressTicks.length; i++) expect(progressTicks[i]!).toBeGreaterThan(progressTicks[i - 1]!);
    expect(res.ticks).toBeGreaterThan(expectedTicks * 0.25);
    expect(res.maxGapMs).toBeLessThan(1000);
    expect(nd.errLines).toEqual([]);
  });

  it('redis-server under redis-benchmark: >= 200 PAGEOUT injections, no client errors, every known key intact', async (ctx) => {
    if (redisMissing !== null) {
      process.stderr.write(`SKIP redis target: ${redisMissing}\n`);
      ctx.skip();
    }
    redis = await startRedis();
    const pid = redis.proc.pid;
    const c = await connectResp(redis.port);
    try {
      for (let i = 0; i < REDIS_KEYS; i += 1000) {
        const cmds: string[][] = [];
        for (let k = i; k < Math.min(REDIS_KEYS, i + 1000); k++) cmds.push(['SET', knownKey(k), knownValue(k)]);
        const replies = await c.pipeline(cmds);
        expect(replies.every((r) => r === 'OK')).toBe(true);
      }
      expect(await waitFor(() => readStatus(pid).state === 'S', 5000)).toBe(true);
      const swap0 = readStatus(pid).swapBytes;
      const pageout = (): Advice => (usePageout ? 'pageout' : 'cold');
      const t = await injectRepeatedly(mech, pid, { advice: pageout, maxInjections: 1, maxDurationMs: 10_000, intervalMs: 0 });
      if (usePageout) expect(readStatus(pid).swapBytes - swap0).toBeGreaterThan(2 * MiB);

      const tests = ['SET', 'GET', 'INCR', 'LPUSH', 'LPOP', 'HSET'];
      let benchRuns = 0;
      while (t.count < 200 && benchRuns < 3 && !finishing) {
        benchRuns++;
        const bench = start('redis-benchmark', ['-h', '127.0.0.1', '-p', String(redis.port), '-n', '50000', '-c', '20', '-t', tests.join(',').toLowerCase(), '--csv']);
        const timeout = setTimeout(() => {
          void bench.kill();
        }, 40_000);
        await injectRepeatedly(mech, pid, { advice: pageout, maxInjections: 5000, maxDurationMs: 40_000, intervalMs: 10, stop: () => finishing || !bench.alive(), tally: t });
        const be = await bench.exited;
        clearTimeout(timeout);
        const rows = bench.lines.filter((l) => /^"[A-Z]/.test(l)).map((l) => l.split(',')[0]!.replaceAll('"', ''));
        console.log(`redis-benchmark run ${benchRuns}: exit ${be.code}, ${bench.lines.length} lines: ${bench.lines.join(' | ')}; stderr: ${JSON.stringify(bench.errLines)}`);
        expect(be).toMatchObject({ code: 0, signal: null });
        expect(rows).toEqual(tests);
        expect(bench.lines.join('\n') + bench.errLines.join('\n')).not.toMatch(/error|refused|reset|timeout/i);
      }
      console.log(describeTally(`redis-server (${benchRuns} benchmark runs)`, t));
      expectCleanTally(t, 200);
      expect(t.statesBefore.S ?? 0).toBeGreaterThan(0);
      await interrupts('redis-server', pid);

      // The data set survived hundreds of trips through swap.
      let bad = 0;
      for (let i = 0; i < REDIS_KEYS; i += 1000) {
        const keys: string[] = [];
        for (let k = i; k < Math.min(REDIS_KEYS, i + 1000); k++) keys.push(knownKey(k));
        const values = await c.command(['MGET', ...keys]);
        expect(Array.isArray(values)).toBe(true);
        (values as unknown[]).forEach((v, j) => {
          if (v !== knownValue(i + j)) bad++;
        });
      }
      expect(bad).toBe(0);
      const info = await c.command(['INFO', 'everything']);
      expect(typeof info).toBe('string');
      const field = (name: string): string | undefined => new RegExp(`^${name}:(.*)\\r?$`, 'm').exec(info as string)?.[1];
      console.log(
        `redis INFO: uptime ${field('uptime_in_seconds')} s, used_memory ${field('used_memory_human')}, total_commands_processed ${field('total_commands_processed')}, total_error_replies ${field('total_error_replies')}, db0 ${field('db0')}`,
      );
      expect(field('loading')).toBe('0');
      expect(field('total_error_replies')).toBe('0');
      expect(Number(field('total_commands_processed'))).toBeGreaterThan(benchRuns * tests.length * 50_000);
      const dbsize = await c.command(['DBSIZE']);
      expect(dbsize).not.toBeInstanceOf(RespError);
      expect(dbsize as number).toBeGreaterThanOrEqual(REDIS_KEYS);
      expect(await c.command(['PING'])).toBe('PONG');
      const st = readStatus(pid);
      expect(st.tracerPid).toBe(0);
      expect(st.state).toMatch(/^[RSD]$/);
      console.log(`redis median injection latency ${(median(t.latenciesNs) / 1000).toFixed(0)} us`);
    } finally {
      c.close();
    }
    const r = redis;
    redis = null;
    await r.stop();
    const e = await r.proc.exited;
    expect(e).toMatchObject({ code: 0, signal: null });
  });
});
