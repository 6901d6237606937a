/** Creating and removing zram swap devices through /sys/block/zramN and /sys/class/zram-control. */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { HintbenchError } from '../../core/errors.ts';
import { findExecutable, lastLine, runCommand } from '../../core/process/command.ts';
import { HOST_ROOT, hostExists, readHostText } from '../../core/proc/hostfs.ts';
import type { ZramState } from './state.ts';
import { parseCompAlgorithm, readSwapDevices } from './swap.ts';

/** Priority given to the swap device, above any disk swap. */
export const ZRAM_SWAP_PRIORITY = 100;

/** True when the zram driver is present (/sys/block/zram0 or the zram-control class exists). */
export function zramLoaded(root: string = HOST_ROOT): boolean {
  return hostExists(root, '/sys/class/zram-control') || hostExists(root, '/sys/block/zram0');
}

/** disksize of zram device `index` in bytes, or null when the device does not exist. */
export function zramDisksize(index: number, root: string = HOST_ROOT): number | null {
  const text = readHostText(root, `/sys/block/zram${index}/disksize`);
  return text === null ? null : Number(text.trim());
}

/** Loads the zram module with modprobe; throws HintbenchError when that is impossible. */
export async function loadZramModule(): Promise<void> {
  const modprobe = findExecutable('modprobe');
  if (modprobe === null) {
    throw new HintbenchError(
      'no swap, /sys/block/zram0 is missing and modprobe is not installed',
      'apt-get install -y kmod, or create swap yourself (swapon a swap file or partition)',
    );
  }
  const r = await runCommand(modprobe, ['zram']);
  if (r.exitCode !== 0 || !zramLoaded()) {
    throw new HintbenchError(
      `no swap, and \`modprobe zram\` failed: ${lastLine(r)}`,
      'use a kernel with CONFIG_ZRAM (built in or as a module), or create swap yourself (swapon a swap file or partition)',
    );
  }
}

/** Asks zram-control for a new device and returns its index. */
function hotAdd(): number {
  let text: string;
  try {
    text = readFileSync('/sys/class/zram-control/hot_add', 'utf8');
  } catch (err) {
    throw new HintbenchError(
      `zram0 is in use and /sys/class/zram-control/hot_add failed: ${(err as Error).message}`,
      'free a zram device (swapoff /dev/zramN && echo 1 > /sys/block/zramN/reset) or create swap yourself',
      { cause: err },
    );
  }
  return Number(text.trim());
}

/** Writes a sysfs attribute, turning failures into HintbenchError naming the file. */
function writeAttr(path: string, value: string, fix: string): void {
  try {
    writeFileSync(path, value);
  } catch (err) {
    throw new HintbenchError(`writing "${value}" to ${path} failed: ${(err as Error).message}`, fix, { cause: err });
  }
}

/** Waits up to 2 s for devtmpfs/udev to create the device node. */
async function waitForNode(device: string): Promise<void> {
  for (let i = 0; i < 40 && !existsSync(device); i++) await sleep(50);
  if (!existsSync(device)) throw new HintbenchError(`${device} did not appear after hot_add`, 'check that /dev is devtmpfs or that udev is running');
}

/** Returns a zram device to the unconfigured state and hot-removes it when setup hot-added it. */
export function resetZram(index: number, hotAdded: boolean): void {
  writeAttr(`/sys/block/zram${index}/reset`, '1', `swapoff /dev/zram${index} first, then retry`);
  if (hotAdded && index !== 0) writeAttr('/sys/class/zram-control/hot_remove', String(index), `echo ${index} > /sys/class/zram-control/hot_remove`);
}

/** Picks an unused zram device: zram0 when it is unconfigured and not swapped on, else a hot-added one. */
function pickDevice(): { index: number; hotAdded: boolean } {
  const inSwap = new Set(readSwapDevices().map((d) => d.name));
  if (zramDisksize(0) === 0 && !inSwap.has('/dev/zram0')) return { index: 0, hotAdded: false };
  return { index: hotAdd(), hotAdded: true };
}

