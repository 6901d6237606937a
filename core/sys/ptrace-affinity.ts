/**
 * Keeps the tracer on the CPU its tracee last ran on. An injection is a ping-pong of
 * wake-ups between tracer and tracee (interrupt stop, each single step, the detach); on one
 * CPU each is a local context switch, across CPUs each one can cost waking an idle CPU,
 * which in a VM is a trip through the hypervisor (tens of us here). The tracee's CPU is read
 * from /proc/PID/task/TID/stat (field 39, `processor`) through a kept-open descriptor.
 */
import { KeptFiles } from '../proc/kept-files.ts';
import { libc } from './libc.ts';

const setAffinity: (pid: number, size: number, mask: Buffer) => number = libc.func('int sched_setaffinity(int pid, size_t cpusetsize, void *mask)');
const getAffinity: (pid: number, size: number, mask: Buffer) => number = libc.func('int sched_getaffinity(int pid, size_t cpusetsize, void *mask)');

/** Bytes of the CPU masks used here (1024 CPUs, glibc's cpu_set_t). */
const MASK_BYTES = 128;
/** Index of `processor` among the fields after the `(comm)` field of /proc/.../stat (field 39 overall). */
const PROCESSOR_FIELD_AFTER_COMM = 36;

/**
 * Parses the `processor` field (39) out of /proc/PID/task/TID/stat bytes; -1 when malformed.
 * Works on raw bytes (no string allocation): the command name may contain spaces and
 * parentheses, so fields are counted from the last `)`.
 */
export function parseStatProcessor(buf: Uint8Array, lengthBytes: number): number {
  let i = lengthBytes - 1;
  while (i >= 0 && buf[i] !== 0x29) i--; // ')'
  if (i < 0) return -1;
  i += 2; // skip ") "
  let field = 0;
  while (i < lengthBytes && field < PROCESSOR_FIELD_AFTER_COMM) {
    if (buf[i] === 0x20) field++;
    i++;
  }
  let value = 0;
  let digits = 0;
  while (i < lengthBytes && buf[i]! >= 0x30 && buf[i]! <= 0x39) {
    value = value * 10 + (buf[i]! - 0x30);
    i++;
    digits++;
  }
  return digits === 0 ? -1 : value;
}

/**
 * Moves the calling thread to the CPU a given thread last ran on, within the CPUs this
 * thread was allowed when the follower was created. Create it on the thread it moves.
 */
export class CpuFollower {
  private readonly allowed = Buffer.alloc(MASK_BYTES);
  private readonly mask = Buffer.alloc(MASK_BYTES);
  private readonly buf = Buffer.alloc(1024);
  private readonly statFiles = new KeptFiles();
  private current = -1;
  /** Times the thread changed CPU (for reports and tests). */
  moves = 0;

  constructor() {
    if (getAffinity(0, MASK_BYTES, this.allowed) !== 0) this.allowed.fill(0xff);
  }

  /** CPU thread `tid` of `pid` last ran on, or -1 when it cannot be read (gone). */
  cpuOf(pid: number, tid: number): number {
    const n = this.statFiles.read(`/proc/${pid}/task/${tid}/stat`, this.buf);
    return n < 0 ? -1 : parseStatProcessor(this.buf, n);
  }

  /**
   * Puts the calling thread on the CPU `tid` last ran on, when allowed and not already there.
   * Returns that CPU (or -1 when it stayed put). Never throws: placement is an optimisation.
   */
  follow(pid: number, tid: number): number {
    const cpu = this.cpuOf(pid, tid);
    if (cpu < 0 || cpu >= MASK_BYTES * 8) return -1;
    if (cpu === this.current) return cpu;
    if ((this.allowed[cpu >> 3]! & (1 << (cpu & 7))) === 0) return -1;
    this.mask.fill(0);
    this.mask[cpu >> 3] = 1 << (cpu & 7);
    if (setAffinity(0, MASK_BYTES, this.mask) !== 0) return -1;
    this.current = cpu;
    this.moves++;
    return cpu;
  }

  /** Gives the calling thread back every CPU it was allowed at creation. */
  release(): void {
    if (this.current < 0) return;
    setAffinity(0, MASK_BYTES, this.allowed);
    this.current = -1;
  }

  /** Closes the descriptor kept for thread `tid` of `pid` (after its process exited or exec'd). */
  forget(pid: number, tid: number): void {
    this.statFiles.forget(`/proc/${pid}/task/${tid}/stat`);
  }

  /** Closes every kept descriptor. */
  reset(): void {
    this.statFiles.reset();
  }
}
