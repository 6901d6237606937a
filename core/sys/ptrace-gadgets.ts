/**
 * Code sequences the injector borrows from the target's own executable mappings (x86_64),
 * so that nothing is ever written into its code:
 *  - a syscall gadget: `syscall` followed by `ret`, optionally with `leave` and
 *    register-clearing `xor r32, r32` instructions in between (the 6.x vDSO's
 *    gettimeofday fallback ends `syscall; leave; xor ...; ret`; glibc has many `syscall; ret`);
 *  - an rt_sigreturn sequence: `mov $15, %rax; syscall` or `mov $15, %eax; syscall`
 *    (glibc's and musl's __restore_rt, Go's runtime.sigreturn__sigaction).
 * The pure finders work on bytes; locateGadgets() reads the target through
 * /proc/PID/task/TID/maps and mem.
 */
import { readlinkSync } from 'node:fs';
import { type MapEntry, readMaps } from '../proc/maps.ts';
import { readProcMem } from './ptrace-vdso.ts';

/** How a syscall gadget returns: `ret` pops [rsp]; `leave` first sets rsp = rbp and pops rbp. */
export type GadgetKind = 'ret' | 'leave';

/** A syscall gadget found in a byte image. */
export interface SyscallGadget {
  /** Offset of the `0f 05`. */
  offset: number;
  kind: GadgetKind;
  /** The gadget's bytes from `0f 05` to `c3` inclusive. */
  bytes: Buffer;
}

/** Longest tail accepted between `syscall` and `ret`. */
const MAX_TAIL_BYTES = 40;

/**
 * Length of a register-to-register `xor` at `i` (31 /r or 33 /r, mod = 11, optional REX
 * prefix) that does not touch rsp, or 0 when the bytes are anything else.
 */
function xorRegLength(code: Uint8Array, i: number): number {
  let p = i;
  let rex = 0;
  const b0 = code[p];
  if (b0 !== undefined && b0 >= 0x40 && b0 <= 0x4f) {
    rex = b0;
    p++;
  }
  const op = code[p];
  const modrm = code[p + 1];
  if ((op !== 0x31 && op !== 0x33) || modrm === undefined || (modrm & 0xc0) !== 0xc0) return 0;
  const reg = ((modrm >> 3) & 7) | (rex & 0x4 ? 8 : 0);
  const rm = (modrm & 7) | (rex & 0x1 ? 8 : 0);
  if (reg === 4 || rm === 4) return 0; // rsp: never
  return p + 2 - i;
}

/** The gadget starting at `i` (which must hold 0f 05), or null. */
export function gadgetAt(code: Uint8Array, i: number): SyscallGadget | null {
  if (code[i] !== 0x0f || code[i + 1] !== 0x05) return null;
  let p = i + 2;
  let kind: GadgetKind = 'ret';
  if (code[p] === 0xc9) {
    kind = 'leave';
    p++;
  }
  while (p < code.length && p - i <= MAX_TAIL_BYTES) {
    if (code[p] === 0xc3) return { offset: i, kind, bytes: Buffer.from(code.subarray(i, p + 1)) };
    const n = xorRegLength(code, p);
    if (n === 0) return null;
    p += n;
  }
  return null;
}

/** First syscall gadget in `code[start, end)`; `ret` gadgets are preferred over `leave` ones. */
export function findSyscallGadget(code: Uint8Array, start = 0, end = code.length): SyscallGadget | null {
  let leave: SyscallGadget | null = null;
  const stop = Math.min(end, code.length) - 2;
  for (let i = Math.max(0, start); i < stop; i++) {
    if (code[i] !== 0x0f || code[i + 1] !== 0x05) continue;
    const g = gadgetAt(code, i);
    if (g === null) continue;
    if (g.kind === 'ret') return g;
    leave ??= g;
  }
  return leave;
}

/** The two encodings of an rt_sigreturn sequence (x86_64 rt_sigreturn = 15). */
export const RESTORER_PATTERNS: readonly Buffer[] = [
  Buffer.from([0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05]), // mov $15,%rax; syscall
  Buffer.from([0xb8, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05]), // mov $15,%eax; syscall
];

