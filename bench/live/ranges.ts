/**
 * `--ranges` of `hintbench hint`: what the user asked for, and the plan of what is hinted.
 *
 * Explicit ranges are read and checked as 64-bit integers (BigInt), then checked against the
 * target's address-space limit and clipped to its VMAs before any hint: the mechanisms only
 * ever see mapped ranges, and the parts no VMA covers are listed as skipped, the same way
 * for process_madvise and ptrace. Addresses become Numbers only below 2^53, where a Number
 * is exact.
 */
import { HintbenchError } from '../../core/errors.ts';
import { isPrivateAnon, type ExactMapEntry, type MapEntry } from '../../core/proc/maps.ts';
import type { AddrRange } from '../../core/types.ts';
import type { AddressSpaceLimit } from './address-space.ts';

/** A range of addresses [startAddr, endAddr) as exact 64-bit integers. */
export interface ExactRange {
  /** First byte. */
  startAddr: bigint;
  /** One past the last byte. */
  endAddr: bigint;
}

/** VMA classes `--ranges` can name. */
export type RangeClass = 'anon' | 'file' | 'all';

/** What `--ranges` selects: a class of VMAs, or explicit address ranges. */
export type RangeSelector = { kind: RangeClass } | { kind: 'explicit'; ranges: ExactRange[] };

/** A part of the request that is not handed to the mechanism, and why. */
export interface PlannedSkip extends ExactRange {
  /** `unmapped`, `kernel mapping [vdso]`, ... */
  reason: string;
}

/** What will be hinted. */
export interface RangePlan {
  /** Ranges handed to the mechanism, one per VMA (or part of a VMA), in address order per request. */
  ranges: AddrRange[];
  /** Requested parts left out before any hint. */
  skipped: PlannedSkip[];
}

/** Pseudo-mappings the kernel provides: never hinted (madvise refuses them or they hold no pages). */
const KERNEL_MAPPINGS = new Set(['[vvar]', '[vvar_vclock]', '[vdso]', '[vsyscall]', '[uprobes]']);

/** Addresses up to here are exact as Numbers. */
const NUMBER_SAFE_END = 1n << 53n;
/** One past the largest 64-bit value. */
const TWO_TO_64 = 1n << 64n;

/** True for a file-backed mapping with accessible pages. */
function isFileBacked(e: Pick<MapEntry, 'perms' | 'inode' | 'path'>): boolean {
  return e.inode !== 0 && e.path.startsWith('/') && !e.perms.startsWith('---');
}

/** Whether a VMA belongs to a class. */
function inClass(kind: RangeClass, e: Pick<MapEntry, 'perms' | 'inode' | 'path'>): boolean {
  if (KERNEL_MAPPINGS.has(e.path)) return false;
  if (kind === 'anon') return isPrivateAnon(e);
  if (kind === 'file') return isFileBacked(e);
  return isPrivateAnon(e) || isFileBacked(e);
}

/** `0xSTART-0xEND` of a range. */
export function formatRange(r: ExactRange): string {
  return `0x${r.startAddr.toString(16)}-0x${r.endAddr.toString(16)}`;
}

/** Reads one hex address of `--ranges`; `part` is the whole START-END text, for messages. */
function parseAddr(hex: string, part: string): bigint {
  const value = BigInt(`0x${hex}`);
  if (value >= TWO_TO_64) {
    throw new HintbenchError(`--ranges: '${part}' has an address wider than 64 bits (0x${hex})`, 'addresses are 64-bit hex numbers; copy them from /proc/PID/maps', {
      exitCode: 2,
    });
  }
  return value;
}

/**
 * Parses `--ranges`: `anon` (private anonymous VMAs incl. the heap), `file` (file-backed
 * VMAs), `all` (both), or `START-END[,START-END...]` with hex addresses (0x optional) below
 * 2^64, page aligned, END > START. Errors name the flag and the bad part; they are
 * command-line errors (exit 2).
 */
export function parseRangeSelector(text: string, pageSizeBytes: number): RangeSelector {
  if (text === 'anon' || text === 'file' || text === 'all') return { kind: text };
  const page = BigInt(pageSizeBytes);
  const ranges: ExactRange[] = [];
  for (const raw of text.split(',')) {
    const part = raw.trim();
    const m = /^(?:0x)?([0-9a-fA-F]+)-(?:0x)?([0-9a-fA-F]+)$/.exec(part);
    if (!m)
      throw new HintbenchError(`--ranges: cannot read '${part}'`, 'use anon, file, all, or hex START-END pairs separated by commas, e.g. 7f0000000000-7f0000100000', {
        exitCode: 2,
      });
    const startAddr = parseAddr(m[1]!, part);
    const endAddr = parseAddr(m[2]!, part);
    if (endAddr <= startAddr) throw new HintbenchError(`--ranges: '${part}' ends before it starts`, 'give START-END with END greater than START', { exitCode: 2 });
    if (startAddr % page !== 0n || endAddr % page !== 0n) {
      throw new HintbenchError(`--ranges: '${part}' is not aligned to the ${pageSizeBytes}-byte page size`, 'use page-aligned addresses as /proc/PID/maps shows them', {
        exitCode: 2,
      });
    }
    ranges.push({ startAddr, endAddr });
  }
  return { kind: 'explicit', ranges };
}

