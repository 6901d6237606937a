/** The freezer placement of a process and the walk that finds which cgroups hold it frozen, on a directory tree built for the test. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freezingCgroups, refreezeCgroups, thawCgroups } from '../../../../core/cgroup/freezer.ts';
import { parseCgroupPlacement } from '../../../../core/cgroup/placement.ts';

describe('freezer placement from /proc/PID/cgroup', () => {
  const mounts = { v1Freezer: '/sys/fs/cgroup/freezer', v2: '/sys/fs/cgroup/unified' };
  it('finds the v1 freezer and the cgroup2 directories on a hybrid host', () => {
    const p = parseCgroupPlacement('6:freezer:/hintbench-test-1\n4:memory:/x\n0::/a/b\n', mounts);
    expect(p.v1Freezer).toBe('/sys/fs/cgroup/freezer/hintbench-test-1');
    expect(p.v2).toBe('/sys/fs/cgroup/unified/a/b');
  });
  it('maps the root cgroup to the mount point itself', () => {
    const p = parseCgroupPlacement('6:freezer:/\n0::/\n', mounts);
    expect(p.v1Freezer).toBe('/sys/fs/cgroup/freezer');
    expect(p.v2).toBe('/sys/fs/cgroup/unified');
  });
  it('handles a pure cgroup v2 host (no v1 freezer)', () => {
    const p = parseCgroupPlacement('0::/system.slice/x.service\n', { v1Freezer: null, v2: '/sys/fs/cgroup' });
    expect(p.v1Freezer).toBeNull();
    expect(p.v2).toBe('/sys/fs/cgroup/system.slice/x.service');
  });
});

describe('freezingCgroups, thawCgroups, refreezeCgroups', () => {
  let root: string;
  const file = (rel: string, text: string): void => {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  const read = (rel: string): string => readFileSync(join(root, rel), 'utf8');
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'hintbench-freezer-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('lists the cgroups whose own freezing holds the process, deepest first, and thaws them outermost first', () => {
    // v1: the process's cgroup a/b reports FROZEN because its parent a was frozen.
    file('v1/a/b/freezer.state', 'FROZEN\n');
    file('v1/a/b/freezer.self_freezing', '0\n');
    file('v1/a/freezer.state', 'FROZEN\n');
    file('v1/a/freezer.self_freezing', '1\n');
    // v2: x and x/y are both asked to freeze, z (the process's own cgroup) is not.
    file('v2/x/cgroup.freeze', '1\n');
    file('v2/x/y/cgroup.freeze', '1\n');
    file('v2/x/y/z/cgroup.freeze', '0\n');
    const mounts = { v1Freezer: join(root, 'v1'), v2: join(root, 'v2') };
    const placement = { v1Freezer: join(root, 'v1/a/b'), v2: join(root, 'v2/x/y/z') };
    const frozen = freezingCgroups(placement, mounts);
    expect(frozen).toEqual([
      { version: 'v1', dir: join(root, 'v1/a') },
      { version: 'v2', dir: join(root, 'v2/x/y') },
      { version: 'v2', dir: join(root, 'v2/x') },
    ]);
    thawCgroups(frozen);
    expect([read('v1/a/freezer.state'), read('v2/x/y/cgroup.freeze'), read('v2/x/cgroup.freeze')]).toEqual(['THAWED', '0', '0']);
    refreezeCgroups(frozen);
    expect([read('v1/a/freezer.state'), read('v2/x/y/cgroup.freeze'), read('v2/x/cgroup.freeze')]).toEqual(['FROZEN', '1', '1']);
  });

  it('is empty for a thawed process and ignores the v1 ancestors when its own state is THAWED', () => {
    file('v1/a/b/freezer.state', 'THAWED\n');
    file('v1/a/freezer.self_freezing', '1\n');
    file('v2/x/cgroup.freeze', '0\n');
    const frozen = freezingCgroups({ v1Freezer: join(root, 'v1/a/b'), v2: join(root, 'v2/x') }, { v1Freezer: join(root, 'v1'), v2: join(root, 'v2') });
    expect(frozen).toEqual([]);
  });
});
