import { describe, expect, it } from 'vitest';
import { parseFreezerPlacement } from '../../../core/sys/ptrace-freezer.ts';

describe('freezer placement from /proc/PID/cgroup', () => {
  const mounts = { v1Freezer: '/sys/fs/cgroup/freezer', v2: '/sys/fs/cgroup/unified' };
  it('finds the v1 freezer and the cgroup2 directories on a hybrid host', () => {
    const p = parseFreezerPlacement('6:freezer:/hintbench-test-1\n4:memory:/x\n0::/a/b\n', mounts);
    expect(p.v1Dir).toBe('/sys/fs/cgroup/freezer/hintbench-test-1');
    expect(p.v2Dir).toBe('/sys/fs/cgroup/unified/a/b');
  });
  it('maps the root cgroup to the mount point itself', () => {
    const p = parseFreezerPlacement('6:freezer:/\n0::/\n', mounts);
    expect(p.v1Dir).toBe('/sys/fs/cgroup/freezer');
    expect(p.v2Dir).toBe('/sys/fs/cgroup/unified');
  });
  it('handles a pure cgroup v2 host (no v1 freezer)', () => {
    const p = parseFreezerPlacement('0::/system.slice/x.service\n', { v1Freezer: null, v2: '/sys/fs/cgroup' });
    expect(p.v1Dir).toBeNull();
    expect(p.v2Dir).toBe('/sys/fs/cgroup/system.slice/x.service');
  });
});
