import { describe, expect, it } from 'vitest';
import { formatBytes, parseCompAlgorithm, parseProcSwaps, readMemTotalBytes, readSwapDevices, readZswap, zramIndex } from '../../../bench/host/swap.ts';
import { HYBRID, V2 } from './fixtures.ts';

describe('parseProcSwaps', () => {
  it('reads devices with sizes in KiB converted to bytes and unescapes names', () => {
    const text = 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/dev/zram0 partition 4194300 1024 100\n/swap\\040file file 1048572 0 -2\n';
    expect(parseProcSwaps(text)).toEqual([
      { name: '/dev/zram0', type: 'partition', sizeBytes: 4194300 * 1024, usedBytes: 1024 * 1024, priority: 100, zramCompressor: null },
      { name: '/swap file', type: 'file', sizeBytes: 1048572 * 1024, usedBytes: 0, priority: -2, zramCompressor: null },
    ]);
  });
  it('gives no devices for the header alone or garbage lines', () => {
    expect(parseProcSwaps('Filename\tType\tSize\tUsed\tPriority\n')).toEqual([]);
    expect(parseProcSwaps('/dev/sda2 partition big 0 -2\nshort line\n')).toEqual([]);
  });
});

describe('parseCompAlgorithm', () => {
  it('takes the bracketed compressor and lists all', () => {
    expect(parseCompAlgorithm('lzo [lzo-rle] lz4')).toEqual({ selected: 'lzo-rle', available: ['lzo', 'lzo-rle', 'lz4'] });
    expect(parseCompAlgorithm('[lz4] zstd \n')).toEqual({ selected: 'lz4', available: ['lz4', 'zstd'] });
  });
  it('gives null when none is bracketed', () => {
    expect(parseCompAlgorithm('lzo lz4').selected).toBeNull();
  });
});

describe('zramIndex', () => {
  it('recognises zram devices only', () => {
    expect(zramIndex('/dev/zram0')).toBe(0);
    expect(zramIndex('/dev/zram12')).toBe(12);
    expect(zramIndex('/dev/sda2')).toBeNull();
    expect(zramIndex('/dev/zram0p1')).toBeNull();
  });
});

describe('readers on fixture trees', () => {
  it('gives zram devices their compressor and others none', () => {
    const devices = readSwapDevices(HYBRID);
    expect(devices.map((d) => [d.name, d.zramCompressor])).toEqual([
      ['/dev/zram0', 'lzo-rle'],
      ['/swap file', null],
    ]);
  });
  it('sees no swap on a machine without it', () => {
    expect(readSwapDevices(V2)).toEqual([]);
  });
  it('reads zswap state and MemTotal', () => {
    expect(readZswap(HYBRID)).toEqual({ enabled: true, compressor: 'lzo' });
    expect(readZswap(V2)).toBeNull();
    expect(readMemTotalBytes(V2)).toBe(4029340 * 1024);
  });
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(4 * 1024 ** 3)).toBe('4.0 GiB');
    expect(formatBytes(1536 * 1024)).toBe('1.5 MiB');
  });
});
