/**
 * Host preparation on the real kernel: a zram swap device is created with the chosen
 * compressor, reported by the doctor, reused by a second setup, and removed again by
 * teardown, leaving /proc/swaps as it was. Swap devices this test did not create are never
 * touched. Each case uses its own state file, so the test run's own host preparation
 * (test/global-setup.ts) is independent of it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../../bench/host/doctor.ts';
import { readProcStat } from '../../../core/proc/stat.ts';
import { emptyState, saveState } from '../../../bench/host/state.ts';
import { setupHost, teardownHost } from '../../../bench/host/setup.ts';
import { readSwapDevices } from '../../../bench/host/swap.ts';
import { tracefsMounted } from '../../../core/proc/tracefs.ts';
import { zramDisksize } from '../../../bench/host/zram.ts';
import { canRun } from '../../helpers/prereq.ts';

const HOST_USER = new URL('./host-user.ts', import.meta.url).pathname;

/** A process using the prepared host (host-user.ts): its setup's outcome, and release()/kill(). */
async function startUser(
  statePath: string,
  label: string,
): Promise<{
  pid: number;
  setup: { lines: string[]; reused: string[]; device: string | null };
  release: () => Promise<{ undone: string[]; otherUsers: number[]; kept: boolean }>;
  kill: () => Promise<void>;
}> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOST_USER, statePath, label], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let buf = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (s: string) => {
    buf += s;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
      waiters.shift()?.();
    }
  });
  const next = async (): Promise<string> => {
    if (lines.length === 0) {
      await Promise.race([
        new Promise<void>((resolve) => waiters.push(resolve)),
        exited.then(() => {
          throw new Error(`${label} exited early`);
        }),
      ]);
    }
    return lines.shift()!;
  };
  const setup = JSON.parse(await next()) as { lines: string[]; reused: string[]; device: string | null };
  return {
    pid: child.pid!,
    setup,
    release: async () => {
      child.stdin.write('release\n');
      const r = JSON.parse(await next()) as { undone: string[]; otherUsers: number[]; kept: boolean };
      await exited;
      return r;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

const run = canRun('host setup/teardown', { root: true });
const dir = mkdtempSync(join(tmpdir(), 'hintbench-host-'));
const statePaths: string[] = [];
const log: string[] = [];
const logger = (line: string): void => {
  log.push(line);
};

/** Name and size of every active swap device, to compare before and after. */
const swapShape = (): string[] =>
  readSwapDevices()
    .map((d) => `${d.name} ${d.sizeBytes}`)
    .sort();

/** The zram device behind a state is gone: hot-removed, or reset to disksize 0. */
const zramGone = (index: number, hotAdded: boolean): boolean => (hotAdded ? !existsSync(`/sys/block/zram${index}`) : zramDisksize(index) === 0);

afterAll(async () => {
  // Undo whatever a failed assertion left behind, then drop the temp dir.
  for (const p of statePaths) await teardownHost({ statePath: p }).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!run)('setupHost / teardownHost on this machine', () => {
  it('creates zram swap only when there is none, and teardown restores /proc/swaps', async () => {
    const statePath = join(dir, 'plain.json');
    statePaths.push(statePath);
    const before = swapShape();
    const tracefsBefore = tracefsMounted();

    process.stderr.write(
      before.length === 0
        ? 'host setup test: no swap before, setup must create zram swap\n'
        : `host setup test: swap present before (${before.join(', ')}), setup must leave it alone\n`,
    );
    if (before.length === 0) {
      const doctorBefore = await runDoctor();
      expect(doctorBefore.checks.find((c) => c.id === 'swap')?.status).toBe('fail');
      expect(doctorBefore.canRun).toBe(false);
    }

    const changes = await setupHost({ log: logger, statePath, compressor: 'lz4', swapSizeBytes: 256 * 2 ** 20 });
    expect(tracefsMounted()).toBe(true);
    if (tracefsBefore) expect(changes.state.tracefsMount).toBeNull();

    if (before.length === 0) {
      const z = changes.state.zram;
      expect(z).not.toBeNull();
      expect(changes.lines.some((l) => l.includes(`created zram swap ${z!.device}`))).toBe(true);
      const dev = readSwapDevices().find((d) => d.name === z!.device);
      expect(dev?.zramCompressor).toBe('lz4');
      expect(dev?.priority).toBe(100);
      // mkswap keeps one page for its header.
      expect(Math.abs(dev!.sizeBytes - 256 * 2 ** 20)).toBeLessThanOrEqual(64 * 1024);
      const doctorAfter = await runDoctor();
      const swapCheck = doctorAfter.checks.find((c) => c.id === 'swap');
      expect(swapCheck?.status).toBe('ok');
      expect(swapCheck?.detail).toContain(`${z!.device}`);
      expect(swapCheck?.detail).toContain('zram lz4');

      // Idempotent: a second setup reuses the device.
      const again = await setupHost({ log: logger, statePath, compressor: 'lz4', swapSizeBytes: 256 * 2 ** 20 });
      expect(again.lines).toEqual([]);
      expect(again.reused.some((l) => l.includes(z!.device))).toBe(true);
      expect(swapShape()).toHaveLength(1);

      const undone = await teardownHost({ log: logger, statePath });
      expect(undone.some((l) => l.startsWith(`removed zram swap ${z!.device}`))).toBe(true);
      expect(zramGone(z!.index, z!.hotAdded)).toBe(true);
    } else {
      // Swap exists (maybe another's zram device): setup must not add or change any.
      expect(changes.state.zram).toBeNull();
      expect(changes.lines.filter((l) => /zram|swap/.test(l))).toEqual([]);
      expect(swapShape()).toEqual(before);
      const undone = await teardownHost({ log: logger, statePath });
      expect(undone.filter((l) => /zram|swap/.test(l))).toEqual([]);
    }
    expect(swapShape()).toEqual(before);
    expect(existsSync(statePath)).toBe(false);
    // A second teardown has nothing left to do.
    expect(await teardownHost({ statePath })).toEqual([]);
  });

  it('with forceZram adds its own device beside existing swap and removes only that one', async () => {
    const statePath = join(dir, 'force.json');
    statePaths.push(statePath);
    const before = swapShape();
    const beforeNames = new Set(readSwapDevices().map((d) => d.name));

    const changes = await setupHost({ log: logger, statePath, forceZram: true, compressor: 'lzo', swapSizeBytes: 128 * 2 ** 20 });
    const z = changes.state.zram;
    expect(z).not.toBeNull();
    expect(beforeNames.has(z!.device)).toBe(false);
    const after = readSwapDevices();
    expect(after.find((d) => d.name === z!.device)?.zramCompressor).toBe('lzo');
    for (const name of beforeNames)
      expect(
        after.some((d) => d.name === name),
        name,
      ).toBe(true);
    if (beforeNames.size > 0) expect(z!.hotAdded).toBe(true);

    await teardownHost({ log: logger, statePath });
    expect(swapShape()).toEqual(before);
    expect(zramGone(z!.index, z!.hotAdded)).toBe(true);
  });

  it('serialises concurrent setups on one state file: one device, reused by the other', async () => {
    const statePath = join(dir, 'concurrent.json');
    statePaths.push(statePath);
    const before = swapShape();
    const opts = { log: logger, statePath, forceZram: true, compressor: 'lz4', swapSizeBytes: 64 * 2 ** 20 };
    const [a, b] = await Promise.all([setupHost(opts), setupHost(opts)]);
    expect([a.lines.length > 0, b.lines.length > 0].sort()).toEqual([false, true]);
    const made = a.lines.length > 0 ? a : b;
    const other = made === a ? b : a;
    expect(other.reused.some((l) => l.includes(made.state.zram!.device))).toBe(true);
    expect(swapShape()).toHaveLength(before.length + 1);
    await teardownHost({ statePath });
    expect(swapShape()).toEqual(before);
  });

  it('one run ending leaves the zram device to another live run; explicit teardown names the user and refuses; the last run removes it', async () => {
    const statePath = join(dir, 'shared.json');
    statePaths.push(statePath);
    const before = swapShape();
    const a = await startUser(statePath, 'run A');
    const b = await startUser(statePath, 'run B');
    expect(a.setup.lines.some((l) => l.startsWith('created zram swap'))).toBe(true);
    expect(b.setup.lines).toEqual([]);
    const device = a.setup.device!;
    expect(b.setup.reused.some((l) => l.includes(device))).toBe(true);

    const ra = await a.release();
    expect(ra).toEqual({ undone: [], otherUsers: [b.pid], kept: false });
    expect(
      readSwapDevices().some((d) => d.name === device),
      `${device} still swapped on for run B`,
    ).toBe(true);

    const err = await teardownHost({ statePath }).catch((e: unknown) => e);
    expect(String(err)).toContain(`in use by pid ${b.pid} (run B, since `);
    expect(readSwapDevices().some((d) => d.name === device)).toBe(true);

    const rb = await b.release();
    expect(rb.undone.some((l) => l.startsWith(`removed zram swap ${device}`))).toBe(true);
    expect(swapShape()).toEqual(before);
    expect(existsSync(statePath)).toBe(false);
  });

  it('a run killed without releasing is dropped as a user: the next run to end removes the device', async () => {
    const statePath = join(dir, 'killed.json');
    statePaths.push(statePath);
    const before = swapShape();
    const c = await startUser(statePath, 'run C');
    const device = c.setup.device!;
    await c.kill();
    const d = await startUser(statePath, 'run D');
    expect(d.setup.reused.some((l) => l.includes(device))).toBe(true);
    const rd = await d.release();
    expect(rd.otherUsers).toEqual([]);
    expect(rd.undone.some((l) => l.startsWith(`removed zram swap ${device}`))).toBe(true);
    expect(swapShape()).toEqual(before);
  });

  it('CLI: `hintbench teardown` refuses with one Error/Fix line naming the live user, and --force proceeds', async () => {
    const statePath = join(dir, 'cli-refuse.json');
    statePaths.push(statePath);
    const CLI = new URL('../../../bench/hintbench.js', import.meta.url).pathname;
    const env = { ...process.env, HINTBENCH_HOST_STATE: statePath };
    const user = spawn('sleep', ['1000'], { stdio: 'ignore' });
    const userExited = new Promise((resolve) => user.once('exit', resolve));
    try {
      let stat = readProcStat(user.pid!);
      while (stat === null) stat = readProcStat(user.pid!);
      // Only the bpftrace package is recorded: undoing it changes nothing on the host (it is kept).
      saveState(statePath, {
        ...emptyState(),
        bpftraceInstalled: true,
        keep: true,
        users: [{ pid: user.pid!, startTicks: stat.startTicks, label: 'hintbench run', since: '2026-11-28T10:00:00.000Z' }],
      });
      const refused = spawnSync(process.execPath, [CLI, 'teardown'], { encoding: 'utf8', env, timeout: 60_000 });
      expect(refused.status).toBe(1);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stderr).toMatch(
        new RegExp(`^Error: the host preparation recorded in ${statePath} is in use by pid ${user.pid} \\(hintbench run, since 2026-11-28T10:00:00.000Z\\)\\. Fix: .*--force`),
      );
      expect(existsSync(statePath)).toBe(true);
      const forced = spawnSync(process.execPath, [CLI, 'teardown', '--force'], { encoding: 'utf8', env, timeout: 60_000 });
      expect(forced.status, forced.stderr).toBe(0);
      expect(forced.stdout).toContain(`--force: undoing the host preparation although pid ${user.pid}`);
      expect(existsSync(statePath)).toBe(false);
    } finally {
      user.kill('SIGKILL');
      await userExited;
    }
  });

  it('rejects a compressor the kernel does not offer, leaving nothing behind', async () => {
    const statePath = join(dir, 'badalg.json');
    statePaths.push(statePath);
    const before = swapShape();
    const zramBefore = readdirSync('/sys/block')
      .filter((d) => d.startsWith('zram'))
      .sort();
    await expect(setupHost({ log: logger, statePath, forceZram: true, compressor: 'no-such-alg', swapSizeBytes: 64 * 2 ** 20 })).rejects.toThrow(/no-such-alg.*not offered/);
    expect(swapShape()).toEqual(before);
    expect(
      readdirSync('/sys/block')
        .filter((d) => d.startsWith('zram'))
        .sort(),
    ).toEqual(zramBefore);
    expect(existsSync(statePath)).toBe(false);
    await teardownHost({ statePath });
  });
});
