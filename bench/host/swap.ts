/** Swap devices (/proc/swaps), zram compressors and zswap. */
import type { SwapDevice } from '../../core/types.ts';
import { HOST_ROOT, readHostText } from '../../core/proc/hostfs.ts';
import { readMeminfo } from '../../core/proc/meminfo.ts';

/** Undoes the octal escapes /proc/swaps uses for spaces and such in file names (`\040`). */
function unescapeProcName(name: string): string {
  return name.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Parses /proc/swaps (sizes in KiB) into devices with `zramCompressor` null; skips the header and malformed lines. */
export function parseProcSwaps(text: string): SwapDevice[] {
  const devices: SwapDevice[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5 || f[0] === 'Filename') continue;
    const [name, type, sizeKiB, usedKiB, priority] = f as [string, string, string, string, string];
    if (!/^\d+$/.test(sizeKiB) || !/^\d+$/.test(usedKiB) || !/^-?\d+$/.test(priority)) continue;
    devices.push({
      name: unescapeProcName(name),
      type,
      sizeBytes: Number(sizeKiB) * 1024,
      usedBytes: Number(usedKiB) * 1024,
      priority: Number(priority),
      zramCompressor: null,
    });
  }
  return devices;
}

/** A zram device's algorithms: `selected` is the bracketed one (`lzo [lzo-rle] lz4` -> lzo-rle). */
export interface CompAlgorithms {
  /** Compressor in use, or null when none is bracketed. */
  selected: string | null;
  /** Every compressor the kernel offers, in the order listed. */
  available: string[];
}

/** Parses /sys/block/zramN/comp_algorithm. */
export function parseCompAlgorithm(text: string): CompAlgorithms {
  let selected: string | null = null;
  const available: string[] = [];
  for (const word of text.trim().split(/\s+/)) {
    if (word === '') continue;
    const m = /^\[(.+)\]$/.exec(word);
    if (m?.[1] !== undefined) selected = m[1];
    available.push(m?.[1] ?? word);
  }
  return { selected, available };
}

/** zram device index of a device path (`/dev/zram3` -> 3), or null when it is not zram. */
export function zramIndex(deviceName: string): number | null {
  const m = /^\/dev\/zram(\d+)$/.exec(deviceName);
  return m?.[1] === undefined ? null : Number(m[1]);
}

/** Compressor in use by zram device `index`, or null when unreadable. */
export function readZramCompressor(index: number, root: string = HOST_ROOT): string | null {
  const text = readHostText(root, `/sys/block/zram${index}/comp_algorithm`);
  return text === null ? null : parseCompAlgorithm(text).selected;
}

/** Active swap devices, each zram device with its compressor. Empty when /proc/swaps is unreadable. */
export function readSwapDevices(root: string = HOST_ROOT): SwapDevice[] {
  const text = readHostText(root, '/proc/swaps');
  if (text === null) return [];
  return parseProcSwaps(text).map((d) => {
    const idx = zramIndex(d.name);
    return idx === null ? d : { ...d, zramCompressor: readZramCompressor(idx, root) };
  });
}

/** One line per device: `/dev/zram0 4.0 GiB, used 0 B, zram lzo-rle, priority 100`. */
export function describeSwapDevice(d: SwapDevice): string {
  const zram = d.zramCompressor === null ? '' : `, zram ${d.zramCompressor}`;
  return `${d.name} ${formatBytes(d.sizeBytes)}, used ${formatBytes(d.usedBytes)}${zram}, priority ${d.priority}`;
}

/** Human-readable byte count in binary units. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** zswap state: whether it is enabled and its compressor. */
export interface ZswapState {
  /** Parameter `enabled` is Y. */
  enabled: boolean;
  /** Its compressor, or null when unreadable. */
  compressor: string | null;
}

/** zswap state from /sys/module/zswap/parameters, or null when zswap is not built. */
export function readZswap(root: string = HOST_ROOT): ZswapState | null {
  const enabled = readHostText(root, '/sys/module/zswap/parameters/enabled');
  if (enabled === null) return null;
  const compressor = readHostText(root, '/sys/module/zswap/parameters/compressor')?.trim() ?? null;
  return { enabled: /^[Y1]/i.test(enabled.trim()), compressor };
}

/** MemTotal from /proc/meminfo in bytes, or null when unreadable. */
export function readMemTotalBytes(root: string = HOST_ROOT): number | null {
  return readMeminfo(root)?.MemTotal ?? null;
}
