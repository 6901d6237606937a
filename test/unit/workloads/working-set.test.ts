import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { latencyQuantiles, parseWorkingSetOptions, workingSetArgs } from '../../../workloads/working-set-options.ts';
import { fileDirProblem, hugePageBytes } from '../../../workloads/kinds.ts';
import { parseSmaps, smapsFieldIn } from '../../../core/proc/smaps.ts';
import { parseCommand, parseReply } from '../../../workloads/protocol.ts';

describe('working-set workload options', () => {
  const spec = { hot: { kind: 'thp', content: 'zero', sizeMiB: 8 }, cold: { kind: 'memfd', content: 'mixed', sizeMiB: 24 } } as const;

  it('round-trips a spec through its command line', () => {
    const args = workingSetArgs(spec, '/var/tmp');
    expect(args).toContain('--file-dir');
    expect(parseWorkingSetOptions(args)).toEqual({ spec, fileDir: '/var/tmp' });
  });

  it('names the flag of a bad value', () => {
    expect(() => parseWorkingSetOptions(['--hot-mib', '8', '--cold-mib', '0'])).toThrow('--cold-mib must be a positive number, got 0');
    expect(() => parseWorkingSetOptions(['--hot-mib', '8', '--cold-mib', '8', '--hot-kind', 'huge'])).toThrow(/^--hot-kind must be one of anon, file_private/);
    expect(() => parseWorkingSetOptions(['--hot-mib', '8', '--cold-mib', '8', '--cold-content', 'pink'])).toThrow('--cold-content must be one of zero, random, mixed, got pink');
  });

  it('gives type-7 quantiles of access times, and zeros for none', () => {
    const xs = Float64Array.from([500, 100, 300, 200, 400]);
    expect(latencyQuantiles(xs)).toEqual({ p50Ns: 300, p99Ns: 496, maxNs: 500 });
    expect(latencyQuantiles(new Float64Array(0))).toEqual({ p50Ns: 0, p99Ns: 0, maxNs: 0 });
  });
});

describe('working-set protocol messages', () => {
  it('accepts measure, touch and residency and bounds a measurement', () => {
    expect(parseCommand('{"type":"measure","id":1,"batches":10,"batchPages":64,"intervalUs":1000}').type).toBe('measure');
    expect(parseCommand('{"type":"touch","id":2,"set":"cold"}')).toEqual({ type: 'touch', id: 2, set: 'cold' });
    expect(() => parseCommand('{"type":"touch","id":2,"set":"warm"}')).toThrow(/field set must be one of hot, cold, all/);
    expect(() => parseCommand('{"type":"measure","id":1,"batches":0,"batchPages":64,"intervalUs":1000}')).toThrow(/batches/);
  });

  it('accepts advise (the workload hints itself) and checks its reply', () => {
    expect(parseCommand('{"type":"advise","id":4,"advice":"pageout","set":"cold","via":"process_madvise"}')).toEqual({
      type: 'advise',
      id: 4,
      advice: 'pageout',
      set: 'cold',
      via: 'process_madvise',
    });
    expect(() => parseCommand('{"type":"advise","id":4,"advice":"willneed","set":"cold","via":"madvise"}')).toThrow(/field advice must be one of cold, pageout/);
    expect(() => parseCommand('{"type":"advise","id":4,"advice":"cold","set":"hot","via":"madvise"}')).toThrow(/field set must be one of cold, all/);
    expect(parseReply('{"type":"advised","id":4,"bytesAdvised":4096,"syscalls":1,"elapsedNs":10,"error":null}').type).toBe('advised');
    expect(() => parseReply('{"type":"advised","id":4,"bytesAdvised":-1,"syscalls":1,"elapsedNs":10,"error":null}')).toThrow(/bytesAdvised/);
  });

  it('checks the replies', () => {
    const r = parseReply('{"type":"residency","id":3,"sets":[{"role":"hot","pages":4,"residentPages":4}]}');
    expect(r.type).toBe('residency');
    expect(() => parseReply('{"type":"touched","id":3,"sets":[],"elapsedNs":-1,"majorFaults":0,"minorFaults":0}')).toThrow(/elapsedNs/);
  });
});

describe('memory kinds', () => {
  it('refuses tmpfs as the directory of file kinds and a directory that is not there', () => {
    expect(fileDirProblem('/dev/shm')).toMatch(/tmpfs/);
    expect(fileDirProblem('/no/such/dir')).toMatch(/cannot be used/);
  });

  it('knows the huge page size', () => {
    expect(hugePageBytes() % 4096).toBe(0);
    expect(hugePageBytes()).toBeGreaterThan(4096);
  });

  it('reads smaps fields of the mappings overlapping a range', () => {
    const text = [
      '7f0000000000-7f0000400000 rw-p 00000000 00:00 0',
      'Rss:                4096 kB',
      'AnonHugePages:      4096 kB',
      '7f0000400000-7f0000401000 ---p 00000000 00:00 0',
      'Rss:                   0 kB',
      '7f0000401000-7f0000402000 rw-s 00000000 00:01 77   /memfd:hbw-memfd (deleted)',
      'Rss:                   4 kB',
      'VmFlags: rd wr sh mr mw me ms sd',
    ].join('\n');
    const e = parseSmaps(text);
    expect(e).toHaveLength(3);
    expect(smapsFieldIn(e, 'AnonHugePages', 0x7f0000000000, 0x400000)).toBe(4 * 1024 * 1024);
    expect(smapsFieldIn(e, 'Rss', 0x7f0000401000, 0x1000)).toBe(4096);
  });
});

describe('working-set workload process', () => {
  it('exits with status 2 naming the flag on bad arguments', () => {
    const program = fileURLToPath(new URL('../../../workloads/working-set.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', program, '--hot-mib', '1', '--cold-mib', '1', '--cold-kind', 'nope'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/^working-set workload: --cold-kind must be one of/);
  });
});
