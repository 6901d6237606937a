import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { closeFd, pidfdOpen } from '../../../../core/sys/pidfd.ts';
import { holdsPidfd } from '../../../../core/proc/tasks.ts';
import { parseMaps, parseMapsExact, readMapsExact } from '../../../../core/proc/maps.ts';
import { parseTaskIdentity, readTaskIdentity, readTaskStatus } from '../../../../core/proc/status.ts';

const fixture = (name: string): string => readFileSync(new URL(`../../../fixtures/proc/${name}`, import.meta.url), 'utf8');

describe('parseMapsExact', () => {
  it('keeps 64-bit addresses exact and agrees with parseMaps below 2^53', () => {
    const exact = parseMapsExact(fixture('maps-cat.txt'));
    const vsyscall = exact.find((e) => e.path === '[vsyscall]')!;
    expect(vsyscall.startAddr).toBe(0xffffffffff600000n);
    expect(vsyscall.endAddr).toBe(0xffffffffff601000n);
    const numbers = parseMaps(fixture('maps-cat.txt'));
    exact.slice(0, -1).forEach((e, i) => {
      expect(BigInt(numbers[i]!.startAddr)).toBe(e.startAddr);
      expect(BigInt(numbers[i]!.endAddr)).toBe(e.endAddr);
      expect(numbers[i]!.path).toBe(e.path);
    });
  });
  it('an address Numbers cannot hold survives: 0xfffffffffffff001 is not 0xfffffffffffff000', () => {
    const [e] = parseMapsExact('fffffffffffff000-fffffffffffff001 rw-p 00000000 00:00 0 \n');
    expect(e!.endAddr - e!.startAddr).toBe(1n);
  });
});

describe('task identity', () => {
  it('parses Tgid, Pid, PPid, State and Threads', () => {
    const id = parseTaskIdentity(fixture('status-sleep.txt'));
    expect(id.state).toBe('S');
    expect(id.tgid).toBe(id.tid);
    expect(id.threads).toBe(1);
    expect(() => parseTaskIdentity('Name:\tx\nState:\tS (sleeping)\n')).toThrow(/field Tgid is missing/);
  });
  it('a thread id that is not a main thread resolves to its process', () => {
    const tids = readdirSync('/proc/self/task').map(Number);
    const other = tids.find((t) => t !== process.pid);
    expect(other, 'Node runs helper threads').toBeDefined();
    const id = readTaskIdentity(other!);
    expect(id).toMatchObject({ tgid: process.pid, tid: other });
    // the thread's own view of the process's memory and status
    expect(readMapsExact(process.pid, other!).length).toBeGreaterThan(5);
    expect(readTaskStatus(process.pid, other!).rssBytes).toBeGreaterThan(0);
  });
});

describe('holdsPidfd', () => {
  it('sees a pidfd this process opens, and none in a process that is gone', () => {
    const fd = pidfdOpen(process.pid);
    try {
      expect(holdsPidfd(process.pid)).toBe(true);
    } finally {
      closeFd(fd);
    }
    expect(holdsPidfd(2 ** 22 + 1)).toBe(false);
  });
});
