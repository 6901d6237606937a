/**
 * The control protocol between the runner and a workload process (docs/workload-protocol.md).
 * Its messages are declared once, as schemas, in core/schema/workload-protocol.ts; this module
 * gives them names and reads and writes protocol lines.
 */
import type { z } from 'zod';
import { CommandSchema, ReplySchema, type ReadyReplySchema, type TouchSetSchema, type WorkloadStateSchema } from '../core/schema/workload-protocol.ts';
import { SchemaViolation, check, parseJson } from '../core/schema/validate.ts';

/** Name of the workload's main thread while it re-touches its memory (for probes keyed by comm). */
export const RETOUCH_COMM = 'hbw-retouch';
/** Name of the workload's main thread at all other times. */
export const IDLE_COMM = 'hbw-idle';

/** What the workload does between commands. */
export type WorkloadState = z.infer<typeof WorkloadStateSchema>;
/** Which sets a `touch` reads. */
export type TouchSet = z.infer<typeof TouchSetSchema>;
/** Every command the runner may send. */
export type Command = z.infer<typeof CommandSchema>;
/** Every line a workload may write. */
export type Reply = z.infer<typeof ReplySchema>;
/** First line from the workload: it has mapped and filled its memory. */
export type ReadyReply = z.infer<typeof ReadyReplySchema>;
/** Answer to `retouch`. */
export type RetouchedReply = Extract<Reply, { type: 'retouched' }>;
/** Answer to `verify`. */
export type VerifiedReply = Extract<Reply, { type: 'verified' }>;
/** A command failed or could not be parsed. */
export type ErrorReply = Extract<Reply, { type: 'error' }>;
/** Answer to `measure` (working-set workload). */
export type MeasuredReply = Extract<Reply, { type: 'measured' }>;
/** Answer to `touch` (working-set workload). */
export type TouchedReply = Extract<Reply, { type: 'touched' }>;
/** Answer to `residency` (working-set workload). */
export type ResidencyReply = Extract<Reply, { type: 'residency' }>;

/** Answer to `advise` (working-set workload). */
export type AdvisedReply = Extract<Reply, { type: 'advised' }>;
/** Answer to `churnlog` (churn workload). */
export type ChurnLogReply = Extract<Reply, { type: 'churnlog' }>;

/** The reply each command expects on success. */
export interface ReplyFor {
  retouch: RetouchedReply;
  verify: VerifiedReply;
  state: Extract<Reply, { type: 'state' }>;
  exit: Extract<Reply, { type: 'exiting' }>;
  measure: MeasuredReply;
  touch: TouchedReply;
  residency: ResidencyReply;
  advise: AdvisedReply;
  churnlog: ChurnLogReply;
}

/** A line that is not a valid message. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** Longest part of a bad line quoted in an error. */
const QUOTED_CHARS = 120;

/** Parses and checks one line against `schema`; a bad line is a ProtocolError naming the message type and field. */
function parseLine<S extends typeof CommandSchema | typeof ReplySchema>(schema: S, line: string, what: string): z.output<S> {
  try {
    const value = parseJson(line, '');
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SchemaViolation('', 'not a JSON object', '');
    return check(schema, value, '') as z.output<S>;
  } catch (err) {
    if (!(err instanceof SchemaViolation)) throw err;
    const type = (() => {
      try {
        const t = (JSON.parse(line) as { type?: unknown }).type;
        return typeof t === 'string' ? `${t} ` : '';
      } catch {
        return '';
      }
    })();
    const quoted = line.length > QUOTED_CHARS ? `${line.slice(0, QUOTED_CHARS)}...` : line;
    throw new ProtocolError(err.path === '' ? `${err.message}: ${quoted}` : `${err.path === 'type' ? '' : type}${what}: ${err.message}`);
  }
}

/** Parses one command line (workload side). Throws ProtocolError on anything malformed. */
export function parseCommand(line: string): Command {
  return parseLine(CommandSchema, line, 'command');
}

/** Parses one reply line (runner side). Throws ProtocolError on anything malformed. */
export function parseReply(line: string): Reply {
  return parseLine(ReplySchema, line, 'reply');
}

/** Serialises a message as one protocol line (with the trailing newline). */
export function encodeLine(message: Command | Reply): string {
  return `${JSON.stringify(message)}\n`;
}
