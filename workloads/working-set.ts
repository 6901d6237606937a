/**
 * The working-set workload: a hot set it keeps reading and a cold set it leaves alone after
 * the fill, each of its own size, memory kind and content. It speaks the workload protocol
 * (docs/workload-protocol.md) and answers `measure` (hot-set reads at a fixed rate, every
 * access timed), `touch` (read a set, faults split by set) and `residency` besides the
 * common commands.
 *
 *   node --import tsx workloads/working-set.ts --hot-mib N --cold-mib M
 *     [--hot-kind K] [--cold-kind K] [--hot-content C] [--cold-content C] [--file-dir DIR]
 *
 * Faults are split by set with mincore(2): a page that is not resident just before the
 * workload reads it takes a fault there. For anonymous memory swapped to zram (no swap
 * readahead) each such page is one major fault, which `touch` and `measure` let the caller
 * check against the process's own major-fault count.
 */
import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { madvise, pageSizeBytes } from '../core/sys/mman.ts';
import { closeFd, pidfdOpen } from '../core/sys/pidfd.ts';
import { processMadviseAll } from '../core/sys/process-madvise.ts';
import { ADVICE_VALUE } from '../core/sys/syscall.ts';
import { residentPages } from '../core/sys/mapping.ts';
import { setParentDeathSignal, setThreadName } from '../core/sys/prctl.ts';
import { readStatFaults } from '../core/proc/stat.ts';
import type { Region } from '../core/types.ts';
import { AnonMemory, type PageSlot } from './memory.ts';
import { backingFor, fileDirProblem } from './kinds.ts';
import { IDLE_COMM, RETOUCH_COMM, type Command, type MeasuredReply, type TouchSet } from './protocol.ts';
import { send, sendVerified, serveCommands } from './serve.ts';
import { latencyQuantiles, parseWorkingSetOptions, type WorkingSetOptions } from './working-set-options.ts';

const startNs = process.hrtime.bigint();

function fail(message: string): never {
  process.stderr.write(`working-set workload: ${message}\n`);
  process.exit(2);
}

/** One set: its memory, its single region and where each page is. */
interface WorkingSetPart {
  role: 'hot' | 'cold';
  memory: AnonMemory;
  region: Region;
  slots: PageSlot[];
}

setParentDeathSignal(constants.signals.SIGKILL);
const expectedParent = Number(process.env.HBW_PARENT_PID ?? Number.NaN);
if (Number.isInteger(expectedParent) && process.ppid !== expectedParent) fail(`runner ${expectedParent} is gone (parent is now ${process.ppid})`);

let opts: WorkingSetOptions;
try {
  opts = parseWorkingSetOptions(process.argv.slice(2));
} catch (e) {
  fail((e as Error).message);
}
const pageSize = pageSizeBytes();
for (const role of ['hot', 'cold'] as const) {
  const kind = opts.spec[role].kind;
  const problem = kind === 'file_private' || kind === 'file_shared' ? fileDirProblem(opts.fileDir) : null;
  if (problem !== null) fail(`--file-dir: ${problem}; pass a directory on a disk file system`);
}

function makePart(role: 'hot' | 'cold'): WorkingSetPart {
  const p = opts.spec[role];
  const totalPages = Math.ceil((p.sizeMiB * 1024 * 1024) / pageSize);
  const memory = new AnonMemory({
    totalPages,
    vmas: 1,
    content: p.content,
    pageSizeBytes: pageSize,
    backing: backingFor(p.kind, { fileDir: opts.fileDir, pageSizeBytes: pageSize }),
  });
  const region = { ...memory.regions[0]!, role };
  return { role, memory, region, slots: memory.pageSlots() };
}

const hot = makePart('hot');
const cold = makePart('cold');
setThreadName(IDLE_COMM);
let sink = 0;
/** mincore vector, one byte per page of the larger set. */
const residencyVec = new Uint8Array(Math.max(hot.slots.length, cold.slots.length));

