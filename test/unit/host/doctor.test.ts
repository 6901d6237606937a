import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type DoctorReport, formatDoctor, judgeHost } from '../../../bench/host/doctor.ts';
import { selfIdentity } from '../../../core/proc/stat.ts';
import { type PathAccess, pathAccess } from '../../../core/proc/tracefs.ts';
import { emptyState, saveState } from '../../../bench/host/state.ts';
import { HYBRID, V2 } from './fixtures.ts';

/** Tracepoints to check on the fixtures: the hybrid tree has all but sched_stat_runtime. */
const TRACEPOINTS = ['syscalls/sys_enter_process_madvise', 'syscalls/sys_exit_madvise', 'sched/sched_switch', 'sched/sched_stat_runtime'];

const byId = (r: DoctorReport, id: string) => {
  const c = r.checks.find((x) => x.id === id);
  if (c === undefined) throw new Error(`no check ${id}`);
  return c;
};

describe('judgeHost on the hybrid fixture', () => {
  const report = judgeHost({ root: HYBRID, euid: 0, processMadvise: 'available', bpftraceVersion: '0.17.0', tracepoints: TRACEPOINTS });
  it('passes caps, kernel, swap, bpftrace and cgroups', () => {
    for (const id of ['caps', 'kernel', 'process_madvise', 'swap', 'bpftrace', 'tracefs', 'perf', 'cgroup-memory', 'thp']) {
      expect(byId(report, id).status, id).toBe('ok');
    }
    expect(byId(report, 'swap').detail).toContain('zram lzo-rle');
    expect(byId(report, 'thp').detail).toContain('madvise');
    expect(byId(report, 'zswap').detail).toContain('enabled');
  });
  it('fails on the one missing tracepoint and warns about reclaimers', () => {
    const tp = byId(report, 'tracepoints');
    expect(tp.status).toBe('fail');
    expect(tp.detail).toContain('sched/sched_stat_runtime');
    expect(tp.detail).not.toContain('sched/sched_switch');
    const present = judgeHost({
      root: HYBRID,
      euid: 0,
      processMadvise: 'available',
      bpftraceVersion: '0.17.0',
      tracepoints: ['sched/sched_switch', 'vmscan/mm_vmscan_reclaim_pages'],
    });
    expect(byId(present, 'tracepoints').status).toBe('ok');
    expect(byId(present, 'tracepoints').detail).toBe('all 2 present: sched/sched_switch, vmscan/mm_vmscan_reclaim_pages');
    const rec = byId(report, 'reclaimers');
    expect(rec.status).toBe('warn');
    expect(rec.detail).toContain('kdamond.0');
    expect(rec.detail).toContain('senpai');
    expect(report.canRun).toBe(false);
  });
});

describe('judgeHost on the v2 fixture (old kernel, no swap, no tracefs, few caps)', () => {
  const report = judgeHost({ root: V2, euid: 1000, processMadvise: 'enosys', bpftraceVersion: null });
  it('fails every unmet need, each with a fix', () => {
    const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.id);
    expect(failed).toEqual(['caps', 'kernel', 'process_madvise', 'swap', 'bpftrace', 'tracefs', 'tracepoints', 'perf']);
    for (const c of report.checks.filter((x) => x.status !== 'ok')) expect(c.fix, c.id).toBeTruthy();
    expect(byId(report, 'caps').detail).toContain('CAP_SYS_PTRACE');
    expect(byId(report, 'caps').detail).not.toContain('CAP_SYS_NICE,');
    expect(byId(report, 'cgroup-memory').detail).toMatch(/^v2/);
    expect(byId(report, 'reclaimers').status).toBe('ok');
    expect(report.canRun).toBe(false);
  });
  it('prints every problem with its fix at once', () => {
    const text = formatDoctor(report);
    expect(text.match(/^\[FAIL\]/gm)).toHaveLength(8);
    expect(text.match(/^\[WARN\]/gm)).toHaveLength(1); // the stale cgroups
    expect(text.match(/^ +fix: /gm)).toHaveLength(9);
    expect(text).toContain('hintbench setup');
    expect(text).toContain('mount -t tracefs nodev /sys/kernel/tracing');
    expect(text).toContain('A run cannot succeed here: 8 problems');
  });
});

