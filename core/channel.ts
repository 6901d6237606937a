/**
 * JSON lines between two processes: one JSON object per line in each direction. This module
 * is the one line splitter and the one request/response correlator of hintbench:
 *
 * - LineSplitter / readLines(): complete lines out of a stream of chunks;
 * - JsonLinesChannel: numbers each request with an `id`, matches the response that repeats
 *   it, gives every request a timeout, hands lines that answer no request (announcements
 *   such as `ready`) to `onEvent`, and fails every pending and later request once the peer
 *   is gone or broke the protocol.
 */
import type { Readable, Writable } from 'node:stream';

/**
 * Splits a stream of chunks into complete lines. Feed chunks as they arrive; push() returns
 * the lines completed by this chunk; flush() returns a last unterminated line, if any.
 */
export class LineSplitter {
  private rest = '';

  /** Adds a chunk and returns the complete lines it finished (without the newline). */
  push(chunk: string): string[] {
    const text = this.rest + chunk;
    const parts = text.split('\n');
    this.rest = parts.pop() ?? '';
    return parts;
  }

  /** Returns the text after the last newline and clears it. */
  flush(): string[] {
    const last = this.rest;
    this.rest = '';
    return last === '' ? [] : [last];
  }
}

/** Calls `onLine` for every complete line of `input` (UTF-8), and for a last unterminated one when it ends. */
export function readLines(input: Readable, onLine: (line: string) => void): void {
  const splitter = new LineSplitter();
  input.setEncoding('utf8');
  input.on('data', (chunk: string) => {
    for (const line of splitter.push(chunk)) onLine(line);
  });
  input.on('end', () => {
    for (const line of splitter.flush()) onLine(line);
  });
}

/** A message type without its `id` (distributed over a union), as a request is written before it is numbered. */
export type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** Options of a JsonLinesChannel. */
export interface ChannelOptions<In> {
  /** Where the peer's lines come from (its stdout, or this process's stdin). */
  input: Readable;
  /** Where requests go (its stdin, or this process's stdout). */
  output: Writable;
  /** Checks one line and returns the message; throws (with a message naming the field) when it is not one. */
  parse: (line: string) => In;
  /** The id of the request a message answers, or undefined for a message that answers none. */
  idOf: (message: In) => number | undefined;
  /** Messages that answer no request (e.g. a `ready` announcement); throwing makes the message a violation. */
  onEvent?: (message: In) => void;
  /** A line that is not a message, or answers a request nobody sent; the channel is closed with this error afterwards. */
  onViolation?: (error: Error) => void;
  /** Default time a request waits for its response, in ms. */
  timeoutMs: number;
  /** Makes the error a request fails with (`what` says what happened); default: Error(what). */
  error?: (what: string) => Error;
}

interface Pending<In> {
  resolve: (message: In) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** Requests to a peer (objects that get an `id` when sent) and their responses, over JSON lines. */
export class JsonLinesChannel<Out extends object, In> {
  private readonly pending = new Map<number, Pending<In>>();
  private nextId = 1;
  private failure: Error | null = null;
  private readonly makeError: (what: string) => Error;

  constructor(private readonly opts: ChannelOptions<In>) {
    this.makeError = opts.error ?? ((what) => new Error(what));
    opts.output.on('error', () => {
      // EPIPE when the peer is gone: reported by whoever watches it exit.
    });
    readLines(opts.input, (line) => this.onLine(line));
  }

  /** Requests waiting for their response. */
  get waiting(): number {
    return this.pending.size;
  }

  /** The error the channel was closed with, or null while it is open. */
  get closedWith(): Error | null {
    return this.failure;
  }

  /**
   * Sends `message` with a fresh `id` and resolves with the response that repeats it.
   * Rejects after `timeoutMs` (`what` names the request in that error), or when the channel
   * is or becomes closed.
   */
  request(message: Out, opts: { timeoutMs?: number; what?: string } = {}): Promise<In> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = this.nextId++;
    const timeoutMs = opts.timeoutMs ?? this.opts.timeoutMs;
    return new Promise<In>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(this.makeError(`no reply to ${opts.what ?? `request ${id}`} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.send({ ...message, id });
    });
  }

  /** Writes one message as a line, without waiting for anything. */
  send(message: object): void {
    this.opts.output.write(`${JSON.stringify(message)}\n`);
  }

  /** Fails every pending request with `error`; later requests fail with it at once. The first close wins. */
  close(error: Error): void {
    this.failure ??= error;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(this.failure);
    }
  }

  private onLine(line: string): void {
    if (line.trim() === '' || this.failure !== null) return;
    let message: In;
    try {
      message = this.opts.parse(line);
    } catch (err) {
      this.violation(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    const id = this.opts.idOf(message);
    if (id === undefined) {
      try {
        if (this.opts.onEvent === undefined) throw new Error(`unexpected message: ${line.slice(0, 120)}`);
        this.opts.onEvent(message);
      } catch (err) {
        this.violation(err instanceof Error ? err : new Error(String(err)));
      }
      return;
    }
    const p = this.pending.get(id);
    if (p === undefined) {
      this.violation(new Error(`reply to unknown request id ${id}`));
      return;
    }
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.resolve(message);
  }

  private violation(error: Error): void {
    this.opts.onViolation?.(error);
    this.close(this.failure ?? error);
  }
}
