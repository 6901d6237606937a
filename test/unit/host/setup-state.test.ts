import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HintbenchError } from '../../../core/errors.ts';
import { readProcStat, selfIdentity } from '../../../core/proc/stat.ts';
import { DEFAULT_SWAP_MAX_BYTES, defaultSwapSizeBytes, releaseHost, teardownHost } from '../../../bench/host/setup.ts';
import { type HostUser, emptyState, isEmptyState, loadState, saveState, withStateLock } from '../../../bench/host/state.ts';
import { setTimeout as sleep } from 'node:timers/promises';

const dir = mkdtempSync(join(tmpdir(), 'hintbench-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('defaultSwapSizeBytes', () => {
  it('is min(4 GiB, half of RAM)', () => {
    expect(defaultSwapSizeBytes(24 * 1024 ** 3)).toBe(DEFAULT_SWAP_MAX_BYTES);
    expect(defaultSwapSizeBytes(4 * 1024 ** 3)).toBe(2 * 1024 ** 3);
    expect(defaultSwapSizeBytes(null)).toBe(DEFAULT_SWAP_MAX_BYTES);
    expect(defaultSwapSizeBytes(1000 * 2 ** 20 + 12345) % 2 ** 20).toBe(0);
  });
});

describe('state file', () => {
  it('round-trips a state and removes the file when the state is empty', () => {
    const path = join(dir, 'sub', 'host-state.json');
    const s = emptyState();
    s.tracefsMount = '/sys/kernel/tracing';
    s.zram = { device: '/dev/zram1', index: 1, hotAdded: true, sizeBytes: 2 ** 30, compressor: 'lz4' };
    saveState(path, s);
    expect(loadState(path)).toEqual(s);
    expect(isEmptyState(s)).toBe(false);
    saveState(path, emptyState());
    expect(existsSync(path)).toBe(false);
    expect(loadState(path)).toBeNull();
  });
  it('migrates a version 1 file: kept until teardown, no users', () => {
    const path = join(dir, 'v1.json');
    const v1 = {
      version: 1,
      createdAt: '2026-11-28T09:52:22.708Z',
      zram: { device: '/dev/zram0', index: 0, hotAdded: false, sizeBytes: 4294967296, compressor: 'lzo-rle' },
      zramModuleLoaded: false,
      tracefsMount: '/sys/kernel/tracing',
      bpftraceInstalled: false,
    };
    writeFileSync(path, JSON.stringify(v1));
    const s = loadState(path);
    expect(s).toEqual({ ...v1, version: 2, keep: true, users: [] });
    saveState(path, s!);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ version: 2, keep: true, users: [], zram: v1.zram });
  });
  it('refuses a newer format, saying which version it reads', () => {
    const path = join(dir, 'v3.json');
    writeFileSync(path, '{"version": 3, "users": []}');
    expect(() => loadState(path)).toThrow(/format version 3, newer than this hintbench reads \(2\)/);
  });
  it('refuses a file that is not a state file, naming it', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{"version": 7}');
    expect(() => loadState(path)).toThrow(HintbenchError);
    expect(() => loadState(path)).toThrow(path);
  });
  it('teardown with no state does nothing', async () => {
    const lines: string[] = [];
    expect(await teardownHost({ cgroups: false, statePath: join(dir, 'none.json'), log: (l) => lines.push(l) })).toEqual([]);
    expect(lines).toEqual([]);
  });
  it('teardown keeps a package setup installed unless asked, and clears the record', async () => {
    const path = join(dir, 'pkg.json');
    saveState(path, { ...emptyState(), bpftraceInstalled: true });
    const lines = await teardownHost({ cgroups: false, statePath: path });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('kept the bpftrace package');
    expect(existsSync(path)).toBe(false);
    expect(() => readFileSync(path)).toThrow();
  });
});

