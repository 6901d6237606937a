import { describe, expect, it } from 'vitest';
import { describeCgroups, detectCgroups } from '../../../bench/host/cgroup.ts';
import { parseMountinfo } from '../../../core/proc/mounts.ts';
import { type PathAccess, findTracefs, missingTracepoints, pathAccess, probeTracefs, tracefsMountPoints } from '../../../core/proc/tracefs.ts';
import { HYBRID, V2 } from './fixtures.ts';

describe('detectCgroups', () => {
  it('sees a hybrid layout: memory on v1, cgroup2 mounted without it', () => {
    const info = detectCgroups(HYBRID);
    expect(info).toEqual({
      memory: 'hybrid',
      memoryRoot: '/sys/fs/cgroup/memory',
      v2Root: '/sys/fs/cgroup/unified',
      freezer: { v1: '/sys/fs/cgroup/freezer', v2: '/sys/fs/cgroup/unified' },
    });
    expect(describeCgroups(info)).toContain('hybrid');
  });
  it('sees pure v2 with the memory controller at the top', () => {
    const info = detectCgroups(V2);
    expect(info.memory).toBe('v2');
    expect(info.memoryRoot).toBe('/sys/fs/cgroup');
    expect(info.freezer).toEqual({ v1: null, v2: '/sys/fs/cgroup' });
  });
  it('has no v2 freezer before Linux 5.2 and nothing on an empty tree', () => {
    expect(detectCgroups(V2, '5.1.0').freezer.v2).toBeNull();
    expect(detectCgroups('/nonexistent-root', '6.1.0')).toEqual({ memory: 'none', memoryRoot: null, v2Root: null, freezer: { v1: null, v2: null } });
  });
});

describe('tracefs', () => {
  it('finds tracefs and names the tracepoints that are missing', () => {
    expect(findTracefs(HYBRID)).toBe('/sys/kernel/tracing');
    const wanted = ['syscalls/sys_enter_process_madvise', 'sched/sched_switch', 'sched/sched_stat_runtime', 'vmscan/mm_vmscan_reclaim_pages'];
    expect(missingTracepoints('/sys/kernel/tracing', wanted, HYBRID)).toEqual(['sched/sched_stat_runtime']);
  });
  it('reports no tracefs where it is not mounted', () => {
    expect(findTracefs(V2)).toBeNull();
  });
});

describe('probeTracefs: not mounted versus not readable', () => {
  /** Access as a non-root user sees it: tracefs's directory (mode 0700) denies every path below it. */
  const nonRoot = (root: string, absPath: string): PathAccess => (absPath.startsWith('/sys/kernel/tracing/') ? 'denied' : pathAccess(root, absPath));
  it('is ok where events/ is readable', () => {
    expect(probeTracefs(HYBRID)).toEqual({ state: 'ok', dir: '/sys/kernel/tracing' });
  });
  it('says unreadable when the mount table lists tracefs but access is denied', () => {
    expect(tracefsMountPoints(HYBRID)).toEqual(['/sys/kernel/tracing']);
    expect(probeTracefs(HYBRID, nonRoot)).toEqual({ state: 'unreadable', dir: '/sys/kernel/tracing' });
  });
  it('says missing when the mount table has no tracefs, denied or not', () => {
    expect(tracefsMountPoints(V2)).toEqual([]);
    expect(probeTracefs(V2)).toEqual({ state: 'missing' });
    expect(probeTracefs(V2, nonRoot)).toEqual({ state: 'missing' });
  });
  it('counts a denial as mounted when the mount table cannot be read', () => {
    expect(probeTracefs('/nonexistent-root', nonRoot)).toEqual({ state: 'unreadable', dir: '/sys/kernel/tracing' });
    expect(probeTracefs('/nonexistent-root')).toEqual({ state: 'missing' });
  });
});

describe('parseMountinfo', () => {
  it('reads mount point, type and super options, decoding escaped spaces, skipping malformed lines', () => {
    const text = ['37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime shared:9 - cgroup cgroup rw,freezer', '50 23 0:40 / /mnt/with\\040space rw - tracefs nodev rw', 'garbage'].join(
      '\n',
    );
    expect(parseMountinfo(text)).toEqual([
      { mountPoint: '/sys/fs/cgroup/freezer', fsType: 'cgroup', superOptions: ['rw', 'freezer'] },
      { mountPoint: '/mnt/with space', fsType: 'tracefs', superOptions: ['rw'] },
    ]);
  });
});
