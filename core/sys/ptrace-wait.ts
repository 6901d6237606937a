/**
 * Blocking waits with a deadline for the ptrace injector. A blocking waitpid(__WALL) is the
 * cheapest way to learn of a tracee's stop (the tracer sleeps, the CPU goes to the tracee,
 * the stop wakes the tracer) but has no timeout. This module gives it one: a POSIX timer of
 * the calling thread delivers a real-time signal whose handler does nothing and is installed
 * without SA_RESTART, so a wait4 still blocked at the deadline returns EINTR.
 *
 * The handler is libc's `abs`: a function of one int with no side effects, safe to run in
 * signal context (no JavaScript ever runs in a signal handler). An expiry that lands just
 * before the thread enters wait4 would be lost, so the timer is periodic: the next expiry
 * (one `repeatNs` later) interrupts the wait. A stray expiry outside a wait only makes one
 * syscall of this thread return EINTR, which libuv and the waits here retry.
 * When anything of this cannot be set up (a signal already in use, no timer), `create()`
 * returns null and the caller polls instead.
 */
import koffi from 'koffi';
import { lastErrno, libc } from './libc.ts';
import { SyscallError } from './errno.ts';
import { decodeWaitStatus, type WaitStatus } from './ptrace-status.ts';
import { sysCallCounter } from './ptrace.ts';
import { __WALL, waitpid } from './wait.ts';

const dlsym: (handle: null, name: string) => unknown = libc.func('void *dlsym(void *handle, const char *name)');
const sigactionNative: (sig: number, act: Buffer | null, old: Buffer | null) => number = libc.func('int sigaction(int sig, void *act, void *oldact)');
const sigrtmin: () => number = libc.func('int __libc_current_sigrtmin(void)');
const sigrtmax: () => number = libc.func('int __libc_current_sigrtmax(void)');
const gettid: () => number = libc.func('int gettid(void)');
const timerCreate: (clockid: number, sev: Buffer, timerid: Buffer) => number = libc.func('int timer_create(int clockid, void *sevp, void *timerid)');
const timerSettime: (timerid: bigint, flags: number, value: Buffer, old: Buffer | null) => number = libc.func(
  'int timer_settime(uintptr_t timerid, int flags, void *new_value, void *old_value)',
);
const timerDelete: (timerid: bigint) => number = libc.func('int timer_delete(uintptr_t timerid)');

/** sizeof(struct sigaction) in glibc on x86_64/aarch64: handler, 128-byte mask, flags (+pad), restorer. */
const SIGACTION_SIZE_BYTES = 152;
const SIGACTION_FLAGS_OFFSET = 136;
/** sizeof(struct sigevent). */
const SIGEVENT_SIZE_BYTES = 64;
const SIGEV_THREAD_ID = 4;
const CLOCK_MONOTONIC = 1;
const EINTR = 4;

/** Result of a deadline wait: the state change, or `timedOut` when the timer fired first. */
export type TimedWait = { timedOut: false; pid: number; status: WaitStatus } | { timedOut: true };

/**
 * A per-thread deadline for blocking waitpid calls. Create it on the thread that waits (the
 * tracer's main thread); the timer signals that thread only.
 */
export class WaitTimer {
  private readonly spec = Buffer.alloc(32);
  private readonly status = Buffer.alloc(4);
  /** hrtime (ns) at which the armed timer fires, or 0n when disarmed. */
  private expiresAtNs = 0n;

  /**
   * @param timerId the POSIX timer (timer_t) of the waiting thread
   * @param signal the real-time signal it delivers
   * @param repeatNs period of the expiries after the first one
   */
  private constructor(
    private readonly timerId: bigint,
    readonly signal: number,
    readonly repeatNs: number,
  ) {}

