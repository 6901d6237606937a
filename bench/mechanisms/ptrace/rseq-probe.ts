/**
 * Reads a stopped thread's rseq state (PTRACE_GET_RSEQ_CONFIGURATION, then rseq_cs and its
 * descriptor in the target's memory) and decides where it must resume, as the kernel's
 * rseq_ip_fixup() would after a preemption.
 */
import { SyscallError } from '../../../core/sys/errno.ts';
import { IovecArray, type NativeArena, remoteRead, remoteWrite, type NativeBlock } from '../../../core/sys/ptrace-mem.ts';
import { parseRseqConfig, parseRseqCs, rseqFixup, RSEQ_CS_FIELD_OFFSET, RSEQ_CS_SIZE_BYTES } from '../../../core/sys/ptrace-rseq.ts';
import { ptraceGetRseqConfiguration, RSEQ_CONFIGURATION_SIZE_BYTES } from '../../../core/sys/ptrace.ts';
import type { InjectionReport } from './report.ts';

/** Where the thread must resume, and where its rseq_cs lives (to clear it). */
export interface RseqDecision {
  /** abort_ip when the thread was inside a critical section (and the fixup is on), else null. */
  abortIp: bigint | null;
  /** Address of the thread's rseq_cs field (0 when unregistered). */
  rseqCsAddr: bigint;
}

/**
 * One per tracer thread. The registration of a main thread (tid = pid) is cached while it is
 * registered: its pid is pinned, so the thread cannot be another one, and the injector checks
 * before each use that the area is still live (cpu_id >= 0, read together with rseq_cs; an
 * unregistration writes -1 there), calling configure() afresh when it is not.
 */
export class RseqProbe {
  private readonly conf = Buffer.alloc(RSEQ_CONFIGURATION_SIZE_BYTES);
  private readonly block: NativeBlock;
  private readonly local: IovecArray;
  private readonly remote: IovecArray;
  /** False once the kernel said it has no PTRACE_GET_RSEQ_CONFIGURATION. */
  private supported = true;
  /** Signature of the last configure()d thread. */
  private signature = 0;
  /** Registrations of main threads, by tid: rseq_cs address and signature. */
  private readonly registered = new Map<number, { rseqCsAddr: bigint; signature: number }>();
  /** The last configure() answered from the cache (its caller must check the area is live). */
  lastFromCache = false;

  constructor(arena: NativeArena) {
    this.block = arena.alloc(128, 64);
    this.local = new IovecArray(arena, 2);
    this.remote = new IovecArray(arena, 2);
  }

  /**
   * Reads the thread's rseq registration. Returns the address of its rseq_cs field, or 0n
   * when it has none (or the kernel cannot tell: then report.rseq is `unchecked`, with a
   * warning). Sets report.rseq to `unregistered` or `outside`. A registered main thread's
   * answer comes from the cache unless `fresh` (lastFromCache then says so).
   */
  configure(pid: number, tid: number, report: InjectionReport, fresh = false): bigint {
    this.lastFromCache = false;
    const known = fresh || tid !== pid ? undefined : this.registered.get(tid);
    if (known !== undefined) {
      this.signature = known.signature;
      this.lastFromCache = true;
      report.rseq = 'outside';
      return known.rseqCsAddr;
    }
    if (this.supported) {
      try {
        ptraceGetRseqConfiguration(tid, this.conf);
      } catch (err) {
        if (!(err instanceof SyscallError) || (err.code !== 'EIO' && err.code !== 'EINVAL')) throw err;
        this.supported = false;
      }
    }
    if (!this.supported) {
      report.rseq = 'unchecked';
      report.warnings.push('this kernel has no PTRACE_GET_RSEQ_CONFIGURATION (Linux 5.13+): restartable sequences of the target are not checked');
      return 0n;
    }
    const conf = parseRseqConfig(this.conf);
    this.signature = conf.signature;
    report.rseq = conf.abiPointer === 0n ? 'unregistered' : 'outside';
    if (conf.abiPointer === 0n) {
      this.registered.delete(tid);
      return 0n;
    }
    const rseqCsAddr = conf.abiPointer + BigInt(RSEQ_CS_FIELD_OFFSET);
    if (tid === pid) {
      if (this.registered.size > 4096) this.registered.clear();
      this.registered.set(tid, { rseqCsAddr, signature: conf.signature });
    }
    return rseqCsAddr;
  }

  /** Drops the cached registration of thread `tid` (its process was unpinned, or its area is not live). */
  forget(tid: number): void {
    this.registered.delete(tid);
  }

  /** Reads rseq_cs at `rseqCsAddr` in the memory of thread `tid` (null when unreadable). */
  readCs(tid: number, rseqCsAddr: bigint): bigint | null {
    return this.read(tid, rseqCsAddr, 8) === 8 ? this.block.buf.readBigUInt64LE(0) : null;
  }

  /**
   * Decides for thread `tid` stopped at `ip` whose rseq_cs holds `csPtr` (non-zero), after
   * configure(). Sets report.rseq (and a warning when the descriptor is invalid). `fixup`
   * false reports `ignored` instead of redirecting (for demonstrations).
   */
  decide(pid: number, tid: number, ip: bigint, csPtr: bigint, rseqCsAddr: bigint, fixup: boolean, report: InjectionReport): RseqDecision {
    const b = this.block.buf;
    if (this.read(tid, csPtr, RSEQ_CS_SIZE_BYTES) < RSEQ_CS_SIZE_BYTES) return this.invalid(report, tid, pid, rseqCsAddr, `rseq_cs 0x${csPtr.toString(16)} is not readable`);
    const cs = parseRseqCs(b);
    let sig: number | null = null;
    if (ip >= cs.startIp && ip < cs.startIp + cs.postCommitOffset && cs.abortIp >= 4n) {
      if (this.read(tid, cs.abortIp - 4n, 4) === 4) sig = b.readUInt32LE(0);
    }
    const v = rseqFixup(ip, cs, this.signature, sig);
    if (v.kind === 'outside') return { abortIp: null, rseqCsAddr };
    if (v.kind === 'invalid') return this.invalid(report, tid, pid, rseqCsAddr, v.reason);
    if (!fixup) {
      report.rseq = 'ignored';
      return { abortIp: null, rseqCsAddr };
    }
    report.rseq = 'aborted';
    return { abortIp: v.abortIp, rseqCsAddr };
  }

  /** Writes 0 to the rseq_cs of thread `tid`, as the kernel does when it redirects to abort_ip. */
  clear(tid: number, rseqCsAddr: bigint): boolean {
    this.block.buf.fill(0, 0, 8);
    this.local.clear();
    this.remote.clear();
    this.local.set(0, this.block.address, 8);
    this.remote.set(0, rseqCsAddr, 8);
    try {
      return remoteWrite(tid, this.local, this.remote) === 8;
    } catch {
      return false;
    }
  }

  private invalid(report: InjectionReport, tid: number, pid: number, rseqCsAddr: bigint, reason: string): RseqDecision {
    report.rseq = 'invalid';
    report.warnings.push(`thread ${tid} of pid ${pid} has an invalid rseq critical section (${reason}); its rip is restored unchanged`);
    return { abortIp: null, rseqCsAddr };
  }

  /** process_vm_readv of `len` bytes at `addr` of thread `tid`'s memory into the block; bytes read (0 on failure). */
  private read(tid: number, addr: bigint, len: number): number {
    this.local.clear();
    this.remote.clear();
    this.local.set(0, this.block.address, len);
    this.remote.set(0, addr, len);
    try {
      return remoteRead(tid, this.local, this.remote);
    } catch {
      return 0;
    }
  }
}
