/**
 * The churn workload: keeps mapping and unmapping anonymous regions, and logs every mapping
 * with a generation number, so that a hint another process delivered can be judged afterwards
 * against what was mapped where, and when (the race family, docs/claims-race.md).
 *
 *   node --import tsx workloads/churn.ts --slots N --ops-per-sec R --min-kib A --max-kib B [--seed S]
 *
 * Its memory is an arena: one PROT_NONE reservation cut into `slots` fixed slots of maxKiB
 * each, with a guard page after every slot, so that no two mappings ever merge into one VMA
 * and every mapping's start address is its slot's. At start every slot is mapped. Then, at
 * `opsPerSec`, an operation picks a random slot: a mapped slot is unmapped (the range is
 * mapped PROT_NONE over with MAP_FIXED, which frees its pages as munmap does and gives the
 * addresses back to the arena rather than to the rest of the process), an empty one gets a
 * new mapping of a random length in [minKiB, maxKiB] (MAP_FIXED, private anonymous,
 * MADV_NOHUGEPAGE), whose every page is written at once (generation, page index and a
 * pattern), so that it is resident and reclaim of it is observable. The same address thus
 * holds one generation after another.
 *
 * The log holds every mapping: generation, slot, address, length, and the CLOCK_MONOTONIC
 * times around its mmap (including the fill) and around its unmap. `churnlog` returns it;
 * `verify` checks every page of every mapping still mapped; `retouch` reads them all.
 * Operations run from timers on the main thread, so a stopped, frozen or traced workload
 * makes none; commands are answered between operations.
 */
import { constants } from 'node:os';
import { mulberry32 } from '../core/stats/random.ts';
import type { ChurnMapping } from '../core/schema/race.ts';
import { MAP_FIXED } from '../core/sys/mapping.ts';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_NONE, PROT_READ, PROT_WRITE, madvise, mmapAnon, pageSizeBytes, viewBytes } from '../core/sys/mman.ts';
import { mmapFixed } from '../core/sys/mapping.ts';
import { setParentDeathSignal, setThreadName } from '../core/sys/prctl.ts';
import { readStatFaults } from '../core/proc/stat.ts';
import { MADV_NOHUGEPAGE } from '../core/sys/syscall.ts';
import { parseChurnOptions, type ChurnOptions } from './churn-options.ts';
import { IDLE_COMM, RETOUCH_COMM, type Command } from './protocol.ts';
import { send, sendVerified, serveCommands } from './serve.ts';

const startNs = process.hrtime.bigint();
/** Most operations one timer callback catches up on before it yields to the event loop. */
const MAX_OPS_PER_TICK = 64;

function fail(message: string): never {
  process.stderr.write(`churn workload: ${message}\n`);
  process.exit(2);
}

setParentDeathSignal(constants.signals.SIGKILL);
const expectedParent = Number(process.env.HBW_PARENT_PID ?? Number.NaN);
if (Number.isInteger(expectedParent) && process.ppid !== expectedParent) fail(`runner ${expectedParent} is gone (parent is now ${process.ppid})`);

let opts: ChurnOptions;
try {
  opts = parseChurnOptions(process.argv.slice(2));
} catch (e) {
  fail((e as Error).message);
}
const { spec } = opts;
const pageSize = pageSizeBytes();
const wordsPerPage = pageSize / 4;
const minPages = Math.max(1, Math.floor((spec.minKiB * 1024) / pageSize));
const maxPages = Math.max(minPages, Math.floor((spec.maxKiB * 1024) / pageSize));
const slotStride = (maxPages + 1) * pageSize;
const arenaLength = spec.slots * slotStride;
const arenaStart = mmapAnon(arenaLength, { prot: PROT_NONE });
const random = mulberry32(opts.seed);

const nowNs = (): number => Number(process.hrtime.bigint());

/** A mapping still mapped: its log entry and a view over it. */
interface Live {
  entry: ChurnMapping;
  words: Uint32Array;
}

/** Every mapping ever made, by generation (index = generation - 1). */
const log: ChurnMapping[] = [];
/** What each slot holds. */
const slots: (Live | null)[] = Array.from({ length: spec.slots }, () => null);
/** Operations done. */
let ops = 0;
/** Index of the next operation in the schedule (one every 1/opsPerSec s); ahead of `ops` when a backlog was skipped. */
let nextOp = 0;
/** Sum of the bytes the retouch read (kept so that the reads are not optimised away). */
let sink = 0;

/** The pattern word of one page of one generation (pages other than the first two words). */
function patternWord(generation: number, page: number): number {
  return Math.imul(generation * 0x10001 + page + 1, 0x9e3779b1) >>> 0;
}

