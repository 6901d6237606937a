import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findCpuController, parseCpuStat, readCpuQuota, setCpuQuota } from '../../../../core/cgroup/cpu.ts';
import { parseV1Cgroup } from '../../../../core/cgroup/placement.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'hb-cpu-'));
  dirs.push(d);
  return d;
}

describe('cpu.stat', () => {
  it('reads v1 throttled_time in ns and v2 throttled_usec as ns', () => {
    expect(parseCpuStat('nr_periods 10\nnr_throttled 4\nthrottled_time 123456789\nnr_bursts 0\nburst_time 0\n')).toEqual({ nrPeriods: 10, nrThrottled: 4, throttledNs: 123456789 });
    expect(parseCpuStat('usage_usec 5\nuser_usec 3\nsystem_usec 2\nnr_periods 7\nnr_throttled 2\nthrottled_usec 1500\n')).toEqual({
      nrPeriods: 7,
      nrThrottled: 2,
      throttledNs: 1_500_000,
    });
  });

  it('names the file and the fix when the counters are missing', () => {
    expect(() => parseCpuStat('usage_usec 5\n', '/x/cpu.stat')).toThrow(/\/x\/cpu.stat: expected nr_periods/);
  });
});

describe('quota files', () => {
  it('writes and reads cpu.max (v2) and cfs_quota_us / cfs_period_us (v1)', () => {
    const v2 = tmp();
    writeFileSync(join(v2, 'cpu.max'), 'max 100000');
    expect(readCpuQuota({ version: 'v2', dir: v2 })).toEqual({ quotaUs: null, periodUs: 100000 });
    setCpuQuota({ version: 'v2', dir: v2 }, 5000, 50000);
    expect(readCpuQuota({ version: 'v2', dir: v2 })).toEqual({ quotaUs: 5000, periodUs: 50000 });
    const v1 = tmp();
    writeFileSync(join(v1, 'cpu.cfs_quota_us'), '-1');
    writeFileSync(join(v1, 'cpu.cfs_period_us'), '100000');
    expect(readCpuQuota({ version: 'v1', dir: v1 })).toEqual({ quotaUs: null, periodUs: 100000 });
    setCpuQuota({ version: 'v1', dir: v1 }, 5000, 50000);
    expect(readCpuQuota({ version: 'v1', dir: v1 })).toEqual({ quotaUs: 5000, periodUs: 50000 });
  });
});

describe('findCpuController', () => {
  it('prefers cgroup2 when it delegates cpu, else the v1 hierarchy, else says why not', () => {
    const root = tmp();
    mkdirSync(join(root, 'v2'), { recursive: true });
    writeFileSync(join(root, 'v2/cgroup.subtree_control'), 'cpuset cpu io memory pids\n');
    expect(findCpuController({ v2: '/v2', v1Cpu: '/cpu' }, root)).toEqual({ version: 'v2', root: '/v2' });
    writeFileSync(join(root, 'v2/cgroup.subtree_control'), '\n');
    expect(findCpuController({ v2: '/v2', v1Cpu: '/cpu' }, root)).toEqual({ version: 'v1', root: '/cpu' });
    expect(findCpuController({ v2: '/v2', v1Cpu: null }, root)).toMatchObject({ version: null, reason: expect.stringMatching(/no CPU bandwidth controller/) });
  });

  it('finds the cpu hierarchy in /proc/PID/cgroup, not cpuset or cpuacct', () => {
    const text = '3:cpuset:/a\n2:cpuacct:/b\n1:cpu:/hintbench-1-2-3\n0::/\n';
    expect(parseV1Cgroup(text, 'cpu', '/sys/fs/cgroup/cpu')).toBe('/sys/fs/cgroup/cpu/hintbench-1-2-3');
    expect(parseV1Cgroup('4:cpu,cpuacct:/\n', 'cpu', '/sys/fs/cgroup/cpu,cpuacct')).toBe('/sys/fs/cgroup/cpu,cpuacct');
    expect(parseV1Cgroup('0::/\n', 'cpu', '/x')).toBeNull();
  });
});
