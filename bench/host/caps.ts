/** Effective capabilities of this process, from the CapEff line of /proc/self/status. */
import { HOST_ROOT, readHostText } from '../../core/proc/hostfs.ts';

/** Capability numbers hintbench cares about (include/uapi/linux/capability.h). */
export const CAP = {
  CAP_SYS_PTRACE: 19,
  CAP_SYS_ADMIN: 21,
  CAP_SYS_NICE: 23,
  CAP_PERFMON: 38,
  CAP_BPF: 39,
} as const;

/** Name of a capability hintbench checks. */
export type CapName = keyof typeof CAP;

/**
 * What a run needs, as alternatives: each entry is satisfied when any capability in it is held.
 * process_madvise needs CAP_SYS_NICE, ptrace injection CAP_SYS_PTRACE, bpftrace CAP_BPF and
 * CAP_PERFMON (CAP_SYS_ADMIN covers both on kernels before 5.8 and still works after).
 */
export const NEEDED_CAPS: readonly (readonly CapName[])[] = [['CAP_SYS_NICE'], ['CAP_SYS_PTRACE'], ['CAP_BPF', 'CAP_SYS_ADMIN'], ['CAP_PERFMON', 'CAP_SYS_ADMIN']];

/** Parses the CapEff field of /proc/PID/status into a bitmask; null when the line is missing or malformed. */
export function parseCapEff(statusText: string): bigint | null {
  const m = /^CapEff:\s*([0-9a-fA-F]+)\s*$/m.exec(statusText);
  return m?.[1] === undefined ? null : BigInt(`0x${m[1]}`);
}

/** True when capability number `cap` is set in `mask`. */
export function hasCap(mask: bigint, cap: number): boolean {
  return ((mask >> BigInt(cap)) & 1n) === 1n;
}

/** The entries of NEEDED_CAPS that `mask` does not satisfy, each written `A` or `A|B`. */
export function missingCaps(mask: bigint, needed: readonly (readonly CapName[])[] = NEEDED_CAPS): string[] {
  return needed.filter((alts) => !alts.some((name) => hasCap(mask, CAP[name]))).map((alts) => alts.join('|'));
}

/** CapEff of this process (or of the status file below `root`); null when unreadable. */
export function readCapEff(root: string = HOST_ROOT): bigint | null {
  const text = readHostText(root, '/proc/self/status');
  return text === null ? null : parseCapEff(text);
}
