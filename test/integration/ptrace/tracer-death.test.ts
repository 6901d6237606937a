/**
 * A tracer that dies in the middle of an injection must not hurt the target: its registers
 * (general, ymm, MXCSR, x87), signal mask, memory and blocking calls stay as they were.
 *  1. Deterministic: a tracer process dies at each phase of a sigframe injection (frame
 *     written, registers injected, at madvise's entry stop, at its exit stop, registers
 *     restored but not detached), against the native register-checking target and the Node
 *     selfcheck target.
 *  2. Random: `hintbench hint --via ptrace --repeat N` is SIGKILLed as a whole process group,
 *     then its tracer alone, at random instants of running injections
 *     (test/kill/ptrace-kill-trials.ts; `npm run bench:ptrace-kill` does hundreds).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { canRun, canUse } from '../../helpers/prereq.ts';
import { type CBuild, findCCompiler } from '../../../core/process/c-compiler.ts';
import { mulberry32 } from '../../../core/stats/random.ts';
import { runKillTrials, summarizeKillTrials, type KillTarget } from '../../kill/ptrace-kill-trials.ts';
import { buildNativeSelfcheck, startNativeSelfcheck, startSelfcheck, type NativeTarget, type Target } from '../../targets/selfcheck-client.ts';
import { swapActive, threadState, tracerPid, waitFor } from './helpers.ts';

const VANISHING_TRACER = fileURLToPath(new URL('./fixtures/vanishing-tracer.ts', import.meta.url));
const PHASES = ['frame', 'setregs', 'entry', 'exit', 'restored'] as const;
const PER_PHASE = 6;
const GROUP_KILLS = 8;
const TRACER_KILLS = 8;
/** These tests count trials, not time; under load each trial takes several times longer, and the bound only catches a hang. */
const TRIAL_TIMEOUT_MS = 600_000;

const run = canRun('tracer death during injection', { root: true }) && process.arch === 'x64';
const cc = run ? findCCompiler() : null;
const haveCc = run && canUse('C compiler for the native selfcheck target', cc !== null, 'apt-get install -y gcc');

const hex = (n: number): string => n.toString(16);

describe.skipIf(!run || !haveCc)('tracer death during injection', () => {
  let build: CBuild;
  let native: NativeTarget;
  let node: Target;
  beforeAll(async () => {
    build = buildNativeSelfcheck(cc!);
    native = await startNativeSelfcheck(build, 'regs');
    node = await startSelfcheck(['--mode=nanosleep', '--idle-mib=4']);
  });
  afterAll(async () => {
    await native?.stop();
    await node?.kill();
    build?.remove();
  });

  /** Both targets alive, untraced, not stopped, and reporting no corruption. */
  async function expectIntact(): Promise<void> {
    for (const pid of [native.pid, node.pid]) {
      expect(await waitFor(() => tracerPid(pid) === 0 && !/[tTZ]/.test(threadState(pid)), 3000)).toBe(true);
    }
    expect(native.alive()).toBe(true);
    expect(node.alive()).toBe(true);
    const n = await native.status();
    expect({ regs: n.regMismatches, bad: n.firstBadReg, sleep: n.sleepErrors, short: n.shortSleeps, mask: n.maskErrors, mem: n.memErrors }).toEqual({
      regs: 0,
      bad: '',
      sleep: 0,
      short: 0,
      mask: 0,
      mem: 0,
    });
    const s = await node.status();
    expect({ hash: s.hashFailures, pages: s.pageFailures, other: s.otherErrors }).toEqual({ hash: 0, pages: 0, other: 0 });
    expect(await node.verifyIdle()).toBe(0);
  }

  it(
    `a tracer dying at each phase of an injection (${PHASES.length} phases x ${PER_PHASE} x 2 targets) leaves the targets intact`,
    async () => {
      const exec = promisify(execFile);
      const restarts: Record<string, number> = {};
      const loopsBefore = (await native.status()).loops;
      for (const phase of PHASES) {
        for (let i = 0; i < PER_PHASE; i++) {
          for (const t of [
            { pid: native.pid, addr: native.region.startAddr },
            { pid: node.pid, addr: node.ready.checked.startAddr },
          ]) {
            const { stdout } = await exec(process.execPath, [
              '--import',
              import.meta.resolve('tsx'),
              VANISHING_TRACER,
              String(t.pid),
              phase,
              String(t.addr + (i % 8) * 4096),
            ]).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
            const out = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { error?: string; restart?: string };
            expect(out.error).toBeUndefined();
            restarts[out.restart ?? '?'] = (restarts[out.restart ?? '?'] ?? 0) + 1;
            expect(await waitFor(() => tracerPid(t.pid) === 0, 3000)).toBe(true);
          }
        }
        await expectIntact();
      }
      // The native target went on looping (it was not left stuck somewhere).
      let loops = loopsBefore;
      for (let i = 0; i < 100 && loops <= loopsBefore; i++) loops = (await native.status()).loops;
      expect(loops).toBeGreaterThan(loopsBefore);
      process.stderr.write(`vanishing tracer: ${PHASES.length * PER_PHASE * 2} deaths; saved state at the stop: ${JSON.stringify(restarts)}\n`);
    },
    TRIAL_TIMEOUT_MS,
  );

  const targets = (): KillTarget[] => [
    { pid: native.pid, ranges: `${hex(native.region.startAddr)}-${hex(native.region.startAddr + 65536)}` },
    { pid: node.pid, ranges: `${hex(node.ready.checked.startAddr)}-${hex(node.ready.checked.startAddr + 65536)}` },
  ];

  it(
    `SIGKILL of hintbench's whole process group at ${GROUP_KILLS} random instants: targets intact, the tracer finishes and leaves`,
    async () => {
      const trials = await runKillTrials({ kind: 'group', trials: GROUP_KILLS, targets: targets(), advice: swapActive() ? 'pageout' : 'cold', random: mulberry32(7) });
      const sum = summarizeKillTrials(trials);
      process.stderr.write(`group kills: ${JSON.stringify(sum)}\n`);
      expect(sum.problems).toEqual([]);
      expect(sum).toMatchObject({ trials: GROUP_KILLS, targetDeaths: 0, leftTraced: 0, leftStopped: 0, tracerLingered: 0 });
      // Random instants: most land while the target is seized, some between two injections.
      expect(sum.tracedAtKill).toBeGreaterThan(0);
      await expectIntact();
    },
    TRIAL_TIMEOUT_MS,
  );

  it(
    `SIGKILL of the tracer alone at ${TRACER_KILLS} random instants: targets intact, hint names the target and its fate`,
    async () => {
      const trials = await runKillTrials({ kind: 'tracer', trials: TRACER_KILLS, targets: targets(), advice: swapActive() ? 'pageout' : 'cold', random: mulberry32(11) });
      const sum = summarizeKillTrials(trials);
      process.stderr.write(`tracer kills: ${JSON.stringify(sum)}\n`);
      expect(sum.problems).toEqual([]);
      expect(sum).toMatchObject({ trials: TRACER_KILLS, targetDeaths: 0, leftTraced: 0, leftStopped: 0 });
      expect(sum.tracedAtKill).toBeGreaterThan(0);
      for (const t of trials) {
        expect(t.hintCode).toBe(1);
        expect(t.hintStderr).toContain(`(pid ${t.tracerPid}) was killed by SIGKILL during an injection into pid ${t.targetPid}; pid ${t.targetPid} survived`);
      }
      await expectIntact();
    },
    TRIAL_TIMEOUT_MS,
  );
});