/** Resident pages among `count` pages of a part from page `first`. */
function resident(part: WorkingSetPart, first: number, count: number): number {
  return residentPages(BigInt(part.region.startAddr + first * pageSize), count, pageSize, residencyVec);
}

/** Reads `count` pages of a part from `first` (wrapping at its end), timing each read into `lat`; returns pages that were not resident. */
function timedReads(part: WorkingSetPart, first: number, count: number, lat: Float64Array, latOffset: number): number {
  const n = part.slots.length;
  const head = Math.min(count, n - first);
  const absent = head - resident(part, first, head) + (count > head ? count - head - resident(part, 0, count - head) : 0);
  let s = sink;
  for (let i = 0; i < count; i++) {
    const slot = part.slots[(first + i) % n]!;
    const t0 = performance.now();
    s = (s + slot.bytes[slot.offset]!) | 0;
    lat[latOffset + i] = (performance.now() - t0) * 1e6;
  }
  sink = s;
  return absent;
}

async function measure(cmd: Extract<Command, { type: 'measure' }>): Promise<MeasuredReply> {
  const batchPages = Math.min(cmd.batchPages, hot.slots.length);
  const all = new Float64Array(cmd.batches * batchPages);
  const batches: MeasuredReply['batches'] = [];
  const intervalMs = cmd.intervalUs / 1000;
  let cursor = 0;
  let faultedPages = 0;
  let lateBatches = 0;
  const faults0 = readStatFaults(process.pid);
  const t0 = performance.now();
  for (let b = 0; b < cmd.batches; b++) {
    const due = t0 + b * intervalMs;
    const waitMs = due - performance.now();
    if (waitMs >= 1) await sleep(Math.floor(waitMs));
    while (performance.now() < due) {
      /* the last part of a millisecond: timers are not finer */
    }
    const start = performance.now();
    if (start - due > intervalMs && intervalMs > 0) lateBatches++;
    const faulted = timedReads(hot, cursor, batchPages, all, b * batchPages);
    cursor = (cursor + batchPages) % hot.slots.length;
    faultedPages += faulted;
    batches.push({ offsetNs: Math.round((start - t0) * 1e6), pages: batchPages, faultedPages: faulted, ...latencyQuantiles(all.subarray(b * batchPages, (b + 1) * batchPages)) });
  }
  const elapsedNs = Math.round((performance.now() - t0) * 1e6);
  const faults1 = readStatFaults(process.pid);
  return {
    type: 'measured',
    id: cmd.id,
    batches,
    pages: all.length,
    faultedPages,
    lateBatches,
    elapsedNs,
    majorFaults: faults1.majflt - faults0.majflt,
    minorFaults: faults1.minflt - faults0.minflt,
    ...latencyQuantiles(all),
  };
}

/** Reads every page of the chosen sets; per set, how many were not resident first. */
function touch(set: TouchSet): { sets: Array<{ role: 'hot' | 'cold'; pages: number; faultedPages: number }>; elapsedNs: number; majorFaults: number; minorFaults: number } {
  const parts = set === 'all' ? [hot, cold] : [set === 'hot' ? hot : cold];
  const before = readStatFaults(process.pid);
  const t0 = process.hrtime.bigint();
  const sets = parts.map((part) => {
    const faultedPages = part.slots.length - resident(part, 0, part.slots.length);
    sink ^= part.memory.touchAll();
    return { role: part.role, pages: part.slots.length, faultedPages };
  });
  const elapsedNs = Number(process.hrtime.bigint() - t0);
  const after = readStatFaults(process.pid);
  return { sets, elapsedNs, majorFaults: after.majflt - before.majflt, minorFaults: after.minflt - before.minflt };
}

/**
 * The cooperative baseline: the workload hints its own memory, with one madvise(2) per
 * region, or with process_madvise(2) on a pidfd of its own pid (as jemalloc does for
 * vectored purges). A failed call is reported, not thrown.
 */