/**
 * Creates a zram swap device: selects the compressor (before disksize, as the kernel requires),
 * sets disksize, runs mkswap and swapon -p 100. On failure it undoes its own steps and throws.
 * `compressor` null keeps the kernel's default.
 */
export async function createZramSwap(sizeBytes: number, compressor: string | null): Promise<ZramState> {
  let { index, hotAdded } = pickDevice();
  const configure = (): void => {
    const algPath = `/sys/block/zram${index}/comp_algorithm`;
    const algs = parseCompAlgorithm(readFileSync(algPath, 'utf8'));
    if (compressor !== null && !algs.available.includes(compressor)) {
      throw new HintbenchError(
        `zram compressor "${compressor}" is not offered by this kernel (${algPath} lists ${algs.available.join(', ')})`,
        `pass one of: ${algs.available.join(', ')}`,
      );
    }
    if (compressor !== null && compressor !== algs.selected) writeAttr(algPath, compressor, `pass one of: ${algs.available.join(', ')}`);
    writeFileSync(`/sys/block/zram${index}/disksize`, String(sizeBytes));
  };
  try {
    configure();
  } catch (err) {
    // zram0 was taken between the check and the write (EBUSY): use a fresh device instead.
    if ((err as NodeJS.ErrnoException).code !== 'EBUSY' || hotAdded) {
      if (hotAdded) resetZram(index, true);
      if (err instanceof HintbenchError) throw err;
      throw new HintbenchError(`configuring /sys/block/zram${index} failed: ${(err as Error).message}`, 'check dmesg; create swap yourself if zram cannot be used', { cause: err });
    }
    index = hotAdd();
    hotAdded = true;
    try {
      configure();
    } catch (err2) {
      resetZram(index, true);
      throw err2 instanceof HintbenchError ? err2 : new HintbenchError(`configuring /sys/block/zram${index} failed: ${(err2 as Error).message}`, 'check dmesg', { cause: err2 });
    }
  }
  const device = `/dev/zram${index}`;
  try {
    await waitForNode(device);
    for (const [cmd, args] of [
      ['mkswap', [device]],
      ['swapon', ['-p', String(ZRAM_SWAP_PRIORITY), device]],
    ] as const) {
      const bin = findExecutable(cmd);
      if (bin === null) throw new HintbenchError(`${cmd} is not installed`, 'apt-get install -y util-linux');
      const r = await runCommand(bin, args);
      if (r.exitCode !== 0) throw new HintbenchError(`${cmd} ${args.join(' ')} failed: ${lastLine(r)}`, 'check dmesg; create swap yourself if zram cannot be used');
    }
  } catch (err) {
    resetZram(index, hotAdded);
    throw err;
  }
  const selected = parseCompAlgorithm(readFileSync(`/sys/block/zram${index}/comp_algorithm`, 'utf8')).selected ?? compressor ?? 'unknown';
  return { device, index, hotAdded, sizeBytes, compressor: selected };
}

/** Swaps off and resets a zram device setup created. Returns false (and touches nothing) when it is no longer the device setup made. */
export async function removeZramSwap(z: ZramState): Promise<boolean> {
  const active = readSwapDevices().some((d) => d.name === z.device);
  const size = zramDisksize(z.index);
  if (size === null) return false; // gone already (reboot, or hot-removed)
  if (!active && size !== 0 && Math.abs(size - z.sizeBytes) > 4096) return false; // reconfigured by someone else
  if (active) {
    const bin = findExecutable('swapoff');
    if (bin === null) throw new HintbenchError('swapoff is not installed', 'apt-get install -y util-linux');
    const r = await runCommand(bin, [z.device]);
    if (r.exitCode !== 0)
      throw new HintbenchError(`swapoff ${z.device} failed: ${lastLine(r)}`, `free memory so the swapped-out pages fit in RAM, then run \`hintbench teardown\` again`);
  }
  resetZram(z.index, z.hotAdded);
  return true;
}