/** The ranges a class selector picks from a process's VMAs (one per VMA). */
export function selectRanges(selector: { kind: RangeClass }, maps: readonly MapEntry[]): AddrRange[] {
  return maps.filter((e) => inClass(selector.kind, e)).map((e) => ({ startAddr: e.startAddr, lengthBytes: e.endAddr - e.startAddr }));
}

/** Index of the first VMA (sorted by address) that ends after `addr`. */
function firstEndingAfter(maps: readonly ExactMapEntry[], addr: bigint): number {
  let lo = 0;
  let hi = maps.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (maps[mid]!.endAddr <= addr) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Plans what is hinted for process `pid` with VMAs `maps` (in address order, as /proc shows
 * them) and address-space end `limit`:
 * - a class selector picks its VMAs;
 * - explicit ranges must end within the address space (else an error naming the range and
 *   the limit), and are clipped to the VMAs they overlap: one range per VMA part, kernel
 *   pseudo-mappings skipped, the gaps skipped as `unmapped`.
 * Parts above 2^53 are skipped (only 5-level paging can map there). Throws when nothing is
 * left to hint, naming the pid and the ranges. Linear in ranges plus overlapped VMAs.
 */
export function planRanges(selector: RangeSelector, maps: readonly ExactMapEntry[], limit: AddressSpaceLimit, pid: number): RangePlan {
  const plan: RangePlan = { ranges: [], skipped: [] };
  const take = (r: ExactRange): void => {
    if (r.endAddr > NUMBER_SAFE_END) {
      plan.skipped.push({ ...r, reason: 'at or above 2^53: not supported' });
      return;
    }
    plan.ranges.push({ startAddr: Number(r.startAddr), lengthBytes: Number(r.endAddr - r.startAddr) });
  };
  if (selector.kind !== 'explicit') {
    for (const e of maps) if (inClass(selector.kind, e)) take(e);
    if (plan.ranges.length === 0) {
      throw new HintbenchError(`pid ${pid} has no ${selector.kind} mappings to hint`, `choose other --ranges (anon, file, all or START-END from /proc/${pid}/maps)`);
    }
    return plan;
  }
  for (const want of selector.ranges) {
    if (want.endAddr > limit.endAddr) {
      throw new HintbenchError(
        `--ranges: '${formatRange(want)}' goes beyond the user address space of pid ${pid}, which ends at 0x${limit.endAddr.toString(16)} (${limit.source})`,
        `keep END at or below 0x${limit.endAddr.toString(16)}; /proc/${pid}/maps lists the mappings`,
      );
    }
  }
  for (const want of selector.ranges) {
    let cursor = want.startAddr;
    for (let i = firstEndingAfter(maps, want.startAddr); i < maps.length && maps[i]!.startAddr < want.endAddr; i++) {
      const vma = maps[i]!;
      if (vma.startAddr > cursor) plan.skipped.push({ startAddr: cursor, endAddr: vma.startAddr, reason: 'unmapped' });
      // biome-ignore lint/complexity/useMathMinMax: bigint addresses (Math.min and Math.max take numbers only)
      const part = { startAddr: vma.startAddr > want.startAddr ? vma.startAddr : want.startAddr, endAddr: vma.endAddr < want.endAddr ? vma.endAddr : want.endAddr };
      if (KERNEL_MAPPINGS.has(vma.path)) plan.skipped.push({ ...part, reason: `kernel mapping ${vma.path}` });
      else take(part);
      cursor = part.endAddr;
    }
    if (cursor < want.endAddr) plan.skipped.push({ startAddr: cursor, endAddr: want.endAddr, reason: 'unmapped' });
  }
  if (plan.ranges.length === 0) {
    const what = selector.ranges.map(formatRange).join(', ');
    throw new HintbenchError(
      `--ranges: ${what} ${selector.ranges.length === 1 ? 'overlaps' : 'overlap'} no hintable mapping of pid ${pid}`,
      `pick ranges from /proc/${pid}/maps, or use --ranges anon for its private anonymous memory`,
    );
  }
  return plan;
}
