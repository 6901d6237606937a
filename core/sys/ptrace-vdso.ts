/**
 * Finding a `syscall` instruction (0f 05) in a process's vDSO, so an injected system call
 * runs code the target already maps executable; nothing is written into the target.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { HintbenchError } from '../errors.ts';
import { readMaps } from '../proc/maps.ts';

/** The bytes of the x86_64 `syscall` instruction. */
export const X86_64_SYSCALL_INSN = Buffer.from([0x0f, 0x05]);

/**
 * Offset of the first `syscall` instruction (0f 05) in `code[textStart, textEnd)`, or -1.
 * The CPU decodes from rip, so any 0f 05 pair in an executable mapping is a usable
 * `syscall`, even one that straddles two instructions of the original code.
 */
export function findSyscallInsn(code: Uint8Array, textStart = 0, textEnd = code.length): number {
  const end = Math.min(textEnd, code.length);
  for (let i = Math.max(0, textStart); i + 1 < end; i++) {
    if (code[i] === 0x0f && code[i + 1] === 0x05) return i;
  }
  return -1;
}

/**
 * Bounds of the .text section of an ELF64 image (the vDSO), or the whole image when the
 * section headers cannot be read. Keeps the search out of the ELF header and symbol tables.
 */
export function elfTextBounds(image: Uint8Array): { start: number; end: number } {
  const whole = { start: 0, end: image.length };
  const b = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
  if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2) return whole;
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shentsize = b.readUInt16LE(0x3a);
  const shnum = b.readUInt16LE(0x3c);
  const shstrndx = b.readUInt16LE(0x3e);
  if (shoff === 0 || shentsize < 64 || shoff + shnum * shentsize > b.length || shstrndx >= shnum) return whole;
  const strOff = Number(b.readBigUInt64LE(shoff + shstrndx * shentsize + 0x18));
  for (let i = 0; i < shnum; i++) {
    const sh = shoff + i * shentsize;
    const nameOff = strOff + b.readUInt32LE(sh);
    const end = b.indexOf(0, nameOff);
    if (end < 0) continue;
    if (b.toString('latin1', nameOff, end) !== '.text') continue;
    const off = Number(b.readBigUInt64LE(sh + 0x18));
    const size = Number(b.readBigUInt64LE(sh + 0x20));
    if (off + size <= b.length) return { start: off, end: off + size };
  }
  return whole;
}

/** Where a target's vDSO is and which address holds a `syscall` instruction. */
export interface VdsoSyscall {
  /** Start of the [vdso] mapping. */
  vdsoStartAddr: number;
  /** Address of the `0f 05` pair. */
  syscallInsnAddr: number;
}

/**
 * Reads `lengthBytes` of another process's memory at `addr` through thread `tid`'s entry,
 * /proc/PID/task/TID/mem (that of a main thread that has exited has no memory any more).
 */
export function readProcMem(pid: number, addr: number, lengthBytes: number, tid: number = pid): Buffer {
  const fd = openSync(`/proc/${pid}/task/${tid}/mem`, 'r');
  try {
    const buf = Buffer.alloc(lengthBytes);
    let got = 0;
    while (got < lengthBytes) {
      const n = readSync(fd, buf, got, lengthBytes - got, addr + got);
      if (n <= 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/**
 * Locates a `syscall` instruction in the [vdso] of `pid`, read through thread `tid`
 * (/proc/PID/task/TID/maps + mem: a main thread that has exited shows no mappings).
 * Throws HintbenchError when the process has no vDSO or none is found.
 */
export function locateVdsoSyscall(pid: number, tid: number = pid): VdsoSyscall {
  const maps = readMaps(pid, tid);
  const vdso = maps.find((m) => m.path === '[vdso]');
  if (vdso === undefined)
    throw new HintbenchError(`pid ${pid} has no [vdso] mapping in /proc/${pid}/task/${tid}/maps`, 'use --via process_madvise for this target (it was started without a vDSO)');
  const image = readProcMem(pid, vdso.startAddr, vdso.endAddr - vdso.startAddr, tid);
  const { start, end } = elfTextBounds(image);
  const off = findSyscallInsn(image, start, end);
  if (off < 0) throw new HintbenchError(`no syscall instruction found in the vDSO of pid ${pid}`, 'use --via process_madvise for this target');
  return { vdsoStartAddr: vdso.startAddr, syscallInsnAddr: vdso.startAddr + off };
}
