/** /proc/PID/maps: the VMAs of a process, exact (BigInt) or as Numbers, and which of them hold hintable memory. */
import { kernelFormatError, readProcFile } from './read.ts';

/** One line of /proc/PID/maps with its addresses as exact 64-bit integers. */
export interface ExactMapEntry {
  /** First address of the VMA. */
  startAddr: bigint;
  /** One past the last address of the VMA. */
  endAddr: bigint;
  /** Permissions, e.g. `rw-p` (the fourth letter is `p` private or `s` shared). */
  perms: string;
  /** File offset in bytes. */
  offset: bigint;
  /** Device `major:minor`. */
  dev: string;
  /** Inode (0 for anonymous memory). */
  inode: number;
  /** Path or pseudo-name (`[heap]`, `[stack]`, `[vdso]`, `[anon:name]`), '' for anonymous. */
  path: string;
}

/** One line of /proc/PID/maps with Number addresses (exact below 2^53). */
export interface MapEntry extends Omit<ExactMapEntry, 'startAddr' | 'endAddr' | 'offset'> {
  /** First address of the VMA. */
  startAddr: number;
  /** One past the last address of the VMA. */
  endAddr: number;
  /** File offset in bytes. */
  offset: number;
}

/** Pseudo-paths of kernel-provided mappings: never hinted (madvise refuses them or they hold no pages). */
export const KERNEL_MAPPINGS: ReadonlySet<string> = new Set(['[vvar]', '[vvar_vclock]', '[vdso]', '[vsyscall]', '[uprobes]']);

/**
 * Parses /proc/PID/maps keeping every address exact (BigInt): x86_64's [vsyscall] sits at
 * 0xffffffffff600000 and 5-level paging allows user addresses up to 2^56, beyond the 2^53
 * a Number holds exactly. Paths may contain spaces; they run from the sixth field to the end.
 */
export function parseMapsExact(text: string): ExactMapEntry[] {
  const entries: ExactMapEntry[] = [];
  const re = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S{4})\s+([0-9a-f]+)\s+(\S+)\s+(\d+)\s*(.*)$/;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = re.exec(line);
    if (!m) throw kernelFormatError('maps', `cannot parse line '${line}'`);
    entries.push({
      startAddr: BigInt(`0x${m[1]!}`),
      endAddr: BigInt(`0x${m[2]!}`),
      perms: m[3]!,
      offset: BigInt(`0x${m[4]!}`),
      dev: m[5]!,
      inode: Number(m[6]),
      path: m[7]!,
    });
  }
  return entries;
}

/** Parses /proc/PID/maps into Numbers (exact below 2^53, which holds for user addresses on 4-level paging). */
export function parseMaps(text: string): MapEntry[] {
  return parseMapsExact(text).map((e) => ({ ...e, startAddr: Number(e.startAddr), endAddr: Number(e.endAddr), offset: Number(e.offset) }));
}

/**
 * The VMAs of a process from /proc/PID/maps, or through thread `tid`'s entry
 * (/proc/PID/task/TID/maps), which still shows them after the main thread has exited.
 */
export function readMaps(pid: number, tid?: number): MapEntry[] {
  return parseMaps(readProcFile(pid, tid === undefined ? 'maps' : `task/${tid}/maps`));
}

/**
 * The VMAs of process `pid` with exact addresses, read through thread `tid`'s entry
 * (/proc/PID/task/TID/maps). Every thread shares the process's memory, and a thread's entry
 * still shows it after the main thread has exited, when /proc/PID/maps is empty.
 */
export function readMapsExact(pid: number, tid: number = pid): ExactMapEntry[] {
  return parseMapsExact(readProcFile(pid, `task/${tid}/maps`));
}

/**
 * True for private anonymous memory worth hinting: private, no backing inode, accessible
 * (not PROT_NONE: guard pages and reservations hold no pages), and either unnamed, `[heap]`
 * or a named anonymous VMA (`[anon:...]`). Excluded: shared mappings, files, the kernel's
 * [vvar]/[vdso]/[vsyscall], and `[stack]` unless `includeStack` — the main stack is in use
 * by the running thread at every moment, so paging it out only buys immediate refaults.
 */
export function isPrivateAnon(entry: Pick<MapEntry, 'perms' | 'inode' | 'path'>, opts: { includeStack?: boolean } = {}): boolean {
  if (entry.perms[3] !== 'p' || entry.inode !== 0) return false;
  if (entry.perms.startsWith('---')) return false;
  if (KERNEL_MAPPINGS.has(entry.path)) return false;
  if (entry.path === '[stack]') return opts.includeStack === true;
  return entry.path === '' || entry.path === '[heap]' || entry.path.startsWith('[anon:');
}

/** True for a file-backed mapping with accessible pages. */
export function isFileBacked(entry: Pick<MapEntry, 'perms' | 'inode' | 'path'>): boolean {
  return entry.inode !== 0 && entry.path.startsWith('/') && !entry.perms.startsWith('---');
}
