/**
 * hintbench's cgroups on fixture trees: owner naming, stale (dead or recycled owner) versus in
 * use, the tasks they hold, on a hybrid (v1 freezer + cgroup2) and a pure cgroup v2 machine,
 * and the doctor's report of them.
 */
import { describe, expect, it } from 'vitest';
import { judgeHost } from '../../../bench/host/doctor.ts';
import { readCgroupMounts } from '../../../core/cgroup/mounts.ts';
import { describeCgroup, frozenCgroupName, listHintbenchCgroups, listStaleCgroups, parseCgroupName } from '../../../bench/host/stale-cgroups.ts';
import { HYBRID, V2 } from './fixtures.ts';

describe('cgroup names', () => {
  it('carry the owner pid and start time and the target pid', () => {
    const name = frozenCgroupName({ pid: 4242, startTicks: 987654 }, 4250);
    expect(name).toBe('hintbench-4242-987654-4250');
    expect(parseCgroupName(name)).toEqual({ ownerPid: 4242, ownerStartTicks: 987654, targetPid: 4250 });
  });
  it('recognise the older form (owner pid only) and nothing else', () => {
    expect(parseCgroupName('hintbench-4243-4251')).toEqual({ ownerPid: 4243, ownerStartTicks: null, targetPid: 4251 });
    for (const other of ['hintbench-test-55', 'hintbench-1', 'hintbench-1-2-3-4', 'user.slice', 'xhintbench-1-2']) expect(parseCgroupName(other), other).toBeNull();
  });
});

describe('freezer mounts from the mount table', () => {
  it('finds the v1 freezer and cgroup2 on hybrid, cgroup2 only on pure v2', () => {
    expect(readCgroupMounts(HYBRID)).toEqual({ v1Freezer: '/sys/fs/cgroup/freezer', v1Memory: '/sys/fs/cgroup/memory', v1Cpu: '/sys/fs/cgroup/cpu', v2: '/sys/fs/cgroup/unified' });
    expect(readCgroupMounts(V2)).toEqual({ v1Freezer: null, v1Memory: null, v1Cpu: null, v2: '/sys/fs/cgroup' });
    expect(readCgroupMounts('/nonexistent-root')).toEqual({ v1Freezer: null, v1Memory: null, v1Cpu: null, v2: null });
  });
});

describe('listHintbenchCgroups', () => {
  it("on hybrid: a frozen v1 cgroup of a recycled owner pid is stale and names its task; a live owner's cgroup2 cgroup is in use", () => {
    const all = listHintbenchCgroups(HYBRID);
    expect(all.map((c) => [c.version, c.dir, c.ownerAlive, c.frozen])).toEqual([
      ['v1', '/sys/fs/cgroup/freezer/hintbench-900-12345-901', false, true],
      ['v1', '/sys/fs/cgroup/cpu/hintbench-900-12345-902', false, false],
      ['v2', '/sys/fs/cgroup/unified/hintbench-910-5000-911', true, true],
    ]);
    const stale = listStaleCgroups(HYBRID);
    expect(stale).toHaveLength(2);
    expect(stale[1]).toMatchObject({ controller: 'cpu', frozen: false, tasks: [] });
    expect(describeCgroup(stale[1]!)).toBe('/sys/fs/cgroup/cpu/hintbench-900-12345-902 (v1 cpu, thawed, owner pid 900 dead): no tasks');
    expect(stale[0]!.tasks).toEqual([{ pid: 901, comm: 'node', state: 'D' }]);
    expect(describeCgroup(stale[0]!)).toBe('/sys/fs/cgroup/freezer/hintbench-900-12345-901 (v1, frozen, owner pid 900 dead): holds pid 901 node (D)');
  });
  it('on pure v2: cgroups of dead owners, old naming included, at the cgroup2 root', () => {
    const stale = listStaleCgroups(V2);
    expect(stale.map((c) => [c.version, c.dir, c.frozen, c.tasks.length])).toEqual([
      ['v2', '/sys/fs/cgroup/hintbench-4242-777-4250', true, 0],
      ['v2', '/sys/fs/cgroup/hintbench-4243-4251', false, 0],
    ]);
  });
  it('finds nothing where no cgroup file system is mounted', () => {
    expect(listHintbenchCgroups('/nonexistent-root')).toEqual([]);
  });
});

describe('doctor: stale cgroups', () => {
  const check = (root: string) => judgeHost({ root, euid: 0, processMadvise: 'available', bpftraceVersion: '0.17.0' }).checks.find((c) => c.id === 'stale-cgroups')!;
  it('warns with every stale cgroup and the tasks it holds, and says how to remove them', () => {
    const c = check(HYBRID);
    expect(c.status).toBe('warn');
    expect(c.detail).toContain('2 stale hintbench cgroup(s) holding 1 task(s) (1 in use by running hintbench processes)');
    expect(c.detail).toContain('hintbench-900-12345-901 (v1, frozen, owner pid 900 dead): holds pid 901 node (D)');
    expect(c.detail).toContain('/sys/fs/cgroup/cpu/hintbench-900-12345-902 (v1 cpu, thawed, owner pid 900 dead): no tasks');
    expect(c.detail).not.toContain('hintbench-910');
    expect(c.fix).toContain('hintbench teardown');
    expect(check(V2).detail).toContain('2 stale hintbench cgroup(s) holding 0 task(s)');
  });
  it('is ok when there are none', () => {
    expect(check('/nonexistent-root')).toMatchObject({ status: 'ok', detail: 'none' });
  });
});
