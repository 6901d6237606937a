/**
 * The race family on the real kernel. The churn workload's log is checked against the
 * process's own /proc/PID/maps; a race sample's mis-hinted bytes are recomputed here page by
 * page from the log and the hinted ranges, by code of this test's own, and must equal
 * hintbench's figure exactly; each remedy holds the target still (no churn operation between
 * the read and the end of the hint) and leaves nothing behind (no stopped or traced process,
 * no holder process, no cgroup), with the target's data intact.
 */
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createMechanism } from '../../../bench/mechanisms/index.ts';
import type { Mechanism } from '../../../bench/mechanisms/mechanism.ts';
import { holdTarget } from '../../../bench/race/hold.ts';
import { type RaceEvidence, runRaceRepetition } from '../../../bench/race/sample.ts';
import { raceScenarios } from '../../../bench/scenarios/claims-race.ts';
import { readCgroupMounts } from '../../../core/cgroup/mounts.ts';
import { readMaps } from '../../../core/proc/maps.ts';
import { readProcStat } from '../../../core/proc/stat.ts';
import { readTaskStatus } from '../../../core/proc/status.ts';
import type { ChurnSpec, RaceRemedy } from '../../../core/schema/race.ts';
import { spawnChurn, type WorkloadHandle } from '../../../workloads/client.ts';
import { canRun } from '../../helpers/prereq.ts';
import { descendants, readProcs } from '../../helpers/proc-tree.ts';

const run = canRun('race family', { root: true, swap: true }) && process.arch === 'x64';
const CHURN: ChurnSpec = { slots: 12, opsPerSec: 400, minKiB: 16, maxKiB: 64 };
const PAGE = 4096;

/**
 * Mis-hinted bytes by this test's own rule, page by page: a hinted page is mis-hinted when the
 * one logged mapping that covered it while the maps were read, and began where its range
 * began with its length, had finished unmapping before the hint began.
 */
function misHintedByPage(e: RaceEvidence): number {
  let bytes = 0;
  for (const r of e.ranges) {
    for (let addr = r.startAddr; addr < r.startAddr + r.lengthBytes; addr += PAGE) {
      const covering = e.log.filter(
        (m) => addr >= m.startAddr && addr < m.startAddr + m.lengthBytes && m.mapStartNs <= e.read.toNs && (m.unmapEndNs === null || m.unmapEndNs >= e.read.fromNs),
      );
      const same = covering.filter((m) => m.startAddr === r.startAddr && m.lengthBytes === r.lengthBytes);
      if (same.length !== 1) continue;
      const read = same[0]!;
      if (read.unmapEndNs !== null && read.unmapEndNs < e.hint.fromNs) bytes += PAGE;
    }
  }
  return bytes;
}

/** This process's hintbench cgroups in the freezer hierarchies (left behind if any). */
function ourCgroups(): string[] {
  const m = readCgroupMounts();
  return [m.v2, m.v1Freezer].flatMap((dir) => (dir === null || !existsSync(dir) ? [] : readdirSync(dir).filter((n) => n.startsWith(`hintbench-${process.pid}-`))));
}

/** Processes below this one other than `keep` (holders, stray tracers). */
function strayChildren(keep: number[]): number[] {
  return descendants(readProcs(), process.pid)
    .map((p) => p.pid)
    .filter((pid) => !keep.includes(pid));
}

