/**
 * Restartable sequences (rseq(2)) as the injector must honour them. A thread stopped inside an
 * rseq critical section must resume at the section's abort handler, as the kernel makes it
 * after any preemption (rseq_ip_fixup): the injected code returns to user space outside the
 * section, which makes the kernel clear rseq_cs, so restoring the original rip would let the
 * section commit although it was interrupted. Pure: the injector reads the memory.
 *
 * struct ptrace_rseq_configuration {u64 rseq_abi_pointer; u32 rseq_abi_size; u32 signature; u32 flags; u32 pad}
 * struct rseq: cpu_id is the s32 at offset 4, rseq_cs the u64 at offset 8.
 * struct rseq_cs {u32 version; u32 flags; u64 start_ip; u64 post_commit_offset; u64 abort_ip}
 */

/** Offset of rseq_cs inside struct rseq. */
export const RSEQ_CS_FIELD_OFFSET = 8;
/**
 * Offset of cpu_id inside struct rseq: the kernel stores the CPU there on every return to user
 * space of a registered thread, and RSEQ_CPU_ID_UNINITIALIZED (-1) when the registration ends.
 */
export const RSEQ_CPU_ID_FIELD_OFFSET = 4;
/** sizeof(struct rseq_cs). */
export const RSEQ_CS_SIZE_BYTES = 32;

/** A thread's rseq registration. */
export interface RseqConfig {
  /** Address of the thread's struct rseq (0: not registered). */
  abiPointer: bigint;
  abiSizeBytes: number;
  /** Signature the 4 bytes before every abort handler must hold. */
  signature: number;
}

/** Parses the 24 bytes PTRACE_GET_RSEQ_CONFIGURATION writes. */
export function parseRseqConfig(bytes: Buffer): RseqConfig {
  return { abiPointer: bytes.readBigUInt64LE(0), abiSizeBytes: bytes.readUInt32LE(8), signature: bytes.readUInt32LE(12) };
}

/** A critical-section descriptor. */
export interface RseqCs {
  version: number;
  flags: number;
  startIp: bigint;
  postCommitOffset: bigint;
  abortIp: bigint;
}

/** Parses a 32-byte struct rseq_cs. */
export function parseRseqCs(bytes: Buffer, offset = 0): RseqCs {
  return {
    version: bytes.readUInt32LE(offset),
    flags: bytes.readUInt32LE(offset + 4),
    startIp: bytes.readBigUInt64LE(offset + 8),
    postCommitOffset: bytes.readBigUInt64LE(offset + 16),
    abortIp: bytes.readBigUInt64LE(offset + 24),
  };
}

/** What the fixup decided for one stopped thread. */
export type RseqVerdict = { kind: 'outside' } | { kind: 'abort'; abortIp: bigint } | { kind: 'invalid'; reason: string };

const U64 = (1n << 64n) - 1n;

/**
 * The kernel's rseq_ip_fixup() decision for a thread at `ip` whose rseq_cs points at `cs`:
 * outside the section [start_ip, start_ip + post_commit_offset) nothing happens; inside it the
 * thread must resume at abort_ip. A descriptor the kernel would reject (version, overflow, an
 * abort handler inside the section, a wrong signature before it) is `invalid`: the kernel
 * would kill the thread with SIGSEGV, so the injector changes nothing and reports it.
 * `signatureAtAbort` is the u32 found at abort_ip - 4.
 */
export function rseqFixup(ip: bigint, cs: RseqCs, expectedSignature: number, signatureAtAbort: number | null): RseqVerdict {
  const end = cs.startIp + cs.postCommitOffset;
  if (ip < cs.startIp || ip >= end) return { kind: 'outside' };
  if (cs.version !== 0) return { kind: 'invalid', reason: `rseq_cs version ${cs.version} (expected 0)` };
  if (end > U64) return { kind: 'invalid', reason: 'start_ip + post_commit_offset overflows' };
  if (cs.abortIp - cs.startIp < cs.postCommitOffset && cs.abortIp >= cs.startIp) return { kind: 'invalid', reason: 'abort_ip lies inside the critical section' };
  if (signatureAtAbort !== expectedSignature) {
    return { kind: 'invalid', reason: `signature before abort_ip is 0x${(signatureAtAbort ?? 0).toString(16)}, registered 0x${expectedSignature.toString(16)}` };
  }
  return { kind: 'abort', abortIp: cs.abortIp };
}
