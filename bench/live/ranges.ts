import { HintbenchError } from '../errors.ts';
import { isPrivateAnon, type MapEntry } from '../sys/proc.ts';
import type { AddrRange } from '../types.ts';

/** What `--ranges` selects: a class of VMAs, or explicit address ranges. */
export type RangeSelector = { kind: 'anon' | 'file' | 'all' } | { kind: 'explicit'; ranges: AddrRange[] };

/** Pseudo-mappings the kernel provides: never hinted. */
const KERNEL_MAPPINGS = new Set(['[vvar]', '[vvar_vclock]', '[vdso]', '[vsyscall]', '[uprobes]']);

/** True for a file-backed mapping with accessible pages. */
function isFileBacked(e: MapEntry): boolean {
  return e.inode !== 0 && e.path.startsWith('/') && !e.perms.startsWith('---');
}

/**
 * Parses `--ranges`: `anon` (private anonymous VMAs incl. the heap), `file` (file-backed
 * VMAs), `all` (both), or `START-END[,START-END...]` with hex addresses (0x optional),
 * page aligned, END > START. Errors name the flag and the bad part.
 */
export function parseRangeSelector(text: string, pageSizeBytes: number): RangeSelector {
  if (text === 'anon' || text === 'file' || text === 'all') return { kind: text };
  const ranges: AddrRange[] = [];
  for (const part of text.split(',')) {
    const m = /^(?:0x)?([0-9a-fA-F]+)-(?:0x)?([0-9a-fA-F]+)$/.exec(part.trim());
    if (!m) throw new HintbenchError(`--ranges: cannot read '${part}'`, 'use anon, file, all, or hex START-END pairs separated by commas, e.g. 7f0000000000-7f0000100000');
    const start = Number(BigInt(`0x${m[1]}`));
    const end = Number(BigInt(`0x${m[2]}`));
    if (end <= start) throw new HintbenchError(`--ranges: '${part}' ends before it starts`, 'give START-END with END greater than START');
    if (start % pageSizeBytes !== 0 || end % pageSizeBytes !== 0) {
      throw new HintbenchError(`--ranges: '${part}' is not aligned to the ${pageSizeBytes}-byte page size`, 'use page-aligned addresses as /proc/PID/maps shows them');
    }
    ranges.push({ startAddr: start, lengthBytes: end - start });
  }
  return { kind: 'explicit', ranges };
}

/** The ranges a selector picks from a process's VMAs (explicit ranges are taken as given). */
export function selectRanges(selector: RangeSelector, maps: MapEntry[]): AddrRange[] {
  if (selector.kind === 'explicit') return selector.ranges;
  const pick = (e: MapEntry): boolean => {
    if (KERNEL_MAPPINGS.has(e.path)) return false;
    if (selector.kind === 'anon') return isPrivateAnon(e);
    if (selector.kind === 'file') return isFileBacked(e);
    return isPrivateAnon(e) || isFileBacked(e);
  };
  return maps.filter(pick).map((e) => ({ startAddr: e.startAddr, lengthBytes: e.endAddr - e.startAddr }));
}
