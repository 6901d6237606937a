/**
 * A self-checking target for injection tests. It runs a deterministic hash chain and
 * re-verifies it, keeps memory regions whose per-page checksums it re-verifies, blocks in a
 * chosen system call, and counts what a careless injector would break: wrong results,
 * corrupted pages, EINTRs from its blocking calls, lost signals.
 *
 * Usage: node --import tsx workloads/selfcheck.ts [--mode=busy|nanosleep|read|epoll|futex]
 *          [--threads=N] [--seccomp] [--checked-mib=4] [--idle-mib=16]
 *
 * Protocol (JSON lines): prints one `ready` object, then answers stdin commands:
 *   {"cmd":"status"}      -> {"type":"status", ...counters}
 *   {"cmd":"verify-idle"} -> {"type":"verified", "pageFailures": n} (re-reads the idle region)
 *   {"cmd":"exit"}        -> exits 0
 * The main thread serves commands between 20 ms work slices, so while it is stopped by a
 * tracer it does not answer: ask again afterwards. SIGUSR2 is counted (SIGUSR1 is reserved
 * by Node for its inspector); the count is also kept as a u32 at `signalCountAddr`.
 */
import { Worker } from 'node:worker_threads';
import { readLines } from '../../core/channel.ts';
import { lastErrno, libc } from '../../core/sys/libc.ts';
import { madvise, mmapAnon, viewBytes } from '../../core/sys/mman.ts';
import { ADVICE_VALUE, syscall } from '../../core/sys/syscall.ts';
import { parseSelfcheckArgs, type SelfcheckReady, type SelfcheckStatus } from './selfcheck-protocol.ts';
import { buildDenyAdviceFilter, installSeccompFilter } from './selfcheck-seccomp.ts';

const EINTR = 4;
const PAGE = 4096;
const opts = parseSelfcheckArgs(process.argv.slice(2));

// ---- memory with per-page checksums ----
/** Deterministic content of 32-bit word `i` of a region seeded `seed`. */
function word(seed: number, i: number): number {
  let x = Math.imul(i ^ seed, 0x9e3779b1) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x85ebca77) >>> 0;
  return (x ^ (x >>> 13)) >>> 0;
}

interface CheckedRegion {
  addr: bigint;
  bytes: number;
  words: Uint32Array;
  sums: Uint32Array;
  seed: number;
}

function makeRegion(mib: number, seed: number): CheckedRegion {
  const bytes = mib * 1024 * 1024;
  const addr = mmapAnon(bytes);
  const words = new Uint32Array(viewBytes(addr, bytes));
  const perPage = PAGE / 4;
  const sums = new Uint32Array(bytes / PAGE);
  for (let p = 0; p < sums.length; p++) {
    let s = 0;
    for (let w = 0; w < perPage; w++) {
      const v = word(seed, p * perPage + w);
      words[p * perPage + w] = v;
      s = (Math.imul(s, 31) + v) >>> 0;
    }
    sums[p] = s;
  }
  return { addr, bytes, words, sums, seed };
}

/** Number of pages whose checksum no longer matches. */
function verifyRegion(r: CheckedRegion): number {
  const perPage = PAGE / 4;
  let bad = 0;
  for (let p = 0; p < r.sums.length; p++) {
    let s = 0;
    const base = p * perPage;
    for (let w = 0; w < perPage; w++) s = (Math.imul(s, 31) + r.words[base + w]!) >>> 0;
    if (s !== r.sums[p]) bad++;
  }
  return bad;
}

const checked = makeRegion(opts.checkedMiB, 0x1234);
const idle = makeRegion(opts.idleMiB, 0x5678);

// ---- counters ----
const st: Omit<SelfcheckStatus, 'type' | 'workerCounts'> = {
  steps: 0,
  hashChecks: 0,
  hashFailures: 0,
  pageChecks: 0,
  pageFailures: 0,
  eintr: 0,
  otherErrors: 0,
  signals: 0,
  cycles: 0,
  blockingCalls: 0,
};
// The count also sits in a page of its own, which a tester may read through /proc/PID/mem
// without waiting for the main thread (to keep the signals it has not counted yet bounded).
const signalPage = mmapAnon(PAGE);
const signalCount = new Uint32Array(viewBytes(signalPage, PAGE), 0, 1);
process.on('SIGUSR2', () => {
  st.signals++;
  signalCount[0] = st.signals;
});

// ---- hash chain, verified by recomputation every 1024 steps ----
const RING = 1024;
const ring = new Uint32Array(RING);
let h = 0x811c9dc5;
function next(x: number, i: number): number {
  let y = Math.imul(x ^ i, 0x01000193) >>> 0;
  y ^= y >>> 16;
  return Math.imul(y, 0x7feb352d) >>> 0;
}
function step(): void {
  const i = st.steps;
  h = next(h, i);
  ring[i % RING] = h;
  st.steps++;
  if (st.steps % RING === 0) {
    let x = ring[0]!;
    const first = st.steps - RING;
    for (let k = 1; k < RING; k++) {
      x = next(x, first + k);
      if (x !== ring[k]) {
        st.hashFailures++;
        break;
      }
    }
    st.hashChecks++;
  }
}

