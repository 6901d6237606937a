import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HintbenchError } from '../../../../core/errors.ts';
import { isPrivateAnon, parseMaps, readMaps } from '../../../../core/proc/maps.ts';
import { parseSchedstat, threadIds } from '../../../../core/proc/tasks.ts';
import { PF_EXITING, PF_KTHREAD, parseStat, parseStatFaults, processExists, readProcStat, readStatFaults, taskFinished } from '../../../../core/proc/stat.ts';
import { parseStatus, readStatus } from '../../../../core/proc/status.ts';
import { parseVmstat } from '../../../../core/proc/vmstat.ts';

const fixture = (name: string): string => readFileSync(new URL(`../../../fixtures/proc/${name}`, import.meta.url), 'utf8');

describe('parseStatFaults', () => {
  it('finds the fields after a comm that contains ") ("', () => {
    const text = fixture('stat-paren-comm.txt');
    expect(text).toContain('(x) (y z))');
    expect(parseStatFaults(text)).toEqual({ minflt: 133, majflt: 0 });
  });
  it('reads fields 10 and 12 by position', () => {
    const line = '42 (a b) S 1 2 3 4 5 6 700 8 900 10 11 12';
    expect(parseStatFaults(line)).toEqual({ minflt: 700, majflt: 900 });
  });
  it('rejects text without a comm field', () => {
    expect(() => parseStatFaults('garbage')).toThrow(HintbenchError);
  });
});

describe('parseStat', () => {
  it('reads state, flags, ppid and start time even when comm has spaces and parentheses', () => {
    const stat = parseStat('123 (a) b (c)) S 2 0 0 0 -1 2129984 7 0 9 0 0 0 0 0 20 0 1 0 5 0 0');
    expect(stat).toEqual({ comm: 'a) b (c)', state: 'S', ppid: 2, flags: 2129984, minflt: 7, majflt: 9, startTicks: 5 });
    expect(stat.flags & PF_KTHREAD).not.toBe(0);
    expect(taskFinished(stat)).toBe(false);
    expect(taskFinished({ ...stat, state: 'Z' })).toBe(true);
    expect(taskFinished({ ...stat, flags: PF_EXITING })).toBe(true);
    expect(taskFinished(null)).toBe(true);
  });

  it('reads this process and its main thread, and null for a pid that does not exist', () => {
    expect(readProcStat(process.pid)?.state).toMatch(/^[RS]$/);
    expect(readProcStat(process.pid, { tid: process.pid })?.ppid).toBe(process.ppid);
    expect(readProcStat(2 ** 22 + 1)).toBeNull();
  });
});

describe('parseStatus', () => {
  it('converts kB fields to bytes', () => {
    const s = parseStatus(fixture('status-sleep.txt'));
    expect(s).toEqual({
      rssBytes: 1788 * 1024,
      rssPeakBytes: 1788 * 1024,
      swapBytes: 0,
      rssAnonBytes: 108 * 1024,
      rssFileBytes: 1680 * 1024,
      threads: 1,
      state: 'S',
      tracerPid: 0,
    });
  });
  it('reads a kernel thread without Vm lines as zero memory', () => {
    const s = parseStatus(fixture('status-kthread.txt'));
    expect(s.rssBytes).toBe(0);
    expect(s.swapBytes).toBe(0);
    expect(s.threads).toBeGreaterThanOrEqual(1);
  });
  it('names the missing field', () => {
    expect(() => parseStatus('Name:\tx\n')).toThrow(/State/);
  });
});

describe('parseMaps', () => {
  const cat = parseMaps(fixture('maps-cat.txt'));
  it('parses every line with exact addresses', () => {
    expect(cat).toHaveLength(fixture('maps-cat.txt').trim().split('\n').length);
    expect(cat[0]).toEqual({ startAddr: 0x55c9c58b5000, endAddr: 0x55c9c58b7000, perms: 'r--p', offset: 0, dev: 'fe:00', inode: 260131, path: '/usr/bin/cat' });
    expect(cat.find((e) => e.path === '[heap]')).toMatchObject({ startAddr: 0x55c9f8cbb000, endAddr: 0x55c9f8cdc000 });
  });
  it('keeps paths with spaces', () => {
    const special = parseMaps(fixture('maps-special.txt'));
    expect(special.map((e) => e.path)).toContain('/tmp/a file with spaces.bin');
    expect(special[0]!.path).toBe('[anon:hbw region]');
  });
  it('selects private anonymous memory: heap and unnamed, not stack, vdso, vvar, files, shared', () => {
    const anon = cat.filter((e) => isPrivateAnon(e));
    expect(anon.map((e) => e.path)).toEqual(['[heap]', '', '', '', '']);
    expect(anon.every((e) => e.perms === 'rw-p' && e.inode === 0)).toBe(true);
    expect(cat.filter((e) => isPrivateAnon(e, { includeStack: true })).map((e) => e.path)).toContain('[stack]');
  });
  it('skips PROT_NONE guards and shared memfds, keeps named anonymous VMAs', () => {
    const picked = parseMaps(fixture('maps-special.txt')).filter((e) => isPrivateAnon(e));
    expect(picked.map((e) => e.startAddr)).toEqual([0x7f0000000000, 0x7f0000101000]);
  });
  it('rejects a malformed line', () => {
    expect(() => parseMaps('not a maps line')).toThrow(/cannot parse/);
  });
});

describe('parseVmstat and parseSchedstat', () => {
  it('reads counters', () => {
    const v = parseVmstat(fixture('vmstat.txt'));
    expect(v.pgmajfault).toBe(1057);
    expect(v.pswpout).toBe(0);
    expect(Object.keys(v).length).toBe(fixture('vmstat.txt').trim().split('\n').length);
  });
  it('reads schedstat', () => {
    expect(parseSchedstat(fixture('schedstat.txt'))).toEqual({ runNs: 49453969, waitNs: 7821451, timeslices: 106 });
    expect(() => parseSchedstat('1 2')).toThrow(HintbenchError);
  });
});

describe('readers on the live /proc', () => {
  it('read this process', () => {
    const s = readStatus(process.pid);
    expect(s.rssBytes).toBeGreaterThan(0);
    expect(s.threads).toBe(threadIds(process.pid).length);
    expect(readStatFaults(process.pid).minflt).toBeGreaterThan(0);
    expect(readMaps(process.pid).some((e) => e.path === '[stack]')).toBe(true);
    expect(processExists(process.pid)).toBe(true);
  });
  it('name a missing pid', () => {
    const missing = 2 ** 22 + 12345; // above pid_max's ceiling
    expect(processExists(missing)).toBe(false);
    expect(() => readStatus(missing)).toThrow(new RegExp(`process ${missing} does not exist`));
    expect(() => readStatFaults(missing)).toThrow(HintbenchError);
  });
});
