/**
 * How each memory kind backs a workload region (core/schema/enums.ts MEMORY_KINDS). A region is
 * carved out of a PROT_NONE reservation (workloads/memory.ts) and mapped over it in place, so
 * the guard pages around it stay; the backing then says what happens after the fill.
 *
 * - anon: private anonymous, MADV_NOHUGEPAGE (4 KiB pages).
 * - thp: private anonymous, MADV_HUGEPAGE, aligned to the huge page size.
 * - file_private: a file in a temporary directory, filled through a shared mapping, written
 *   back (fsync), then mapped private read-only: clean page cache the workload reads.
 * - file_shared: the same file setup, mapped shared and writable and left dirty.
 * - shmem: shared anonymous memory (the kernel's shmem, as files on tmpfs are).
 * - memfd: a memfd_create(2) file, mapped shared.
 *
 * A file is unlinked (and its directory removed) as soon as it is open, so a workload killed
 * by SIGKILL leaves nothing on disk; the mapping keeps the inode and its page cache alive.
 */
import { closeSync, fsyncSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmdirSync, statfsSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MemoryKind } from '../core/types.ts';
import { MADV_HUGEPAGE, MAP_SHARED, memfdCreate, mmapFixed } from '../core/sys/mapping.ts';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE, madvise, mprotect } from '../core/sys/mman.ts';
import { MADV_NOHUGEPAGE } from '../core/sys/syscall.ts';

/** statfs f_type of tmpfs: a "file" there would be shmem, not page cache of a disk file. */
const TMPFS_MAGIC = 0x01021994;
/** Huge page size when /sys/kernel/mm/transparent_hugepage/hpage_pmd_size cannot be read, bytes. */
const DEFAULT_HUGE_PAGE_BYTES = 2 << 20;

/** What a memory kind does to one region of a reservation. */
export interface RegionBacking {
  /** Kind it implements. */
  readonly kind: MemoryKind;
  /** Alignment of each region's start, bytes (the huge page size for thp, else the page size). */
  readonly alignBytes: number;
  /** Makes [addr, addr + lengthBytes) readable and writable for the fill. */
  map(addr: bigint, lengthBytes: number): void;
  /** After the fill: turns the region into its final form (e.g. clean and read-only). */
  afterFill(addr: bigint, lengthBytes: number): void;
  /** Closes descriptors the backing holds (the mappings stay valid). */
  close(): void;
}

/** Options of backingFor(). */
export interface BackingOptions {
  /** Directory in which file kinds create their temporary directory (must not be tmpfs). */
  fileDir: string;
  /** The kernel's page size, bytes. */
  pageSizeBytes: number;
}

/** The huge page size of transparent huge pages on this machine, bytes. */
export function hugePageBytes(): number {
  try {
    const n = Number(readFileSync('/sys/kernel/mm/transparent_hugepage/hpage_pmd_size', 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : DEFAULT_HUGE_PAGE_BYTES;
  } catch {
    return DEFAULT_HUGE_PAGE_BYTES;
  }
}

/** Checks that `dir` can hold page-cache-backed files: it exists and is not on tmpfs. Returns a reason or null. */
export function fileDirProblem(dir: string): string | null {
  try {
    if (statfsSync(dir).type === TMPFS_MAGIC) return `${dir} is on tmpfs, where a file is shmem rather than page cache of a disk file`;
    return null;
  } catch (err) {
    return `${dir} cannot be used: ${(err as Error).message}`;
  }
}

/** Where file kinds put their files by default: the OS temporary directory, or /var/tmp when that is tmpfs. */
export function defaultFileDir(): string {
  const dir = tmpdir();
  return fileDirProblem(dir) === null ? dir : '/var/tmp';
}

/** A file of `lengthBytes` in a fresh temporary directory below `fileDir`, opened read-write and already unlinked. */
function openUnlinkedFile(fileDir: string, lengthBytes: number): number {
  const dir = mkdtempSync(join(fileDir, 'hintbench-file-'));
  const path = join(dir, 'region');
  try {
    const fd = openSync(path, 'w+', 0o600);
    ftruncateSync(fd, lengthBytes);
    return fd;
  } finally {
    try {
      unlinkSync(path);
    } catch {
      /* never created */
    }
    rmdirSync(dir);
  }
}

/** Backing of private anonymous memory, in small pages (anon) or huge pages (thp). */
function anonBacking(kind: 'anon' | 'thp', pageSizeBytes: number): RegionBacking {
  return {
    kind,
    alignBytes: kind === 'thp' ? hugePageBytes() : pageSizeBytes,
    map(addr, lengthBytes) {
      mprotect(addr, lengthBytes, PROT_READ | PROT_WRITE);
      // anon: 4 KiB pages whatever the THP mode, so every run pages out the same way.
      madvise(addr, lengthBytes, kind === 'thp' ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
    },
    afterFill() {},
    close() {},
  };
}

/** Backing by descriptors, one per region: `open` makes it, the region is mapped shared for the fill. */
function fdBacking(kind: MemoryKind, pageSizeBytes: number, open: (lengthBytes: number) => number, readOnlyAfterFill: boolean): RegionBacking {
  const fds = new Map<bigint, number>();
  return {
    kind,
    alignBytes: pageSizeBytes,
    map(addr, lengthBytes) {
      const fd = open(lengthBytes);
      fds.set(addr, fd);
      mmapFixed(addr, lengthBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
      madvise(addr, lengthBytes, MADV_NOHUGEPAGE);
    },
    afterFill(addr, lengthBytes) {
      if (!readOnlyAfterFill) return;
      const fd = fds.get(addr);
      if (fd === undefined) throw new Error(`${kind}: no descriptor for region 0x${addr.toString(16)}`);
      // Write the filled pages back, then map the (now clean) page cache private read-only.
      fsyncSync(fd);
      mmapFixed(addr, lengthBytes, PROT_READ, MAP_PRIVATE, fd);
    },
    close() {
      for (const fd of fds.values()) closeSync(fd);
      fds.clear();
    },
  };
}

/** The backing of a memory kind. */
export function backingFor(kind: MemoryKind, opts: BackingOptions): RegionBacking {
  const ps = opts.pageSizeBytes;
  switch (kind) {
    case 'anon':
    case 'thp':
      return anonBacking(kind, ps);
    case 'file_private':
      return fdBacking(kind, ps, (len) => openUnlinkedFile(opts.fileDir, len), true);
    case 'file_shared':
      return fdBacking(kind, ps, (len) => openUnlinkedFile(opts.fileDir, len), false);
    case 'memfd':
      return fdBacking(
        kind,
        ps,
        (len) => {
          const fd = memfdCreate('hbw-memfd');
          ftruncateSync(fd, len);
          return fd;
        },
        false,
      );
    case 'shmem':
      return {
        kind,
        alignBytes: ps,
        map(addr, lengthBytes) {
          mmapFixed(addr, lengthBytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1);
          madvise(addr, lengthBytes, MADV_NOHUGEPAGE);
        },
        afterFill() {},
        close() {},
      };
  }
}