describe('withStateLock', () => {
  it('runs holders one after the other', async () => {
    const path = join(dir, 'locked.json');
    const events: string[] = [];
    const holder = (name: string) =>
      withStateLock(path, async () => {
        events.push(`${name} in`);
        await sleep(50);
        events.push(`${name} out`);
        return name;
      });
    expect(await Promise.all([holder('a'), holder('b')])).toEqual(['a', 'b']);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out']);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });
  it('takes over the lock of a dead process and times out on a live one', async () => {
    const path = join(dir, 'stale.json');
    writeFileSync(`${path}.lock`, '2147483646\n'); // above pid_max: no such process
    expect(await withStateLock(path, async () => 'taken')).toBe('taken');
    writeFileSync(`${path}.lock`, `${process.pid}\n`);
    await expect(withStateLock(path, async () => 'never', 300)).rejects.toThrow(`locked by pid ${process.pid}`);
    rmSync(`${path}.lock`);
  });
  it('removes the temp files of writers that died before renaming, and no other', async () => {
    const path = join(dir, 'temps.json');
    writeFileSync(`${path}.2147483646.tmp`, '{}'); // above pid_max: dead
    writeFileSync(`${path}.${process.pid}.tmp`, '{}'); // alive
    writeFileSync(join(dir, 'other.json.2147483646.tmp'), '{}'); // another state file's
    await withStateLock(path, async () => undefined);
    expect(existsSync(`${path}.2147483646.tmp`)).toBe(false);
    expect(existsSync(`${path}.${process.pid}.tmp`)).toBe(true);
    expect(existsSync(join(dir, 'other.json.2147483646.tmp'))).toBe(true);
  });
  it('records its start time, and takes over a lock whose pid was reused by a later process', async () => {
    const path = join(dir, 'reused.json');
    const me = selfIdentity();
    expect(await withStateLock(path, async () => readFileSync(`${path}.lock`, 'utf8'))).toBe(`${me.pid} ${me.startTicks}\n`);
    writeFileSync(`${path}.lock`, `${me.pid} ${me.startTicks - 1}\n`); // this pid, but an earlier process
    expect(await withStateLock(path, async () => 'taken')).toBe('taken');
    writeFileSync(`${path}.lock`, `${me.pid} ${me.startTicks}\n`);
    await expect(withStateLock(path, async () => 'never', 300)).rejects.toThrow(`locked by pid ${me.pid}`);
    rmSync(`${path}.lock`);
  });
});

/** A process that stays alive until killed, and its registration as a host user. */
async function liveUser(label: string): Promise<{ user: HostUser; kill: () => Promise<void> }> {
  const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
  const pid = child.pid!;
  let stat = readProcStat(pid);
  while (stat === null) {
    await sleep(5);
    stat = readProcStat(pid);
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    user: { pid, startTicks: stat.startTicks, label, since: new Date().toISOString() },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

describe('shared host preparation (users)', () => {
  const me = (): HostUser => ({ ...selfIdentity(), label: 'this test', since: new Date().toISOString() });
  /** A state whose only change is harmless to undo (teardown keeps the package and says so). */
  const stateWith = (users: HostUser[], keep = false) => ({ ...emptyState(), bpftraceInstalled: true, users, keep });

  it('release by one run leaves the preparation to another live user, naming it; the last one undoes it', async () => {
    const path = join(dir, 'shared.json');
    const other = await liveUser('hintbench run');
    try {
      saveState(path, stateWith([me(), other.user]));
      const lines: string[] = [];
      const r = await releaseHost({ statePath: path, log: (l) => lines.push(l) });
      expect(r.undone).toEqual([]);
      expect(r.otherUsers.map((u) => u.pid)).toEqual([other.user.pid]);
      expect(lines.join('\n')).toContain(`still used by pid ${other.user.pid} (hintbench run`);
      expect(loadState(path)?.users.map((u) => u.pid)).toEqual([other.user.pid]); // mine removed
    } finally {
      await other.kill();
    }
    // The other user died without releasing: it is stale, and this release is the last one.
    saveState(path, { ...loadState(path)!, users: [...loadState(path)!.users, me()] });
    const r = await releaseHost({ statePath: path });
    expect(r.undone).toEqual(['kept the bpftrace package setup installed (remove it with `apt-get remove bpftrace`)']);
    expect(existsSync(path)).toBe(false);
  });

  it('a recycled pid (same pid, other start time) is not a live user', async () => {
    const path = join(dir, 'recycled.json');
    const ghost: HostUser = { ...me(), startTicks: selfIdentity().startTicks + 1, label: 'an earlier process with this pid' };
    saveState(path, stateWith([ghost]));
    expect((await releaseHost({ statePath: path })).undone).toHaveLength(1);
    expect(existsSync(path)).toBe(false);
  });

  it('a kept preparation stays after the last release, and --keep-host keeps it', async () => {
    const path = join(dir, 'kept.json');
    saveState(path, stateWith([me()], true));
    expect(await releaseHost({ statePath: path })).toEqual({ undone: [], otherUsers: [], kept: true });
    expect(loadState(path)).toMatchObject({ keep: true, users: [] });
    saveState(path, stateWith([me()], false));
    expect((await releaseHost({ statePath: path, keep: true })).kept).toBe(true);
    expect(loadState(path)?.keep).toBe(true);
    expect(await teardownHost({ cgroups: false, statePath: path })).toHaveLength(1);
    expect(existsSync(path)).toBe(false);
  });

  it('explicit teardown refuses while another live process uses the preparation, unless forced', async () => {
    const path = join(dir, 'refuse.json');
    const other = await liveUser('hintbench test run');
    try {
      saveState(path, stateWith([other.user, me()], true));
      const err = await teardownHost({ cgroups: false, statePath: path }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HintbenchError);
      expect((err as HintbenchError).message).toContain(`in use by pid ${other.user.pid} (hintbench test run, since `);
      expect((err as HintbenchError).fix).toContain('--force');
      expect(loadState(path)?.bpftraceInstalled).toBe(true); // nothing undone
      const lines: string[] = [];
      expect(await teardownHost({ cgroups: false, statePath: path, force: true, log: (l) => lines.push(l) })).toHaveLength(1);
      expect(lines[0]).toContain(`--force: undoing the host preparation although pid ${other.user.pid}`);
      expect(existsSync(path)).toBe(false);
    } finally {
      await other.kill();
    }
  });

  it('explicit teardown drops users that died and proceeds', async () => {
    const path = join(dir, 'dead-users.json');
    saveState(path, stateWith([{ pid: 2147483646, startTicks: 1, label: 'hintbench run', since: '2026-11-28T00:00:00.000Z' }], true));
    expect(await teardownHost({ cgroups: false, statePath: path })).toHaveLength(1);
    expect(existsSync(path)).toBe(false);
  });
});
