/**
 * Restartable sequences: a thread stopped by the injector inside an rseq critical section
 * must resume at the section's abort handler, as after any preemption. The native target's
 * critical section detects a commit made after another thread ran on its CPU meanwhile
 * (workloads/selfcheck-native.c, rseq mode). With the fixup: no violation. With it disabled
 * (InjectRequest.rseqFixup = false, for this demonstration only): violations, so the test
 * can fail. The injector caches a main thread's registration; a program that moves its
 * registration to another area (clearing the old area's rseq_cs) must not defeat the fixup.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRun, canUse } from '../../helpers/prereq.ts';
import { PtraceMechanism } from '../../../bench/mechanisms/ptrace/index.ts';
import { type CBuild, findCCompiler } from '../../../core/process/c-compiler.ts';
import { ADVICE_VALUE } from '../../../core/sys/syscall.ts';
import { buildNativeSelfcheck, startNativeSelfcheck, type NativeTarget } from '../../targets/selfcheck-client.ts';
import { tracerPid } from './helpers.ts';

/** Stops that must land inside a critical section (the section takes ~90 % of the loop; fewer stops land there when its CPU is contended, so injections go on until this many did). */
const INSIDE = 60;
/** Injections per test: at least MIN_INJECTIONS, at most MAX_INJECTIONS. */
const MIN_INJECTIONS = 200;
const MAX_INJECTIONS = 2400;
const run = canRun('ptrace rseq', { root: true }) && process.arch === 'x64';
const cc = run ? findCCompiler() : null;
const haveCc = run && canUse('C compiler for the native rseq target', cc !== null, 'apt-get install -y gcc');

describe.skipIf(!run || !haveCc)('ptrace injector: restartable sequences', () => {
  const mech = new PtraceMechanism();
  let build: CBuild;
  beforeAll(() => {
    build = buildNativeSelfcheck(cc!);
  });
  afterAll(async () => {
    await mech.dispose();
    build?.remove();
  });

  /**
   * Injects into the rseq target's main thread MIN_INJECTIONS times and on until INSIDE stops
   * landed inside a critical section (verdict `aborted`, or `ignored` without the fixup), at
   * most MAX_INJECTIONS times,
   * moving its rseq registration every `moveEvery` injections when set; returns its counters
   * and the reports' rseq verdicts.
   */
  async function injectMany(
    fixup: boolean,
    moveEvery = 0,
  ): Promise<{ injections: number; violations: number; commits: number; aborts: number; moves: number; verdicts: Record<string, number>; errors: string[] }> {
    const t: NativeTarget = await startNativeSelfcheck(build, 'rseq');
    try {
      await mech.open({ pid: t.pid });
      const verdicts: Record<string, number> = {};
      const errors: string[] = [];
      let i = 0;
      for (; i < MAX_INJECTIONS && (i < MIN_INJECTIONS || (verdicts[fixup ? 'aborted' : 'ignored'] ?? 0) < INSIDE); i++) {
        if (moveEvery > 0 && i > 0 && i % moveEvery === 0) await t.moveRseq();
        const r = await mech.inject({ pid: t.pid, advice: ADVICE_VALUE.cold, ranges: [{ startAddr: t.region.startAddr + (i % 64) * 4096, lengthBytes: 4096 }], rseqFixup: fixup });
        if (r.error !== null) errors.push(r.error);
        verdicts[r.rseq] = (verdicts[r.rseq] ?? 0) + 1;
      }
      await mech.close();
      expect(tracerPid(t.pid)).toBe(0);
      const s = await t.status();
      return { injections: i, violations: s.violations, commits: s.commits, aborts: s.aborts, moves: s.rseqMoves, verdicts, errors };
    } finally {
      await t.stop();
    }
  }

  it(`${MIN_INJECTIONS}+ injections into a thread spinning in rseq critical sections, ${INSIDE}+ stopping inside one: 0 violations`, async () => {
    const r = await injectMany(true);
    process.stderr.write(`rseq with fixup: ${JSON.stringify(r)}\n`);
    expect(r.errors).toEqual([]);
    expect(r.verdicts.unchecked ?? 0).toBe(0);
    // The fixup really ran, at least INSIDE times.
    expect(r.verdicts.aborted ?? 0).toBeGreaterThanOrEqual(INSIDE);
    expect(r.violations).toBe(0);
    expect(r.commits).toBeGreaterThan(0);
  });

  it(`the registration moved to another area every 10 injections: still 0 violations (the cached registration is dropped)`, async () => {
    const r = await injectMany(true, 10);
    process.stderr.write(`rseq with moving registration: ${JSON.stringify(r)}\n`);
    expect(r.errors).toEqual([]);
    expect(r.moves).toBe(Math.ceil(r.injections / 10) - 1);
    expect(r.moves).toBeGreaterThanOrEqual(MIN_INJECTIONS / 10 - 1);
    // With a stale registration every stop would look `outside` (the old area's rseq_cs is 0),
    // and the loop would end at MAX_INJECTIONS with violations.
    expect(r.verdicts.aborted ?? 0).toBeGreaterThanOrEqual(INSIDE);
    expect(r.violations).toBe(0);
  });

  it('the same program shows violations with the fixup disabled', async () => {
    const r = await injectMany(false);
    process.stderr.write(`rseq without fixup: ${JSON.stringify(r)}\n`);
    expect(r.errors).toEqual([]);
    expect(r.verdicts.ignored ?? 0).toBeGreaterThanOrEqual(INSIDE);
    expect(r.violations).toBeGreaterThan(0);
  });
});