  /** Installs the no-op handler and the thread's timer; null when that is not possible here. */
  static create(repeatNs = 10_000_000): WaitTimer | null {
    let handler: bigint;
    try {
      const ptr = dlsym(null, 'abs');
      if (ptr === null) return null;
      handler = BigInt(koffi.address(ptr));
    } catch {
      return null;
    }
    if (handler === 0n) return null;
    const old = Buffer.alloc(SIGACTION_SIZE_BYTES);
    let signal = -1;
    // A real-time signal nobody in this process handles yet (glibc keeps the first ones for itself).
    for (let s = sigrtmin() + 4; s <= sigrtmax() - 4; s++) {
      if (sigactionNative(s, null, old) !== 0) continue;
      if (old.readBigUInt64LE(0) !== 0n) continue; // not SIG_DFL: in use
      signal = s;
      break;
    }
    if (signal < 0) return null;
    const act = Buffer.alloc(SIGACTION_SIZE_BYTES);
    act.writeBigUInt64LE(handler, 0);
    act.writeInt32LE(0, SIGACTION_FLAGS_OFFSET); // no SA_RESTART: a blocked wait4 returns EINTR
    if (sigactionNative(signal, act, null) !== 0) return null;
    const sev = Buffer.alloc(SIGEVENT_SIZE_BYTES);
    sev.writeInt32LE(signal, 8);
    sev.writeInt32LE(SIGEV_THREAD_ID, 12);
    sev.writeInt32LE(gettid(), 16);
    const id = Buffer.alloc(8);
    if (timerCreate(CLOCK_MONOTONIC, sev, id) !== 0) {
      sigactionNative(signal, old, null);
      return null;
    }
    return new WaitTimer(id.readBigUInt64LE(0), signal, repeatNs);
  }

  /**
   * Makes the timer fire at `atNs` (process.hrtime.bigint() clock, which is CLOCK_MONOTONIC)
   * and every `repeatNs` after, unless it is already armed to fire between now and then: an
   * armed timer is reused, so a run of waits costs one timer_settime, not one each.
   */
  armUntil(atNs: bigint, nowNs: bigint): void {
    if (this.expiresAtNs > nowNs && this.expiresAtNs <= atNs) return;
    const n = Math.max(1000, Number(atNs - nowNs));
    this.spec.writeBigInt64LE(BigInt(Math.floor(this.repeatNs / 1e9)), 0);
    this.spec.writeBigInt64LE(BigInt(this.repeatNs % 1e9), 8);
    this.spec.writeBigInt64LE(BigInt(Math.floor(n / 1e9)), 16);
    this.spec.writeBigInt64LE(BigInt(n % 1e9), 24);
    if (timerSettime(this.timerId, 0, this.spec, null) !== 0) throw new SyscallError('timer_settime', lastErrno());
    this.expiresAtNs = nowNs + BigInt(n);
  }

  /** Stops the countdown (no system call when it is not armed). */
  disarm(): void {
    if (this.expiresAtNs === 0n) return;
    this.spec.fill(0);
    timerSettime(this.timerId, 0, this.spec, null);
    this.expiresAtNs = 0n;
  }

  /**
   * Blocking waitpid(tid, __WALL) until a state change or the armed deadline (or any other
   * signal without SA_RESTART: `timedOut` then means "look at the clock").
   * Throws SyscallError (ECHILD when `tid` is not our tracee or child).
   */
  wait(tid: number): TimedWait {
    sysCallCounter.calls++;
    const r = waitpid(tid, this.status, __WALL);
    if (r > 0) return { timedOut: false, pid: r, status: decodeWaitStatus(this.status.readInt32LE(0)) };
    const errno = lastErrno();
    // The timer fired, or another signal interrupted the wait: the caller re-checks its clock.
    if (errno === EINTR) return { timedOut: true };
    throw new SyscallError(`waitpid(${tid}, __WALL)`, errno);
  }

  /** Deletes the timer; the handler stays installed (harmless). */
  close(): void {
    timerDelete(this.timerId);
  }
}
