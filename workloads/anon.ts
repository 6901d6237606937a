/**
 * The anonymous-memory workload: maps private anonymous memory, fills it, announces its
 * regions and obeys the control protocol (docs/workload-protocol.md).
 *
 *   node --import tsx workloads/anon.ts --size-mib N --content zero|random|mixed --vmas K
 *     [--kind anon|file_private|file_shared|shmem|memfd|thp] [--file-dir DIR]
 *
 * Despite its name it maps any memory kind (workloads/kinds.ts); private anonymous by default.
 *
 * It dies with the runner: PR_SET_PDEATHSIG(SIGKILL) at start, and exit when stdin closes.
 */
import { constants } from 'node:os';
import { parseArgs } from 'node:util';
import { CONTENTS, MEMORY_KINDS, isOneOf } from '../core/schema/enums.ts';
import type { Content, MemoryKind } from '../core/types.ts';
import { pageSizeBytes } from '../core/sys/mman.ts';
import { setParentDeathSignal, setThreadName } from '../core/sys/prctl.ts';
import { readStatFaults } from '../core/proc/stat.ts';
import { AnonMemory } from './memory.ts';
import { backingFor, defaultFileDir, fileDirProblem } from './kinds.ts';
import { IDLE_COMM, RETOUCH_COMM, type Command, type WorkloadState } from './protocol.ts';
import { send, sendVerified, serveCommands } from './serve.ts';

const startNs = process.hrtime.bigint();
/** Length of one spin slice in `running` state before yielding to the event loop, ns. */
const SPIN_SLICE_NS = 1_000_000n;

/** Parsed command line. */
interface Options {
  sizeMiB: number;
  content: Content;
  vmas: number;
  kind: MemoryKind;
  /** Where file kinds create their (immediately unlinked) files. */
  fileDir: string;
}

function fail(message: string): never {
  process.stderr.write(`anon workload: ${message}\n`);
  process.exit(2);
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      'size-mib': { type: 'string' },
      content: { type: 'string' },
      vmas: { type: 'string', default: '1' },
      kind: { type: 'string', default: 'anon' },
      'file-dir': { type: 'string', default: defaultFileDir() },
    },
    strict: true,
  });
  const sizeMiB = Number(values['size-mib']);
  if (!(sizeMiB > 0)) fail(`--size-mib must be a positive number, got ${values['size-mib']}`);
  const content = values.content;
  if (content === undefined || !isOneOf(CONTENTS, content)) fail(`--content must be one of ${CONTENTS.join(', ')}, got ${content}`);
  const vmas = Number(values.vmas);
  if (!Number.isInteger(vmas) || vmas < 1) fail(`--vmas must be a positive integer, got ${values.vmas}`);
  const kind = values.kind;
  if (!isOneOf(MEMORY_KINDS, kind)) fail(`--kind must be one of ${MEMORY_KINDS.join(', ')}, got ${kind}`);
  const fileDir = values['file-dir'];
  const dirProblem = kind === 'file_private' || kind === 'file_shared' ? fileDirProblem(fileDir) : null;
  if (dirProblem !== null) fail(`--file-dir: ${dirProblem}; pass a directory on a disk file system`);
  return { sizeMiB, content, vmas, kind, fileDir };
}

// Die with the runner, even if it is SIGKILLed. If it already died before prctl took effect
// we were re-parented: the runner tells us its pid so we can notice.
setParentDeathSignal(constants.signals.SIGKILL);
const expectedParent = Number(process.env.HBW_PARENT_PID ?? Number.NaN);
if (Number.isInteger(expectedParent) && process.ppid !== expectedParent) fail(`runner ${expectedParent} is gone (parent is now ${process.ppid})`);

const opts = parseOptions(process.argv.slice(2));
const pageSize = pageSizeBytes();
const totalPages = Math.ceil((opts.sizeMiB * 1024 * 1024) / pageSize);
if (opts.vmas > totalPages) fail(`--vmas ${opts.vmas} is more than the ${totalPages} pages of ${opts.sizeMiB} MiB`);
const memory = new AnonMemory({
  totalPages,
  vmas: opts.vmas,
  content: opts.content,
  pageSizeBytes: pageSize,
  backing: backingFor(opts.kind, { fileDir: opts.fileDir, pageSizeBytes: pageSize }),
});
setThreadName(IDLE_COMM);

let state: WorkloadState = 'sleeping';
let spinSink = 0;
/** True while a spin() slice is queued, so at most one spin chain exists. */
let spinQueued = false;

/** One slice of CPU work, then back to the event loop so commands are still read. */
function spin(): void {
  spinQueued = false;
  if (state !== 'running') return;
  const end = process.hrtime.bigint() + SPIN_SLICE_NS;
  let x = spinSink | 1;
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < 1000; i++) x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) | 1;
  }
  spinSink = x;
  spinQueued = true;
  setImmediate(spin);
}

function handle(cmd: Command): void {
  switch (cmd.type) {
    case 'retouch': {
      setThreadName(RETOUCH_COMM);
      const before = readStatFaults(process.pid);
      const t0 = process.hrtime.bigint();
      spinSink ^= memory.touchAll();
      const t1 = process.hrtime.bigint();
      const after = readStatFaults(process.pid);
      setThreadName(IDLE_COMM);
      send({
        type: 'retouched',
        id: cmd.id,
        elapsedNs: Number(t1 - t0),
        majorFaults: after.majflt - before.majflt,
        minorFaults: after.minflt - before.minflt,
        pages: memory.pages,
      });
      return;
    }
    case 'verify':
      sendVerified(cmd.id, () => memory.verify());
      return;
    case 'state': {
      state = cmd.state;
      if (state === 'running' && !spinQueued) {
        spinQueued = true;
        setImmediate(spin);
      }
      send({ type: 'state', id: cmd.id, state });
      return;
    }
    case 'exit':
      send({ type: 'exiting', id: cmd.id });
      process.exit(0);
      break;
    default:
      send({ type: 'error', id: cmd.id, message: `the memory workload does not answer ${cmd.type} (the working-set workload does)` });
  }
}

serveCommands(handle);

send({ type: 'ready', pid: process.pid, pageSizeBytes: pageSize, regions: memory.regions, setupNs: Number(process.hrtime.bigint() - startNs) });
