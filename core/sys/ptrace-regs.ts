/**
 * Layout of x86_64 `struct user_regs_struct` (arch/x86/include/asm/user_64.h): 27 unsigned
 * 64-bit words, as PTRACE_GETREGS/SETREGS read and write them. Pure: no system calls.
 */

/** Register names in struct order. */
export const X86_64_REG_NAMES = [
  'r15',
  'r14',
  'r13',
  'r12',
  'rbp',
  'rbx',
  'r11',
  'r10',
  'r9',
  'r8',
  'rax',
  'rcx',
  'rdx',
  'rsi',
  'rdi',
  'orig_rax',
  'rip',
  'cs',
  'eflags',
  'rsp',
  'ss',
  'fs_base',
  'gs_base',
  'ds',
  'es',
  'fs',
  'gs',
] as const;

/** One x86_64 register name. */
export type X86_64Reg = (typeof X86_64_REG_NAMES)[number];

/** sizeof(struct user_regs_struct) on x86_64: 27 * 8 bytes. */
export const X86_64_REGS_SIZE_BYTES = X86_64_REG_NAMES.length * 8;

/** Code segment selector of 64-bit user code (__USER_CS); 0x23 is 32-bit compat code. */
export const X86_64_USER_CS = 0x33;

const OFFSETS: Readonly<Record<X86_64Reg, number>> = Object.fromEntries(X86_64_REG_NAMES.map((name, i) => [name, i * 8])) as Record<X86_64Reg, number>;

/** Byte offset of a register inside user_regs_struct. */
export function regOffset(name: X86_64Reg): number {
  return OFFSETS[name];
}

const TWO_32 = 0x1_0000_0000;

/**
 * A register block in a Buffer, with typed accessors. The number accessors avoid BigInt on
 * the injector's hot path; they are exact for values below 2^53 (user addresses, lengths,
 * syscall numbers) and for small negative values (two's complement).
 */
export class X86_64Regs {
  /** The raw 216 bytes, passed to PTRACE_GETREGS / PTRACE_SETREGS. */
  readonly bytes: Buffer;

  constructor(bytes: Buffer = Buffer.alloc(X86_64_REGS_SIZE_BYTES)) {
    if (bytes.length !== X86_64_REGS_SIZE_BYTES) throw new RangeError(`user_regs_struct needs ${X86_64_REGS_SIZE_BYTES} bytes, got ${bytes.length}`);
    this.bytes = bytes;
  }

  /** Register value as an unsigned 64-bit BigInt. */
  get(name: X86_64Reg): bigint {
    return this.bytes.readBigUInt64LE(OFFSETS[name]);
  }

  /** Register value as an unsigned number (exact below 2^53). */
  getNumber(name: X86_64Reg): number {
    const o = OFFSETS[name];
    return this.bytes.readUInt32LE(o + 4) * TWO_32 + this.bytes.readUInt32LE(o);
  }

  /** Register value as a signed 64-bit number (for syscall return values, -errno). */
  getSigned(name: X86_64Reg): number {
    const o = OFFSETS[name];
    return this.bytes.readInt32LE(o + 4) * TWO_32 + this.bytes.readUInt32LE(o);
  }

  /** Sets a register; negative values are stored in two's complement. Numbers must be safe integers. */
  set(name: X86_64Reg, value: bigint | number): void {
    const o = OFFSETS[name];
    if (typeof value === 'bigint') {
      this.bytes.writeBigUInt64LE(BigInt.asUintN(64, value), o);
      return;
    }
    if (!Number.isSafeInteger(value)) throw new RangeError(`register ${name}: ${value} is not a safe integer`);
    const hi = Math.floor(value / TWO_32);
    this.bytes.writeUInt32LE(value - hi * TWO_32, o);
    this.bytes.writeInt32LE(hi | 0, o + 4);
  }

  /** Copies all registers from another block. */
  copyFrom(other: X86_64Regs): void {
    other.bytes.copy(this.bytes);
  }

  /** True when every byte equals the other block's. */
  equals(other: X86_64Regs): boolean {
    return this.bytes.equals(other.bytes);
  }
}