/** Offset and bytes of the first rt_sigreturn sequence in `code`, or null. */
export function findRestorer(code: Buffer): { offset: number; bytes: Buffer } | null {
  let best: { offset: number; bytes: Buffer } | null = null;
  for (const pat of RESTORER_PATTERNS) {
    const at = code.indexOf(pat);
    if (at >= 0 && (best === null || at < best.offset)) best = { offset: at, bytes: pat };
  }
  return best;
}

/** Where the injector's borrowed code lives in one target. */
export interface TargetGadgets {
  /** Address and kind of the syscall gadget, and its bytes (checked before each use). */
  gadgetAddr: number;
  gadgetKind: GadgetKind;
  gadgetBytes: Buffer;
  /** Mapping the gadget was found in (`[vdso]`, a library path...). */
  gadgetIn: string;
  /** Address of the rt_sigreturn sequence, and its bytes. */
  restorerAddr: number;
  restorerBytes: Buffer;
  restorerIn: string;
}

/** The syscall-gadget half of TargetGadgets. */
export type FoundGadget = Pick<TargetGadgets, 'gadgetAddr' | 'gadgetKind' | 'gadgetBytes' | 'gadgetIn'>;
/** The rt_sigreturn half of TargetGadgets. */
export type FoundRestorer = Pick<TargetGadgets, 'restorerAddr' | 'restorerBytes' | 'restorerIn'>;

/** Most bytes of executable mappings read while looking (larger mappings are skipped). */
const MAX_SCAN_BYTES_PER_MAPPING = 32 * 1024 * 1024;

/** Orders executable mappings: the vDSO, then C libraries, then the main executable, then the rest. */
export function scanOrder<M extends Pick<MapEntry, 'perms' | 'path'>>(maps: readonly M[], exePath: string): M[] {
  const rank = (m: M): number => {
    if (m.path === '[vdso]') return 0;
    if (/\/(libc|ld-musl|libc\.musl)[^/]*$/.test(m.path)) return 1;
    if (m.path === exePath) return 2;
    return 3;
  };
  return maps.filter((m) => m.perms.includes('x') && m.path !== '[vsyscall]').sort((a, b) => rank(a) - rank(b));
}

/**
 * Finds a syscall gadget and an rt_sigreturn sequence in the executable mappings of `pid`,
 * read through thread `tid` (/proc/PID/task/TID/maps and mem: after the main thread has
 * exited, its own entry shows no mappings). Returns what it found; either part may be
 * missing (null) when the target has none.
 */
export function locateGadgets(pid: number, tid: number = pid): { gadget: FoundGadget | null; restorer: FoundRestorer | null } {
  const task = `/proc/${pid}/task/${tid}`;
  const maps = readMaps(pid, tid);
  let exe = '';
  try {
    exe = readlinkSync(`${task}/exe`);
  } catch {
    /* kernel thread or gone */
  }
  let gadget: FoundGadget | null = null;
  let leaveGadget: FoundGadget | null = null;
  let restorer: FoundRestorer | null = null;
  for (const m of scanOrder(maps, exe)) {
    if (gadget !== null && restorer !== null) break;
    const size = m.endAddr - m.startAddr;
    if (size > MAX_SCAN_BYTES_PER_MAPPING) continue;
    let code: Buffer;
    try {
      code = readProcMem(pid, m.startAddr, size, tid);
    } catch {
      continue;
    }
    if (gadget === null) {
      const g = findSyscallGadget(code);
      if (g !== null) {
        const found = { gadgetAddr: m.startAddr + g.offset, gadgetKind: g.kind, gadgetBytes: g.bytes, gadgetIn: m.path || 'anonymous' };
        if (g.kind === 'ret') gadget = found;
        else leaveGadget ??= found;
      }
    }
    if (restorer === null) {
      const r = findRestorer(code);
      if (r !== null) restorer = { restorerAddr: m.startAddr + r.offset, restorerBytes: r.bytes, restorerIn: m.path || 'anonymous' };
    }
  }
  return { gadget: gadget ?? leaveGadget, restorer };
}
