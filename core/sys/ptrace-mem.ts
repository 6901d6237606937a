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

const readvNative: (pid: number, local: bigint, liovcnt: number, remote: bigint, riovcnt: number, flags: number) => number = libc.func(
  'long process_vm_readv(int pid, uintptr_t local, unsigned long liovcnt, uintptr_t remote, unsigned long riovcnt, unsigned long flags)',
);
const writevNative: (pid: number, local: bigint, liovcnt: number, remote: bigint, riovcnt: number, flags: number) => number = libc.func(
  'long process_vm_writev(int pid, uintptr_t local, unsigned long liovcnt, uintptr_t remote, unsigned long riovcnt, unsigned long flags)',
);

const TWO_32 = 0x1_0000_0000;

/** A block of native memory: its address (as BigInt and as a number) and a Buffer over it. */
export interface NativeBlock {
  addr: bigint;
  /** The same address as a number (user addresses are below 2^53). */
  address: number;
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
    return { addr, address: Number(addr), buf: Buffer.from(viewBytes(addr, lengthBytes)) };
  }
}

/**
 * A vector of iovecs in native memory, for one side (local or remote) of a
 * process_vm_readv/writev call. Set entries with set(), then pass `addr` and `count`.
 */
export class IovecArray {
  private readonly block: NativeBlock;
  /** The entries as 32-bit words (no BigInt on the hot path). */
  private readonly words: Uint32Array;
  /** Entries in use. */
  count = 0;

  constructor(
    arena: NativeArena,
    readonly capacity: number,
  ) {
    this.block = arena.alloc(16 * capacity, 16);
    this.words = new Uint32Array(this.block.buf.buffer, this.block.buf.byteOffset, 4 * capacity);
  }

  /** Address of the first struct iovec. */
  get addr(): bigint {
    return this.block.addr;
  }

  /** Sets entry `i` to (base, length) and makes the vector at least i + 1 long. Numbers must be below 2^53. */
  set(i: number, base: bigint | number, lengthBytes: number): void {
    if (i >= this.capacity) throw new RangeError(`IovecArray: entry ${i} beyond capacity ${this.capacity}`);
    const w = this.words;
    const o = 4 * i;
    if (typeof base === 'bigint') {
      w[o] = Number(base & 0xffffffffn);
      w[o + 1] = Number(base >> 32n);
    } else {
      const hi = Math.floor(base / TWO_32);
      w[o] = base - hi * TWO_32;
      w[o + 1] = hi;
    }
    const lenHi = Math.floor(lengthBytes / TWO_32);
    w[o + 2] = lengthBytes - lenHi * TWO_32;
    w[o + 3] = lenHi;
    if (i >= this.count) this.count = i + 1;
  }

  /** The length field of entry `i` (after PTRACE_GETREGSET: the bytes written). */
  lengthOf(i: number): number {
    return this.words[4 * i + 3]! * TWO_32 + this.words[4 * i + 2]!;
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