describe.skipIf(!run)('race family', () => {
  const mechanisms = new Map<string, Mechanism>();
  const mechanism = async (name: 'process_madvise' | 'ptrace'): Promise<Mechanism> => {
    let m = mechanisms.get(name);
    if (m === undefined) {
      m = await createMechanism(name);
      mechanisms.set(name, m);
    }
    return m;
  };
  afterAll(async () => {
    for (const m of mechanisms.values()) await m.dispose();
  });
  /** The ptrace mechanism's tracer process, which lives as long as the mechanism. */
  const tracers = (): number[] => [...mechanisms.values()].flatMap((x) => ('tracerPid' in x && typeof x.tracerPid === 'number' ? [x.tracerPid] : []));

  it("the churn log agrees with /proc/PID/maps: its live mappings are the arena's read-write VMAs", async () => {
    const w = await spawnChurn(CHURN, 3);
    try {
      // Read the log, the maps, the log again; when no operation came in between, they must agree exactly.
      let checked = false;
      for (let attempt = 0; attempt < 50 && !checked; attempt++) {
        const a = await w.churnLog(0);
        const maps = readMaps(w.pid);
        const b = await w.churnLog(0);
        if (a.ops !== b.ops) continue;
        const end = a.arenaStartAddr + a.arenaLengthBytes;
        const inArena = maps.filter((m) => m.startAddr >= a.arenaStartAddr && m.endAddr <= end && m.perms.startsWith('rw'));
        const live = a.entries.filter((m) => m.unmapStartNs === null);
        expect(inArena.map((m) => [m.startAddr, m.endAddr - m.startAddr])).toEqual(live.map((m) => [m.startAddr, m.lengthBytes]).sort((x, y) => x[0]! - y[0]!));
        expect(a.entries.map((m) => m.generation)).toEqual(a.entries.map((_, i) => i + 1));
        checked = true;
      }
      expect(checked).toBe(true);
      expect((await w.verify()).intact).toBe(true);
    } finally {
      await w.exit();
    }
  }, 60_000);

  const cases: Array<['process_madvise' | 'ptrace', RaceRemedy]> = [
    ['process_madvise', 'none'],
    ['process_madvise', 'sigstop'],
    ['process_madvise', 'freezer'],
    ['process_madvise', 'ptrace_stop'],
    ['ptrace', 'none'],
    ['ptrace', 'sigstop'],
    ['ptrace', 'freezer'],
  ];
  it.each(cases)(
    '%s with remedy %s: mis-hinted bytes recomputed from the log agree exactly; a remedy leaves none',
    async (mech, remedy) => {
      const scenario = raceScenarios({ mechanisms: [mech], advices: ['pageout'], delaysUs: [40_000], remedies: [remedy], churn: CHURN, repetitions: 1 })[0]!;
      const m = await mechanism(mech);
      let mis = 0;
      // Without a remedy, repeat until the race showed (40 ms at 400 ops/s: about 16 operations per sample).
      for (let rep = 0; rep < (remedy === 'none' ? 6 : 2); rep++) {
        const d = await runRaceRepetition(scenario, scenario.race!, m, { repetition: rep, warmUp: false, block: 0 });
        const s = d.sample;
        expect(s.errors).toEqual([]);
        expect(d.evidence).not.toBeNull();
        const e = d.evidence!;
        expect(e.ranges.length).toBeGreaterThan(0);
        expect(s.raceMisHintedBytes).toBe(misHintedByPage(e));
        expect(s.raceHintedBytes).toBe(e.ranges.reduce((n, r) => n + r.lengthBytes, 0));
        expect(s.bytesAdvised).toBe(s.raceHintedBytes);
        expect(s.raceDelayNs).toBeGreaterThanOrEqual(40_000_000);
        expect(s.dataIntact).toBe(true);
        expect(ourCgroups()).toEqual([]);
        expect(strayChildren(tracers())).toEqual([]);
        if (remedy === 'none') {
          expect(s.raceStallNs).toBeNull();
          mis += s.raceMisHintedBytes!;
          if (mis > 0) break;
        } else {
          expect(s.raceMisHintedBytes).toBe(0);
          expect(s.raceUncertainBytes).toBe(0);
          expect(s.raceChurnOps).toBe(0);
          expect(s.raceStallNs).toBeGreaterThanOrEqual(40_000_000);
          expect(s.raceTargetGapNs).toBeGreaterThanOrEqual(40_000_000);
        }
      }
      if (remedy === 'none') expect(mis).toBeGreaterThan(0);
    },
    120_000,
  );

  it.each(['sigstop', 'freezer', 'ptrace_stop'] as const)(
    'remedy %s holds the target, then leaves it running, untraced, out of any cgroup of ours, data intact',
    async (remedy) => {
      const w: WorkloadHandle = await spawnChurn(CHURN, 5);
      try {
        const hold = await holdTarget(remedy, w.pid);
        expect(hold).not.toBeNull();
        const state = readProcStat(w.pid)!.state;
        if (remedy === 'sigstop') expect(state).toBe('T');
        if (remedy === 'ptrace_stop') {
          expect(state).toBe('t');
          expect(readTaskStatus(w.pid, w.pid).tracerPid).not.toBe(0);
        }
        if (remedy === 'freezer') expect(ourCgroups()).toHaveLength(1);
        const releasedNs = await hold!.release();
        expect(releasedNs).toBeGreaterThanOrEqual(hold!.heldNs);
        expect(readProcStat(w.pid)!.state).not.toMatch(/[tT]/);
        expect(readTaskStatus(w.pid, w.pid).tracerPid).toBe(0);
        expect(ourCgroups()).toEqual([]);
        expect(strayChildren([w.pid, ...tracers()])).toEqual([]);
        // It churns again and its data is intact.
        const ops = (await w.churnLog(0)).ops;
        let after = ops;
        for (let i = 0; i < 200 && after === ops; i++) after = (await w.churnLog(0)).ops;
        expect(after).toBeGreaterThan(ops);
        expect((await w.verify()).intact).toBe(true);
      } finally {
        await w.exit();
      }
    },
    60_000,
  );
});
