/**
 * Memory mappings of the calling process: anonymous private mmap, munmap, madvise, the
 * page size, and zero-copy views over mapped memory.
 */
import { constants as bufferConstants } from 'node:buffer';
import koffi from 'koffi';
import { lastErrno, libc } from './libc.ts';
import { SyscallError } from './errno.ts';

/** PROT_* bits. */
export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
/** MAP_* bits (identical on x86_64 and aarch64). */
export const MAP_PRIVATE = 0x02;
export const MAP_ANONYMOUS = 0x20;
export const MAP_FIXED_NOREPLACE = 0x100000;
/** mmap's failure value, (void *)-1. */
export const MAP_FAILED = 0xffffffffffffffffn;
/** sysconf name of the page size. */
const SC_PAGESIZE = 30;

const mmapNative: (addr: bigint | null, len: number, prot: number, flags: number, fd: number, off: number) => unknown = libc.func(
  'void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off)',
);
const munmapNative: (addr: bigint, len: number) => number = libc.func('int munmap(void *addr, size_t len)');
const madviseNative: (addr: bigint, len: number, advice: number) => number = libc.func('int madvise(void *addr, size_t len, int advice)');
const mprotectNative: (addr: bigint, len: number, prot: number) => number = libc.func('int mprotect(void *addr, size_t len, int prot)');
const sysconfNative: (name: number) => number = libc.func('long sysconf(int name)');

/** Longest ArrayBuffer this Node accepts, bytes (viewBytes' limit). */
export const MAX_VIEW_LENGTH: number = bufferConstants.MAX_LENGTH;

let pageSize: number | undefined;

/** The kernel's page size in bytes (sysconf(_SC_PAGESIZE)), cached. */
export function pageSizeBytes(): number {
  pageSize ??= sysconfNative(SC_PAGESIZE);
  return pageSize;
}

/** Converts koffi's pointer value (BigInt, number or null) to a BigInt address. */
function toAddress(ptr: unknown): bigint {
  if (ptr === null || ptr === undefined) return 0n;
  if (typeof ptr === 'bigint') return BigInt.asUintN(64, ptr);
  if (typeof ptr === 'number') return BigInt.asUintN(64, BigInt(ptr));
  return BigInt.asUintN(64, BigInt(koffi.address(ptr)));
}

/**
 * Maps `lengthBytes` of anonymous private memory with protection `prot` (default read+write)
 * and returns its address. `hintAddr` with `fixedNoReplace` asks for exactly that address.
 * Throws SyscallError on failure (MAP_FAILED).
 */
export function mmapAnon(lengthBytes: number, opts: { prot?: number; hintAddr?: bigint; fixedNoReplace?: boolean } = {}): bigint {
  const prot = opts.prot ?? PROT_READ | PROT_WRITE;
  const flags = MAP_PRIVATE | MAP_ANONYMOUS | (opts.fixedNoReplace === true ? MAP_FIXED_NOREPLACE : 0);
  const addr = toAddress(mmapNative(opts.hintAddr ?? null, lengthBytes, prot, flags, -1, 0));
  if (addr === MAP_FAILED) throw new SyscallError(`mmap(${lengthBytes} bytes, anonymous private)`, lastErrno());
  return addr;
}

/** Unmaps a range; throws SyscallError on failure. */
export function munmap(addr: bigint, lengthBytes: number): void {
  if (munmapNative(addr, lengthBytes) !== 0) throw new SyscallError(`munmap(0x${addr.toString(16)}, ${lengthBytes})`, lastErrno());
}

/** Changes the protection of a range; throws SyscallError on failure. */
export function mprotect(addr: bigint, lengthBytes: number, prot: number): void {
  if (mprotectNative(addr, lengthBytes, prot) !== 0) throw new SyscallError(`mprotect(0x${addr.toString(16)}, ${lengthBytes}, ${prot})`, lastErrno());
}

/** madvise(2) on the calling process's own memory; throws SyscallError on failure. */
export function madvise(addr: bigint, lengthBytes: number, advice: number): void {
  if (madviseNative(addr, lengthBytes, advice) !== 0) throw new SyscallError(`madvise(0x${addr.toString(16)}, ${lengthBytes}, ${advice})`, lastErrno());
}

/**
 * A zero-copy ArrayBuffer over `lengthBytes` of native memory at `addr` (valid until unmapped).
 * At most `buffer.constants.MAX_LENGTH` bytes (4 GiB on Node 20): koffi aborts the whole
 * process (a fatal N-API error, SIGABRT) beyond that, so a longer view throws RangeError here;
 * map larger regions through several views.
 */
export function viewBytes(addr: bigint, lengthBytes: number): ArrayBuffer {
  if (!Number.isSafeInteger(lengthBytes) || lengthBytes < 0 || lengthBytes > MAX_VIEW_LENGTH) {
    throw new RangeError(`a view of ${lengthBytes} bytes is longer than the ${MAX_VIEW_LENGTH} bytes an ArrayBuffer may have here`);
  }
  return koffi.view(addr, lengthBytes);
}