function adviseSelf(cmd: Extract<Command, { type: 'advise' }>): { bytesAdvised: number; syscalls: number; elapsedNs: number; error: string | null } {
  const regions = (cmd.set === 'all' ? [hot, cold] : [cold]).map((p) => p.region);
  const advice = ADVICE_VALUE[cmd.advice];
  if (cmd.via === 'process_madvise') {
    const t0 = process.hrtime.bigint();
    let pidfd = -1;
    try {
      pidfd = pidfdOpen(process.pid);
      const r = processMadviseAll(pidfd, regions, advice);
      const skipped = r.skipped.map((s) => `${s.lengthBytes} bytes at 0x${s.startAddr.toString(16)}: ${s.reason}`);
      const error = r.error ?? (skipped.length > 0 ? `skipped ${skipped.join('; ')}` : null);
      return { bytesAdvised: r.bytesAdvised, syscalls: r.syscalls, elapsedNs: Number(process.hrtime.bigint() - t0), error };
    } catch (e) {
      return { bytesAdvised: 0, syscalls: 0, elapsedNs: Number(process.hrtime.bigint() - t0), error: (e as Error).message };
    } finally {
      if (pidfd >= 0) closeFd(pidfd);
    }
  }
  let bytesAdvised = 0;
  let syscalls = 0;
  const t0 = process.hrtime.bigint();
  for (const r of regions) {
    syscalls++;
    try {
      madvise(BigInt(r.startAddr), r.lengthBytes, advice);
      bytesAdvised += r.lengthBytes;
    } catch (e) {
      return { bytesAdvised, syscalls, elapsedNs: Number(process.hrtime.bigint() - t0), error: (e as Error).message };
    }
  }
  return { bytesAdvised, syscalls, elapsedNs: Number(process.hrtime.bigint() - t0), error: null };
}

async function handle(cmd: Command): Promise<void> {
  switch (cmd.type) {
    case 'measure':
      setThreadName(RETOUCH_COMM);
      try {
        send(await measure(cmd));
      } finally {
        setThreadName(IDLE_COMM);
      }
      return;
    case 'touch':
      send({ type: 'touched', id: cmd.id, ...touch(cmd.set) });
      return;
    case 'retouch': {
      setThreadName(RETOUCH_COMM);
      const t = touch('all');
      setThreadName(IDLE_COMM);
      send({ type: 'retouched', id: cmd.id, elapsedNs: t.elapsedNs, majorFaults: t.majorFaults, minorFaults: t.minorFaults, pages: hot.slots.length + cold.slots.length });
      return;
    }
    case 'residency':
      send({ type: 'residency', id: cmd.id, sets: [hot, cold].map((p) => ({ role: p.role, pages: p.slots.length, residentPages: resident(p, 0, p.slots.length) })) });
      return;
    case 'advise':
      send({ type: 'advised', id: cmd.id, ...adviseSelf(cmd) });
      return;
    case 'verify':
      sendVerified(cmd.id, () => {
        const h = hot.memory.verify();
        const c = cold.memory.verify();
        return { corruptPages: h.corruptPages + c.corruptPages, firstCorruptAddr: h.firstCorruptAddr ?? c.firstCorruptAddr };
      });
      return;
    case 'state':
      if (cmd.state !== 'sleeping') throw new Error(`the working-set workload only sleeps between commands; state ${cmd.state} is not supported`);
      send({ type: 'state', id: cmd.id, state: cmd.state });
      return;
    case 'exit':
      send({ type: 'exiting', id: cmd.id });
      process.exit(0);
  }
}

serveCommands(handle);

send({ type: 'ready', pid: process.pid, pageSizeBytes: pageSize, regions: [hot.region, cold.region], setupNs: Number(process.hrtime.bigint() - startNs) });
