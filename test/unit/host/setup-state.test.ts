import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HintbenchError } from '../../../bench/errors.ts';
import { DEFAULT_SWAP_MAX_BYTES, defaultSwapSizeBytes, teardownHost } from '../../../bench/host/setup.ts';
import { emptyState, isEmptyState, loadState, saveState, withStateLock } from '../../../bench/host/state.ts';
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
  it('refuses a file that is not a state file, naming it', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{"version": 7}');
    expect(() => loadState(path)).toThrow(HintbenchError);
    expect(() => loadState(path)).toThrow(path);
  });
  it('teardown with no state does nothing', async () => {
    const lines: string[] = [];
    expect(await teardownHost({ statePath: join(dir, 'none.json'), log: (l) => lines.push(l) })).toEqual([]);
    expect(lines).toEqual([]);
  });
  it('teardown keeps a package setup installed unless asked, and clears the record', async () => {
    const path = join(dir, 'pkg.json');
    saveState(path, { ...emptyState(), bpftraceInstalled: true });
    const lines = await teardownHost({ statePath: path });
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
    const holder = (name: string) => withStateLock(path, async () => {
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
});
