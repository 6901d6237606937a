/**
 * Where a process's user address space ends (the kernel's TASK_SIZE), so that `--ranges` can
 * be checked before any work. All addresses are BigInt: user space may reach 2^56.
 */
import { readFileSync } from 'node:fs';
import type { ExactMapEntry } from '../../core/proc/maps.ts';

/** The end of a user address space and how it was determined. */
export interface AddressSpaceLimit {
  /** One past the highest user address (TASK_SIZE). */
  endAddr: bigint;
  /** How the end was found, for messages (e.g. `x86_64, 4-level paging`). */
  source: string;
}

/** What the limit depends on besides the maps; injectable for tests. */
export interface AddressSpaceHints {
  /** `process.arch` of this machine (targets run on the same kernel). */
  arch: string;
  /** CPU flags from /proc/cpuinfo, or null when unreadable. */
  cpuFlags: readonly string[] | null;
  /** Page size in bytes. */
  pageSizeBytes: number;
}

/** Kernel pseudo-mappings outside the user address space (x86_64's legacy vsyscall page). */
const OUTSIDE_USER_SPACE = new Set(['[vsyscall]']);

/** Number of bits needed to write `n` (n > 0). */
function bitLength(n: bigint): number {
  return n.toString(2).length;
}

/**
 * The end of the user address space of a process with VMAs `maps`.
 * On x86_64 it is TASK_SIZE_MAX: 2^47 - one page with 4-level paging, 2^56 - one page with
 * 5-level paging, which the kernel announces by keeping the `la57` CPU flag (it clears the
 * flag when it does not use 5-level paging). Elsewhere the stack sits at the top of user
 * space, so the end is the smallest power of two at or above the highest mapping (arm64's
 * 39-, 42-, 48- and 52-bit layouts all end at a power of two). The result is never below
 * the end of an existing mapping ([vsyscall], in kernel space, does not count).
 */
export function userAddressLimit(maps: readonly ExactMapEntry[], hints: AddressSpaceHints): AddressSpaceLimit {
  let highest = 0n;
  for (const e of maps) if (!OUTSIDE_USER_SPACE.has(e.path) && e.endAddr > highest) highest = e.endAddr;
  const page = BigInt(hints.pageSizeBytes);
  let limit: AddressSpaceLimit;
  if (hints.arch === 'x64' && hints.cpuFlags !== null) {
    const la57 = hints.cpuFlags.includes('la57');
    limit = la57 ? { endAddr: (1n << 56n) - page, source: 'x86_64, 5-level paging' } : { endAddr: (1n << 47n) - page, source: 'x86_64, 4-level paging' };
  } else if (highest > 0n) {
    limit = { endAddr: 1n << BigInt(bitLength(highest - 1n)), source: `${hints.arch}, from its highest mapping` };
  } else {
    limit = { endAddr: 1n << 47n, source: `${hints.arch}, assumed 47-bit` };
  }
  if (highest > limit.endAddr) limit = { endAddr: highest, source: `${limit.source}; raised to its highest mapping` };
  return limit;
}

/** CPU flags of the first CPU in /proc/cpuinfo (x86: `flags`, arm64: `Features`), or null. */
export function readCpuFlags(path = '/proc/cpuinfo'): string[] | null {
  try {
    const m = /^(?:flags|Features)\s*:\s*(.*)$/m.exec(readFileSync(path, 'utf8'));
    return m === null ? null : m[1]!.trim().split(/\s+/);
  } catch {
    return null;
  }
}