// ---- blocking calls ----
const nanosleepNative: (req: Buffer, rem: Buffer | null) => number = libc.func('int nanosleep(void *req, void *rem)');
const readNative: (fd: number, buf: Buffer, n: number) => number = libc.func('long read(int fd, void *buf, size_t n)');
const timerfdCreate: (clock: number, flags: number) => number = libc.func('int timerfd_create(int clockid, int flags)');
const timerfdSettime: (fd: number, flags: number, nv: Buffer, old: Buffer | null) => number = libc.func('int timerfd_settime(int fd, int flags, void *nv, void *old)');
const epollCreate1: (flags: number) => number = libc.func('int epoll_create1(int flags)');
const epollWait: (epfd: number, events: Buffer, max: number, timeoutMs: number) => number = libc.func('int epoll_wait(int epfd, void *events, int max, int timeout)');
const FUTEX_WAIT_PRIVATE = 128;
const NR_FUTEX = 202;

const oneMs = Buffer.alloc(16);
oneMs.writeBigInt64LE(1_000_000n, 8);
const scratch = Buffer.alloc(64);
let timerFd = -1;
let epfd = -1;
let futexAddr = 0n;
if (opts.mode === 'read') {
  timerFd = timerfdCreate(1, 0);
  const spec = Buffer.alloc(32);
  spec.writeBigInt64LE(1_000_000n, 8); // it_interval 1 ms
  spec.writeBigInt64LE(1_000_000n, 24); // it_value 1 ms
  if (timerFd < 0 || timerfdSettime(timerFd, 0, spec, null) !== 0) throw new Error(`timerfd setup failed: errno ${lastErrno()}`);
} else if (opts.mode === 'epoll') {
  epfd = epollCreate1(0);
  if (epfd < 0) throw new Error(`epoll_create1 failed: errno ${lastErrno()}`);
} else if (opts.mode === 'futex') {
  futexAddr = mmapAnon(PAGE);
}

function countFailure(ret: number, expectedErrnos: number[]): void {
  if (ret >= 0) return;
  const e = lastErrno();
  if (e === EINTR) st.eintr++;
  else if (!expectedErrnos.includes(e)) st.otherErrors++;
}

function blockOnce(): void {
  st.blockingCalls++;
  switch (opts.mode) {
    case 'busy':
      return;
    case 'nanosleep':
      countFailure(nanosleepNative(oneMs, null), []);
      return;
    case 'read':
      countFailure(readNative(timerFd, scratch, 8), []);
      return;
    case 'epoll':
      countFailure(epollWait(epfd, scratch, 1, 1), []);
      return;
    case 'futex':
      countFailure(syscall(NR_FUTEX, 'void *', futexAddr, 'int', FUTEX_WAIT_PRIVATE, 'int', 0, 'void *', oneMs, 'void *', null, 'int', 0), [110, 11]);
      return;
  }
}

// ---- worker threads: real kernel threads that keep counting and checking ----
const shared = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, opts.threads)));
const workers: Worker[] = [];
const workerTids: number[] = [];
const workerSource = `
const { workerData, parentPort } = require('node:worker_threads');
const c = new Int32Array(workerData.sab);
let x = 1;
parentPort.postMessage('started');
for (;;) {
  for (let i = 0; i < 100000; i++) x = (Math.imul(x, 1103515245) + 12345) >>> 0;
  Atomics.add(c, workerData.index, 1);
}`;

async function startWorkers(): Promise<void> {
  const fs = await import('node:fs');
  for (let i = 0; i < opts.threads; i++) {
    const known = fs.readdirSync('/proc/self/task');
    const w = new Worker(workerSource, { eval: true, workerData: { sab: shared.buffer, index: i } });
    await new Promise<void>((res) => w.once('message', () => res()));
    const now = fs.readdirSync('/proc/self/task').map(Number);
    const fresh = now.filter((t) => !known.includes(String(t)));
    // A new Worker brings its own thread plus possibly helper threads; the busiest is the worker.
    workerTids.push(...fresh.slice(0, 1));
    w.unref();
    workers.push(w);
  }
}

// ---- main loop ----
function cycle(): void {
  const end = Date.now() + 20;
  while (Date.now() < end) {
    for (let k = 0; k < 64; k++) step();
    blockOnce();
  }
  st.pageFailures += verifyRegion(checked);
  st.pageChecks++;
  st.cycles++;
  setImmediate(cycle);
}

function send(obj: SelfcheckReady | SelfcheckStatus | { type: 'verified'; pageFailures: number }): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

async function main(): Promise<void> {
  let seccomp = { installed: false, madviseDenied: false };
  if (opts.seccomp) {
    installSeccompFilter(buildDenyAdviceFilter([ADVICE_VALUE.cold, ADVICE_VALUE.pageout]));
    let denied = false;
    try {
      madvise(idle.addr, PAGE, ADVICE_VALUE.cold);
    } catch (err) {
      denied = (err as { code?: string }).code === 'EPERM';
    }
    seccomp = { installed: true, madviseDenied: denied };
  }
  await startWorkers();
  readLines(process.stdin, (line) => {
    let cmd: string | undefined;
    try {
      cmd = (JSON.parse(line) as { cmd?: string }).cmd;
    } catch {
      return;
    }
    if (cmd === 'status') send({ type: 'status', ...st, workerCounts: Array.from(shared.slice(0, opts.threads)) });
    else if (cmd === 'verify-idle') send({ type: 'verified', pageFailures: verifyRegion(idle) });
    else if (cmd === 'exit') process.exit(0);
  });
  process.stdin.on('end', () => process.exit(0));
  process.stdout.on('error', () => process.exit(0));
  send({
    type: 'ready',
    pid: process.pid,
    mode: opts.mode,
    workerTids,
    seccomp,
    checked: { startAddr: Number(checked.addr), lengthBytes: checked.bytes },
    idle: { startAddr: Number(idle.addr), lengthBytes: idle.bytes },
    signalCountAddr: Number(signalPage),
  });
  setImmediate(cycle);
}

void main();
