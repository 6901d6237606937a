/** IovecArray: struct iovec entries written from numbers and BigInts, laid out as the kernel reads them. */
import { describe, expect, it } from 'vitest';
import { viewBytes } from '../../../core/sys/mman.ts';
import { IovecArray, NativeArena } from '../../../core/sys/ptrace-mem.ts';

describe('IovecArray', () => {
  const arena = new NativeArena(4096);
  it('writes (base, length) as two little-endian u64 per entry, from numbers above 2^32 and from BigInts', () => {
    const v = new IovecArray(arena, 3);
    v.set(0, 0x7ffd_1234_5678, 4096);
    v.set(1, 0x7f00_0000_0010n, 0x1_0000_0008);
    v.set(2, 8, 0);
    expect(v.count).toBe(3);
    expect([v.lengthOf(0), v.lengthOf(1), v.lengthOf(2)]).toEqual([4096, 0x1_0000_0008, 0]);
    const bytes = Buffer.from(viewBytes(v.addr, 48));
    expect([bytes.readBigUInt64LE(0), bytes.readBigUInt64LE(8)]).toEqual([0x7ffd_1234_5678n, 4096n]);
    expect([bytes.readBigUInt64LE(16), bytes.readBigUInt64LE(24)]).toEqual([0x7f00_0000_0010n, 0x1_0000_0008n]);
    expect([bytes.readBigUInt64LE(32), bytes.readBigUInt64LE(40)]).toEqual([8n, 0n]);
    v.clear();
    expect(v.count).toBe(0);
  });
  it('refuses an entry beyond its capacity', () => {
    const v = new IovecArray(arena, 1);
    expect(() => v.set(1, 0, 0)).toThrow(/beyond capacity/);
  });
  it('gives every block its address as a number too', () => {
    const b = arena.alloc(64, 64);
    expect(b.address).toBe(Number(b.addr));
    expect(b.address % 64).toBe(0);
  });
});