describe('canRun', () => {
  it('stays true with warnings only', () => {
    const report = judgeHost({ root: HYBRID, euid: 0, processMadvise: 'available', bpftraceVersion: '0.12.0', tracepoints: TRACEPOINTS });
    expect(byId(report, 'bpftrace').status).toBe('warn');
    const withoutTracepoints = { checks: report.checks.filter((c) => c.id !== 'tracepoints'), canRun: true };
    expect(formatDoctor(withoutTracepoints)).toMatch(/A run can succeed here \(3 warnings\)\.$/); // bpftrace, stale cgroups, reclaimers
  });
  it('reports an EPERM probe as a seccomp problem', () => {
    const report = judgeHost({ root: HYBRID, euid: 0, processMadvise: 'eperm', bpftraceVersion: '0.17.0' });
    expect(byId(report, 'process_madvise').status).toBe('fail');
    expect(byId(report, 'process_madvise').fix).toContain('seccomp');
  });
});

describe('tracefs mounted but not readable (non-root)', () => {
  const nonRoot = (root: string, absPath: string): PathAccess => (absPath.startsWith('/sys/kernel/tracing/') ? 'denied' : pathAccess(root, absPath));
  it('says it is mounted and not readable, and to run as root, instead of "not mounted"', () => {
    const report = judgeHost({ root: HYBRID, euid: 1000, processMadvise: 'available', bpftraceVersion: '0.17.0', access: nonRoot });
    const tf = byId(report, 'tracefs');
    expect(tf.status).toBe('fail');
    expect(tf.detail).toBe('tracefs is mounted at /sys/kernel/tracing (mount table), but uid 1000 may not read /sys/kernel/tracing/events');
    expect(tf.detail).not.toMatch(/not mounted/);
    expect(tf.fix).toMatch(/run hintbench as root/);
    expect(byId(report, 'tracepoints').detail).toMatch(/not readable by uid 1000/);
  });
  it('says not mounted when the mount table has no tracefs', () => {
    const tf = byId(judgeHost({ root: V2, euid: 1000, processMadvise: 'available', bpftraceVersion: '0.17.0', access: nonRoot }), 'tracefs');
    expect(tf.detail).toMatch(/^tracefs is not mounted/);
    expect(tf.fix).toMatch(/mount -t tracefs/);
  });
});

describe('parent-death and host-state checks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hintbench-doctor-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const base = { root: HYBRID, euid: 0, processMadvise: 'available', bpftraceVersion: '0.17.0' };

  it('warns when no setpriv offers --pdeathsig', () => {
    expect(byId(judgeHost({ ...base, setpriv: '/usr/bin/setpriv' }), 'parent-death')).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('/usr/bin/setpriv --pdeathsig'),
    });
    const warn = byId(judgeHost({ ...base, setpriv: null }), 'parent-death');
    expect(warn.status).toBe('warn');
    expect(warn.detail).toContain('leaves its bpftrace running');
    expect(warn.fix).toContain('util-linux');
  });
  it('reports what hintbench prepared, whether it is kept, and its live and dead users', () => {
    const path = join(dir, 'state.json');
    expect(byId(judgeHost({ ...base, statePath: path }), 'host-state').detail).toBe(`nothing recorded (${path} absent)`);
    saveState(path, {
      ...emptyState(),
      zram: { device: '/dev/zram0', index: 0, hotAdded: false, sizeBytes: 4 * 2 ** 30, compressor: 'lzo-rle' },
      tracefsMount: '/sys/kernel/tracing',
      users: [
        { ...selfIdentity(), label: 'hintbench run', since: '2026-11-28T10:00:00.000Z' },
        { pid: 2147483646, startTicks: 1, label: 'hintbench run', since: '2026-11-28T09:00:00.000Z' },
      ],
    });
    const c = byId(judgeHost({ ...base, statePath: path }), 'host-state');
    expect(c.status).toBe('ok');
    expect(c.detail).toBe(
      `zram swap /dev/zram0 (4.0 GiB), tracefs mounted at /sys/kernel/tracing; undone when its last user ends; used by pid ${process.pid} (hintbench run, since 2026-11-28T10:00:00.000Z) (1 dead user(s), dropped at the next setup or teardown)`,
    );
  });
});