/** Maps a new generation at slot `slot` and writes every page. */
function mapSlot(slot: number): void {
  const pages = minPages + Math.floor(random() * (maxPages - minPages + 1));
  const lengthBytes = pages * pageSize;
  const addr = arenaStart + BigInt(slot * slotStride);
  const generation = log.length + 1;
  const mapStartNs = nowNs();
  mmapFixed(addr, lengthBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
  madvise(addr, lengthBytes, MADV_NOHUGEPAGE);
  const words = new Uint32Array(viewBytes(addr, lengthBytes));
  for (let p = 0; p < pages; p++) {
    const w = p * wordsPerPage;
    words.fill(patternWord(generation, p), w + 2, w + wordsPerPage);
    words[w] = generation;
    words[w + 1] = p;
  }
  const entry: ChurnMapping = { generation, slot, startAddr: Number(addr), lengthBytes, mapStartNs, mapEndNs: nowNs(), unmapStartNs: null, unmapEndNs: null };
  log.push(entry);
  slots[slot] = { entry, words };
}

/** Unmaps what slot `slot` holds (PROT_NONE over it, MAP_FIXED: its pages are freed). */
function unmapSlot(slot: number): void {
  const live = slots[slot];
  if (live === null || live === undefined) return;
  slots[slot] = null;
  const { entry } = live;
  entry.unmapStartNs = nowNs();
  mmapFixed(BigInt(entry.startAddr), entry.lengthBytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1);
  entry.unmapEndNs = nowNs();
}

/** One operation: unmap a random mapped slot, or map a random empty one. */
function operate(): void {
  const slot = Math.floor(random() * spec.slots);
  if (slots[slot] === null) mapSlot(slot);
  else unmapSlot(slot);
  ops++;
}

for (let s = 0; s < spec.slots; s++) mapSlot(s);
setThreadName(IDLE_COMM);

const intervalNs = 1e9 / spec.opsPerSec;
const churnStartNs = nowNs();

/** Runs the operations that are due (at most MAX_OPS_PER_TICK), then waits for the next one. */
function tick(): void {
  const due = Math.floor((nowNs() - churnStartNs) / intervalNs) + 1;
  let n = 0;
  while (nextOp < due && n < MAX_OPS_PER_TICK) {
    operate();
    nextOp++;
    n++;
  }
  // Behind schedule by more than a tick's worth (e.g. after a stop): skip the backlog rather than burst.
  if (nextOp < due) nextOp = due;
  const nextDueNs = churnStartNs + nextOp * intervalNs;
  setTimeout(tick, Math.max(0, Math.floor((nextDueNs - nowNs()) / 1e6)));
}
setTimeout(tick, 0);

/** Checks every page of every mapping still mapped: how many differ, and the first's address. */
function verifyLive(): { corruptPages: number; firstCorruptAddr: number | null } {
  let corruptPages = 0;
  let firstCorruptAddr: number | null = null;
  for (const live of slots) {
    if (live === null) continue;
    const { entry, words } = live;
    const pages = entry.lengthBytes / pageSize;
    for (let p = 0; p < pages; p++) {
      const w = p * wordsPerPage;
      const want = patternWord(entry.generation, p);
      let ok = words[w] === entry.generation && words[w + 1] === p;
      for (let i = w + 2; ok && i < w + wordsPerPage; i++) ok = words[i] === want;
      if (ok) continue;
      corruptPages++;
      firstCorruptAddr ??= entry.startAddr + p * pageSize;
    }
  }
  return { corruptPages, firstCorruptAddr };
}

function handle(cmd: Command): void {
  switch (cmd.type) {
    case 'churnlog': {
      const entries = log.filter((e) => e.unmapEndNs === null || e.unmapEndNs >= cmd.sinceNs);
      send({ type: 'churnlog', id: cmd.id, arenaStartAddr: Number(arenaStart), arenaLengthBytes: arenaLength, ops, atNs: nowNs(), entries });
      return;
    }
    case 'verify':
      sendVerified(cmd.id, verifyLive);
      return;
    case 'retouch': {
      setThreadName(RETOUCH_COMM);
      const before = readStatFaults(process.pid);
      const t0 = process.hrtime.bigint();
      let sum = sink;
      let pages = 0;
      for (const live of slots) {
        if (live === null) continue;
        for (let w = 0; w < live.words.length; w += wordsPerPage) sum = (sum + live.words[w]!) | 0;
        pages += live.entry.lengthBytes / pageSize;
      }
      sink = sum;
      const t1 = process.hrtime.bigint();
      const after = readStatFaults(process.pid);
      setThreadName(IDLE_COMM);
      send({ type: 'retouched', id: cmd.id, elapsedNs: Number(t1 - t0), majorFaults: after.majflt - before.majflt, minorFaults: after.minflt - before.minflt, pages });
      return;
    }
    case 'state':
      if (cmd.state !== 'sleeping') throw new Error(`the churn workload churns between commands; state ${cmd.state} is not supported`);
      send({ type: 'state', id: cmd.id, state: cmd.state });
      return;
    case 'exit':
      send({ type: 'exiting', id: cmd.id });
      process.exit(0);
      break;
    default:
      send({ type: 'error', id: cmd.id, message: `the churn workload does not answer ${cmd.type}` });
  }
}

serveCommands(handle);

const regions = slots.flatMap((l) => (l === null ? [] : [{ startAddr: l.entry.startAddr, lengthBytes: l.entry.lengthBytes, kind: 'anon' as const, content: 'mixed' as const }]));
send({ type: 'ready', pid: process.pid, pageSizeBytes: pageSize, regions, setupNs: Number(process.hrtime.bigint() - startNs) });
