/**
 * The control protocol between the runner and a workload process (docs/workload-protocol.md).
 *
 * JSON lines: the runner writes one command object per line to the workload's stdin; the
 * workload writes one reply object per line to its stdout (stderr is free for diagnostics).
 * The workload's first line is `ready`; every later line answers exactly one command and
 * echoes its `id`.
 */
import type { Content, MemoryKind, Region } from '../core/types.ts';

/** Name of the workload's main thread while it re-touches its memory (for probes keyed by comm). */
export const RETOUCH_COMM = 'hbw-retouch';
/** Name of the workload's main thread at all other times. */
export const IDLE_COMM = 'hbw-idle';

/** What the workload does between commands. */
export type WorkloadState = 'sleeping' | 'running';

/** Touch one byte of every page of every region and report time and faults. */
export interface RetouchCommand { type: 'retouch'; id: number }
/** Recompute every page's checksum and compare. */
export interface VerifyCommand { type: 'verify'; id: number }
/** Switch between idling in the event loop (`sleeping`) and spinning on the CPU (`running`). */
export interface StateCommand { type: 'state'; id: number; state: WorkloadState }
/** Reply, then exit with status 0. */
export interface ExitCommand { type: 'exit'; id: number }
/** Every command the runner may send. */
export type Command = RetouchCommand | VerifyCommand | StateCommand | ExitCommand;

/** First line from the workload: it has mapped and filled its memory. */
export interface ReadyReply {
  type: 'ready';
  /** Workload process id. */
  pid: number;
  /** Page size the workload used, in bytes. */
  pageSizeBytes: number;
  /** Mapped regions, one per VMA, in address order. */
  regions: Region[];
  /** Time from process start-up code to ready (map + fill + checksums), in ns. */
  setupNs: number;
}
/** Answer to `retouch`. */
export interface RetouchedReply {
  type: 'retouched';
  id: number;
  /** Wall time of the touch loop (process.hrtime.bigint()), in ns. */
  elapsedNs: number;
  /** Major faults during the loop (delta of /proc/self/stat majflt). */
  majorFaults: number;
  /** Minor faults during the loop (delta of /proc/self/stat minflt). */
  minorFaults: number;
  /** Pages touched. */
  pages: number;
}
/** Answer to `verify`. */
export interface VerifiedReply {
  type: 'verified';
  id: number;
  /** True when every page matches its checksum. */
  intact: boolean;
  /** Pages whose checksum differs. */
  corruptPages: number;
  /** Address of the first corrupt page, when there is one. */
  firstCorruptAddr?: number;
  /** Time the verification took, in ns. */
  elapsedNs: number;
}
/** Answer to `state`. */
export interface StateReply { type: 'state'; id: number; state: WorkloadState }
/** Answer to `exit`, written just before the workload exits. */
export interface ExitingReply { type: 'exiting'; id: number }
/** A command failed or could not be parsed (`id` is absent when the line had none). */
export interface ErrorReply { type: 'error'; id?: number; message: string }
/** Every line a workload may write. */
export type Reply = ReadyReply | RetouchedReply | VerifiedReply | StateReply | ExitingReply | ErrorReply;

/** The reply each command expects on success. */
export interface ReplyFor {
  retouch: RetouchedReply;
  verify: VerifiedReply;
  state: StateReply;
  exit: ExitingReply;
}

