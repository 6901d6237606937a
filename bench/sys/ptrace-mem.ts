/**
 * Native scratch memory of the tracer and the cross-process memory calls of the injector:
 * process_vm_readv(2) / process_vm_writev(2). Unlike /proc/PID/mem these honour the target's
 * page protections (no FOLL_FORCE): a write meant for a stack never lands in read-only or
 * PROT_NONE memory (a guard page), it fails with EFAULT instead.
 */
import { lastErrno, libc } from './libc.ts';
import { SyscallError } from './errno.ts';
import { mmapAnon, viewBytes } from './mman.ts';
import { sysCallCounter } from './ptrace.ts';

const readvNative: (pid: number, local: bigint, liovcnt: number, remote: bigint, riovcnt: number, flags: number) => number =
  libc.func('long process_vm_readv(int pid, uintptr_t local, unsigned long liovcnt, uintptr_t remote, unsigned long riovcnt, unsigned long flags)');
const writevNative: (pid: number, local: bigint, liovcnt: number, remote: bigint, riovcnt: number, flags: number) => number =
  libc.func('long process_vm_writev(int pid, uintptr_t local, unsigned long liovcnt, uintptr_t remote, unsigned long riovcnt, unsigned long flags)');

/** A block of native memory: its address and a Buffer over it. */
export interface NativeBlock {
  addr: bigint;
  buf: Buffer;
}

/**
 * A bump allocator over one anonymous mapping of the calling process: buffers whose
 * addresses can go into iovecs and system calls without koffi copying them. Never freed
 * (the tracer keeps one arena for its lifetime).
 */
export class NativeArena {
  private readonly base: bigint;
  private used = 0;

  constructor(readonly sizeBytes = 256 * 1024) {
    this.base = mmapAnon(sizeBytes);
  }

  /** A zeroed block of `lengthBytes`, aligned to `align` bytes. */
  alloc(lengthBytes: number, align = 64): NativeBlock {
    const start = Math.ceil(this.used / align) * align;
    if (start + lengthBytes > this.sizeBytes) throw new RangeError(`NativeArena: ${lengthBytes} bytes do not fit (${this.sizeBytes - start} left)`);
    this.used = start + lengthBytes;
    const addr = this.base + BigInt(start);
    return { addr, buf: Buffer.from(viewBytes(addr, lengthBytes)) };
  }
}

/**
 * A vector of iovecs in native memory, for one side (local or remote) of a
 * process_vm_readv/writev call. Set entries with set(), then pass `addr` and `count`.
 */
export class IovecArray {
  private readonly block: NativeBlock;
  /** Entries in use. */
  count = 0;

  constructor(arena: NativeArena, readonly capacity: number) {
    this.block = arena.alloc(16 * capacity, 16);
  }

  /** Address of the first struct iovec. */
  get addr(): bigint {
    return this.block.addr;
  }

  /** Sets entry `i` to (base, length) and makes the vector at least i + 1 long. */
  set(i: number, base: bigint | number, lengthBytes: number): void {
    if (i >= this.capacity) throw new RangeError(`IovecArray: entry ${i} beyond capacity ${this.capacity}`);
    this.block.buf.writeBigUInt64LE(BigInt(base), i * 16);
    this.block.buf.writeBigUInt64LE(BigInt(lengthBytes), i * 16 + 8);
    if (i >= this.count) this.count = i + 1;
  }

  /** The length field of entry `i` (after PTRACE_GETREGSET: the bytes written). */
  lengthOf(i: number): number {
    return Number(this.block.buf.readBigUInt64LE(i * 16 + 8));
  }

  /** Empties the vector. */
  clear(): void {
    this.count = 0;
  }
}

/**
 * process_vm_readv: fills the local iovecs from the remote ones of `pid`. Returns the bytes
 * read (the kernel stops at the first unreadable remote range); throws SyscallError when
 * nothing could be read.
 */
export function remoteRead(pid: number, local: IovecArray, remote: IovecArray): number {
  sysCallCounter.calls++;
  const n = readvNative(pid, local.addr, local.count, remote.addr, remote.count, 0);
  if (n < 0) throw new SyscallError(`process_vm_readv(${pid})`, lastErrno());
  return n;
}

/**
 * process_vm_writev: copies the local iovecs into the remote ones of `pid`. Returns the bytes
 * written (a short count means a remote range was not writable); throws SyscallError when
 * nothing could be written.
 */
export function remoteWrite(pid: number, local: IovecArray, remote: IovecArray): number {
  sysCallCounter.calls++;
  const n = writevNative(pid, local.addr, local.count, remote.addr, remote.count, 0);
  if (n < 0) throw new SyscallError(`process_vm_writev(${pid})`, lastErrno());
  return n;
}
