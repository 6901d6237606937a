/**
 * zram's memory statistics (/sys/block/zramN/mm_stat) for the zram devices in use as swap:
 * how many bytes of pages went in and what they compressed to.
 */
import { HOST_ROOT, readHostText } from './hostfs.ts';

/** The first fields of mm_stat (Documentation/admin-guide/blockdev/zram.rst), in bytes. */
export interface ZramMmStat {
  /** orig_data_size: uncompressed size of the data stored. */
  origDataBytes: number;
  /** compr_data_size: compressed size of that data. */
  comprDataBytes: number;
  /** mem_used_total: memory zram uses, metadata and fragmentation included. */
  memUsedBytes: number;
}

/** Parses one mm_stat line; null when it has fewer than three numeric fields. */
export function parseMmStat(text: string): ZramMmStat | null {
  const [orig, compr, used] = text.trim().split(/\s+/).map(Number);
  if (orig === undefined || compr === undefined || used === undefined || ![orig, compr, used].every(Number.isFinite)) return null;
  return { origDataBytes: orig, comprDataBytes: compr, memUsedBytes: used };
}

/** Names (`zram0`) of the zram devices /proc/swaps lists as active swap. */
export function zramSwapDevices(root: string = HOST_ROOT): string[] {
  const swaps = readHostText(root, '/proc/swaps') ?? '';
  return swaps
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .map((dev) => /^\/dev\/(zram\d+)$/.exec(dev)?.[1])
    .filter((d): d is string => d !== undefined);
}

/** mm_stat summed over the zram swap devices `devices`; null when there is none or one is unreadable. */
export function readZramMmStat(devices: readonly string[], root: string = HOST_ROOT): ZramMmStat | null {
  if (devices.length === 0) return null;
  const sum: ZramMmStat = { origDataBytes: 0, comprDataBytes: 0, memUsedBytes: 0 };
  for (const dev of devices) {
    const s = parseMmStat(readHostText(root, `/sys/block/${dev}/mm_stat`) ?? '');
    if (s === null) return null;
    sum.origDataBytes += s.origDataBytes;
    sum.comprDataBytes += s.comprDataBytes;
    sum.memUsedBytes += s.memUsedBytes;
  }
  return sum;
}
