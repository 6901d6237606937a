/**
 * Mappings beyond private anonymous memory: mmap of a file descriptor at a fixed address,
 * memfd_create(2), and mincore(2) page residency. core/sys/mman.ts holds the anonymous ones.
 */
import koffi from 'koffi';
import { lastErrno, libc } from './libc.ts';
import { SyscallError } from './errno.ts';
import { MAP_FAILED } from './mman.ts';

/** MAP_SHARED: writes reach the object (file, shmem) and every other mapping of it. */
export const MAP_SHARED = 0x01;
/** MAP_FIXED: place the mapping exactly at the address, replacing what was there. */
export const MAP_FIXED = 0x10;
/** memfd_create flag: close the descriptor on exec. */
export const MFD_CLOEXEC = 0x1;
/** madvise advice: back the range with transparent huge pages where possible. */
export const MADV_HUGEPAGE = 14;

const mmapNative: (addr: bigint, len: number, prot: number, flags: number, fd: number, off: number) => unknown = libc.func(
  'void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off)',
);
const mincoreNative: (addr: bigint, len: number, vec: Uint8Array) => number = libc.func('int mincore(void *addr, size_t len, uint8_t *vec)');
const memfdCreateNative: (name: string, flags: number) => number = libc.func('int memfd_create(const char *name, unsigned int flags)');

function toAddress(ptr: unknown): bigint {
  if (typeof ptr === 'bigint') return BigInt.asUintN(64, ptr);
  if (typeof ptr === 'number') return BigInt.asUintN(64, BigInt(ptr));
  if (ptr === null || ptr === undefined) return 0n;
  return BigInt.asUintN(64, BigInt(koffi.address(ptr)));
}

/**
 * Maps `lengthBytes` of descriptor `fd` (or -1 for MAP_ANONYMOUS in `flags`) from offset
 * `offsetBytes` exactly at `addr` (MAP_FIXED is added), replacing whatever was mapped there.
 * Throws SyscallError on failure.
 */
export function mmapFixed(addr: bigint, lengthBytes: number, prot: number, flags: number, fd: number, offsetBytes = 0): void {
  const got = toAddress(mmapNative(addr, lengthBytes, prot, flags | MAP_FIXED, fd, offsetBytes));
  if (got === MAP_FAILED) throw new SyscallError(`mmap(0x${addr.toString(16)}, ${lengthBytes} bytes, fd ${fd}, MAP_FIXED)`, lastErrno());
}

/** A new anonymous memory file (memfd_create(2)); returns its descriptor. */
export function memfdCreate(name: string, flags = MFD_CLOEXEC): number {
  const fd = memfdCreateNative(name, flags);
  if (fd < 0) throw new SyscallError(`memfd_create(${name})`, lastErrno());
  return fd;
}

/**
 * Residency of each page of [addr, addr + lengthBytes) (mincore(2)): `vec[i] & 1` is set when
 * page i is in memory. `vec` must hold at least one byte per page. A swapped-out anonymous
 * page counts as absent unless it is still in the swap cache.
 */
export function mincore(addr: bigint, lengthBytes: number, vec: Uint8Array): void {
  if (mincoreNative(addr, lengthBytes, vec) !== 0) throw new SyscallError(`mincore(0x${addr.toString(16)}, ${lengthBytes})`, lastErrno());
}

/** Pages of [addr, addr + pages * pageSizeBytes) that are in memory; `scratch` is reused when large enough. */
export function residentPages(addr: bigint, pages: number, pageSizeBytes: number, scratch?: Uint8Array): number {
  const vec = scratch !== undefined && scratch.length >= pages ? scratch : new Uint8Array(pages);
  mincore(addr, pages * pageSizeBytes, vec);
  let n = 0;
  for (let i = 0; i < pages; i++) n += vec[i]! & 1;
  return n;
}
