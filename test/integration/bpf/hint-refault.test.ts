/**
 * hint-latency.bt and refaults.bt cross-checked against known counts on the real kernel: a
 * python3 target with N random pages, PAGEOUT by process_madvise from this process, a
 * re-touch under the renamed comm, madvise(2) from the target itself, and /proc/vmstat.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeFd, pidfdOpen } from '../../../core/sys/pidfd.ts';
import { processMadviseRaw } from '../../../core/sys/process-madvise.ts';
import { readVmstat } from '../../../core/proc/vmstat.ts';
import { startProbeSession, type ProbeReport } from '../../../bpf/session.ts';
import { hintsInWindow, majorFaultsOf } from '../../../core/attribution.ts';
import { canRun } from '../../helpers/prereq.ts';
import { startPyTarget, type PyTarget } from './target.ts';

const PAGES = 16_384; // 64 MiB
const COMM = 'hbw-retouch';
const within = (actual: number, expected: number, rel: number): boolean => Math.abs(actual - expected) <= rel * expected;
const run = canRun('bpf hint/refault probes', { root: true, bpftrace: true, swap: true, tracefs: true });

describe.skipIf(!run)('hint-latency.bt and refaults.bt against known counts', () => {
  let target: PyTarget;
  let report: ProbeReport;
  const w: Record<string, { fromNs: number; toNs: number }> = {};
  let userNs = 0;
  let ret = 0;
  let pswpin = 0;
  let retouch: Awaited<ReturnType<PyTarget['retouch']>>;
  let selfPageout: Awaited<ReturnType<PyTarget['madvise']>>;
  let selfNormal: Awaited<ReturnType<PyTarget['madvise']>>;
  let selfCold: Awaited<ReturnType<PyTarget['madvise']>>;

  beforeAll(async () => {
    target = await startPyTarget(PAGES, COMM);
    const session = await startProbeSession({ scripts: ['hint-latency', 'refaults'] });
    try {
      const fd = pidfdOpen(target.pid);
      try {
        const a = process.hrtime.bigint();
        ret = processMadviseRaw(fd, [{ startAddr: target.addr, lengthBytes: PAGES * target.pageSize }], 21).ret;
        const b = process.hrtime.bigint();
        userNs = Number(b - a);
        w.pageout = { fromNs: Number(a), toNs: Number(b) };
      } finally {
        closeFd(fd);
      }
      const before = readVmstat().pswpin ?? 0;
      retouch = await target.retouch();
      pswpin = (readVmstat().pswpin ?? 0) - before;
      selfNormal = await target.madvise(0); // MADV_NORMAL: not a hint, must not be reported
      selfCold = await target.madvise(20);
      selfPageout = await target.madvise(21);
    } finally {
      report = await session.stop();
    }
  });
  afterAll(async () => {
    await target?.close();
  });

  it('reports the PAGEOUT call once, with the pages it reclaimed within 2 % of N', () => {
    expect(ret).toBe(PAGES * target.pageSize);
    const hints = hintsInWindow(report.hints, process.pid, w.pageout!.fromNs, w.pageout!.toNs);
    expect(hints).toHaveLength(1);
    const h = hints[0]!;
    expect(h).toMatchObject({ pid: process.pid, syscall: 'process_madvise', behavior: 21, ret });
    expect(within(h.reclaimedPages, PAGES, 0.02)).toBe(true);
    expect(h.latencyNs).toBeGreaterThan(0);
    expect(h.latencyNs).toBeLessThanOrEqual(userNs);
  });

  it('counts the re-touch major faults under the renamed comm, matching the target and /proc/vmstat', () => {
    expect(retouch.intact).toBe(true);
    const probe = majorFaultsOf(report, target.pid, COMM);
    expect(within(probe, PAGES, 0.02)).toBe(true);
    expect(within(probe, retouch.majflt, 0.02)).toBe(true);
    // pswpin is system-wide: other processes can only add to it.
    expect(pswpin, `pswpin delta ${pswpin} vs probe ${probe}`).toBeGreaterThanOrEqual(probe * 0.98);
    expect(within(pswpin, probe, 0.02), `pswpin delta ${pswpin} vs probe ${probe}`).toBe(true);
    expect(report.majorFaults.filter((f) => f.pid === target.pid && f.comm !== COMM).reduce((s, f) => s + f.count, 0)).toBeLessThan(PAGES * 0.02);
  });

  it('reports madvise(2) hints under the calling thread, and ignores other advice', () => {
    expect(selfNormal.ret).toBe(0);
    expect(hintsInWindow(report.hints, selfNormal.tid, selfNormal.fromNs, selfNormal.toNs)).toEqual([]);
    const cold = hintsInWindow(report.hints, selfCold.tid, selfCold.fromNs, selfCold.toNs);
    expect(cold).toHaveLength(1);
    expect(cold[0]).toMatchObject({ pid: target.pid, syscall: 'madvise', behavior: 20, reclaimedPages: 0, ret: 0 });
    const out = hintsInWindow(report.hints, selfPageout.tid, selfPageout.fromNs, selfPageout.toNs);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ syscall: 'madvise', behavior: 21, ret: 0 });
    expect(within(out[0]!.reclaimedPages, PAGES, 0.02)).toBe(true);
    expect(out[0]!.latencyNs).toBeLessThanOrEqual(selfPageout.toNs - selfPageout.fromNs);
  });

  it('saw no lost events and no warnings', () => {
    expect(report.lostEvents).toBe(0);
    expect(report.warnings).toEqual([]);
  });
});
