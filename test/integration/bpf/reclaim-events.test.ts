/**
 * reclaim-events.bt on the real kernel: lowering a memory cgroup's limit below its usage
 * makes the kernel reclaim in the writer's context; the probe must see those passes, by this
 * process's thread, and the pages they report must agree with the cgroup's usage drop and
 * with the cgroup's own counter: memory.stat pgsteal on cgroup v2, pgpgout (pages uncharged) on
 * v1, whose memory.stat has no pgsteal. /proc/vmstat's pgsteal_direct does not move: the kernel
 * counts reclaim of a cgroup below its limit in that cgroup's statistics only.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { detectMemcg } from '../../../bench/pressure/memcg-host.ts';
import { startProbeSession } from '../../../bpf/session.ts';
import { createMemcg, moveIntoMemcg, readMemcgStat, readMemcgUsage, removeMemcg, setMemcgLimits } from '../../../core/cgroup/memcg.ts';
import { readVmstat } from '../../../core/proc/vmstat.ts';
import { reclaimInWindow } from '../../../core/reclaim-attribution.ts';
import { canRun } from '../../helpers/prereq.ts';

const MiB = 1024 * 1024;
const PAGE = 4096;
const run = canRun('reclaim-events probe', { root: true, bpftrace: true, tracefs: true, swap: true });

/**
 * A node child that, on its first line on stdin, fills `mib` MiB of incompressible anonymous
 * memory and prints `ready`; on each later line reads one byte of every page and prints `done`.
 */
const FILLER = `
const { randomFillSync } = require('node:crypto');
let keep = null;
process.stdin.on('data', () => {
  if (keep === null) {
    keep = Buffer.allocUnsafeSlow(Number(process.argv[1]) * 1048576);
    randomFillSync(keep);
    process.stdout.write('ready\\n');
    return;
  }
  let sum = 0;
  for (let i = 0; i < keep.length; i += 4096) sum += keep[i];
  process.stdout.write('done ' + sum + '\\n');
});`;

describe.skipIf(!run)('reclaim-events.bt on the real kernel', () => {
  it('sees the memcg reclaim passes of a lowered limit in the writer thread, then the workload own passes when it refaults; their pages agree with the usage drop and the cgroup memory.stat', async () => {
    const features = detectMemcg();
    const cg = createMemcg(features.version, features.root, `hintbench-${process.pid}-reclaim-probe`);
    const child = spawn(process.execPath, ['-e', FILLER, '96'], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await once(child, 'spawn');
      moveIntoMemcg(cg, child.pid!);
      child.stdin!.write('go\n');
      const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
      expect(chunk.toString()).toMatch(/ready/);

      const session = await startProbeSession({ scripts: ['reclaim-events'] });
      const usageBefore = readMemcgUsage(cg).memoryBytes;
      const statBefore = readMemcgStat(cg);
      const vmBefore = readVmstat();
      const fromNs = Number(process.hrtime.bigint());
      setMemcgLimits(cg, { memoryBytes: usageBefore - 64 * MiB });
      const toNs = Number(process.hrtime.bigint());
      const vmAfter = readVmstat();
      const statAfter = readMemcgStat(cg);
      const usageAfter = readMemcgUsage(cg).memoryBytes;
      // The workload reads its pages back under the limit: its own faults reclaim now, in its context.
      const touchFromNs = Number(process.hrtime.bigint());
      child.stdin!.write('touch\n');
      const [touched] = (await once(child.stdout!, 'data')) as [Buffer];
      expect(touched.toString()).toMatch(/done/);
      const touchToNs = Number(process.hrtime.bigint());
      const facts = await session.stop();
      expect(facts.warnings).toEqual([]);

      const fig = reclaimInWindow(facts, { fromNs, toNs }, null);
      const mine = facts.reclaims!.filter((r) => r.pid === process.pid && r.beginNs + r.durationNs >= fromNs && r.beginNs + r.durationNs <= toNs);
      const minePages = mine.reduce((s, r) => s + r.reclaimedPages, 0);
      const droppedPages = (usageBefore - usageAfter) / PAGE;
      const counter = features.version === 'v2' ? 'pgsteal' : 'pgpgout';
      const stolen = (statAfter[counter] ?? 0) - (statBefore[counter] ?? 0);
      const pgstealDirect = (vmAfter.pgsteal_direct ?? 0) - (vmBefore.pgsteal_direct ?? 0);
      const pswpout = (vmAfter.pswpout ?? 0) - (vmBefore.pswpout ?? 0);
      process.stderr.write(
        `[reclaim-events] ${features.version}: ${fig.reclaimEvents} passes in the window (${mine.length} by this process, kinds ${[...new Set(mine.map((r) => r.kind))].join(',')}), ` +
          `mean ${((fig.reclaimLatencyMeanNs ?? 0) / 1e3).toFixed(1)} us, ${minePages} pages reclaimed; usage drop ${droppedPages.toFixed(0)} pages; memory.stat ${counter} +${stolen}; /proc/vmstat pgsteal_direct +${pgstealDirect}, pswpout +${pswpout}; throttles ${fig.reclaimThrottleEvents}\n`,
      );
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.every((r) => r.kind === 'memcg')).toBe(true);
      expect(fig.reclaimEvents).toBeGreaterThanOrEqual(mine.length);
      expect(fig.reclaimLatencyLog2Hist!.reduce((s, c) => s + c, 0)).toBe(fig.reclaimEvents);
      // 64 MiB had to go (less up to the charges cached per CPU, which usage counts and reclaim need not free): the
      // passes reclaimed that, and agree with the usage drop and the cgroup's own counter.
      expect(minePages).toBeGreaterThanOrEqual((0.98 * 64 * MiB) / PAGE);
      expect(Math.abs(minePages - droppedPages) / droppedPages).toBeLessThanOrEqual(0.02);
      expect(Math.abs(minePages - stolen) / stolen).toBeLessThanOrEqual(0.02);
      const theirs = facts.reclaims!.filter((r) => r.pid === child.pid && r.beginNs >= touchFromNs && r.beginNs + r.durationNs <= touchToNs);
      process.stderr.write(`[reclaim-events] re-touch under the limit: ${theirs.length} passes by the workload, ${theirs.reduce((s, r) => s + r.reclaimedPages, 0)} pages\n`);
      expect(theirs.length).toBeGreaterThan(0);
      expect(theirs.every((r) => r.kind === 'memcg')).toBe(true);
    } finally {
      child.kill('SIGKILL');
      await removeMemcg(cg);
    }
  });
});