/** A line that is not a valid message. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

type Json = Record<string, unknown>;

function parseObject(line: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ProtocolError(`not JSON: ${truncate(line)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ProtocolError(`not a JSON object: ${truncate(line)}`);
  return value as Json;
}

function truncate(s: string): string {
  return s.length > 120 ? `${s.slice(0, 120)}...` : s;
}

function num(o: Json, key: string, what: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ProtocolError(`${what}: field ${key} must be a number, got ${JSON.stringify(v)}`);
  return v;
}

function int(o: Json, key: string, what: string): number {
  const v = num(o, key, what);
  if (!Number.isSafeInteger(v) || v < 0) throw new ProtocolError(`${what}: field ${key} must be a non-negative integer, got ${v}`);
  return v;
}

function bool(o: Json, key: string, what: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') throw new ProtocolError(`${what}: field ${key} must be a boolean, got ${JSON.stringify(v)}`);
  return v;
}

function state(o: Json, what: string): WorkloadState {
  const v = o.state;
  if (v !== 'sleeping' && v !== 'running') throw new ProtocolError(`${what}: field state must be "sleeping" or "running", got ${JSON.stringify(v)}`);
  return v;
}

const KINDS: readonly MemoryKind[] = ['anon'];
const CONTENTS: readonly Content[] = ['zero', 'random', 'mixed'];

function region(v: unknown, i: number): Region {
  const what = `ready: regions[${i}]`;
  if (typeof v !== 'object' || v === null) throw new ProtocolError(`${what} must be an object`);
  const o = v as Json;
  const kind = o.kind as MemoryKind;
  const content = o.content as Content;
  if (!KINDS.includes(kind)) throw new ProtocolError(`${what}: unknown kind ${JSON.stringify(o.kind)}`);
  if (!CONTENTS.includes(content)) throw new ProtocolError(`${what}: unknown content ${JSON.stringify(o.content)}`);
  return { startAddr: int(o, 'startAddr', what), lengthBytes: int(o, 'lengthBytes', what), kind, content };
}

/** Parses one command line (workload side). Throws ProtocolError on anything malformed. */
export function parseCommand(line: string): Command {
  const o = parseObject(line);
  const id = int(o, 'id', 'command');
  switch (o.type) {
    case 'retouch':
    case 'verify':
    case 'exit':
      return { type: o.type, id };
    case 'state':
      return { type: 'state', id, state: state(o, 'state') };
    default:
      throw new ProtocolError(`unknown command type ${JSON.stringify(o.type)}`);
  }
}

/** Parses one reply line (runner side). Throws ProtocolError on anything malformed. */
export function parseReply(line: string): Reply {
  const o = parseObject(line);
  const t = o.type;
  switch (t) {
    case 'ready': {
      if (!Array.isArray(o.regions)) throw new ProtocolError('ready: field regions must be an array');
      return { type: t, pid: int(o, 'pid', t), pageSizeBytes: int(o, 'pageSizeBytes', t), regions: o.regions.map(region), setupNs: int(o, 'setupNs', t) };
    }
    case 'retouched':
      return { type: t, id: int(o, 'id', t), elapsedNs: int(o, 'elapsedNs', t), majorFaults: int(o, 'majorFaults', t), minorFaults: int(o, 'minorFaults', t), pages: int(o, 'pages', t) };
    case 'verified': {
      const r: VerifiedReply = { type: t, id: int(o, 'id', t), intact: bool(o, 'intact', t), corruptPages: int(o, 'corruptPages', t), elapsedNs: int(o, 'elapsedNs', t) };
      if (o.firstCorruptAddr !== undefined) r.firstCorruptAddr = int(o, 'firstCorruptAddr', t);
      if (r.intact !== (r.corruptPages === 0)) throw new ProtocolError(`verified: intact=${r.intact} contradicts corruptPages=${r.corruptPages}`);
      return r;
    }
    case 'state':
      return { type: t, id: int(o, 'id', t), state: state(o, t) };
    case 'exiting':
      return { type: t, id: int(o, 'id', t) };
    case 'error': {
      if (typeof o.message !== 'string') throw new ProtocolError('error: field message must be a string');
      const r: ErrorReply = { type: t, message: o.message };
      if (o.id !== undefined) r.id = int(o, 'id', t);
      return r;
    }
    default:
      throw new ProtocolError(`unknown reply type ${JSON.stringify(t)}`);
  }
}

/** Serialises a message as one protocol line (with the trailing newline). */
export function encodeLine(message: Command | Reply): string {
  return `${JSON.stringify(message)}\n`;
}
