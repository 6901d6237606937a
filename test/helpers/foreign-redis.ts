/**
 * A private redis-server for the foreign-program injection test: started on a free loopback
 * port in its own temporary directory with persistence off, plus a minimal RESP2 client over
 * node:net (127.0.0.1 only) for loading and reading back a known data set.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startForeign, type ForeignProcess } from './foreign.ts';

/** A RESP2 value: simple/bulk string, integer, nil, error, or array. */
export type RespValue = string | number | null | RespError | RespValue[];

/** An error reply (`-ERR ...`). */
export class RespError extends Error {}

/** Parses one RESP2 value at `at`; null when `b` does not hold all of it yet. */
export function parseResp(b: Buffer, at: number): [RespValue, number] | null {
  const eol = b.indexOf('\r\n', at);
  if (eol < 0) return null;
  const line = b.toString('utf8', at + 1, eol);
  switch (b[at]) {
    case 0x2b:
      return [line, eol + 2]; // +
    case 0x2d:
      return [new RespError(line), eol + 2]; // -
    case 0x3a:
      return [Number(line), eol + 2]; // :
    case 0x24: {
      // $
      const len = Number(line);
      if (len < 0) return [null, eol + 2];
      const end = eol + 2 + len;
      if (b.length < end + 2) return null;
      return [b.toString('utf8', eol + 2, end), end + 2];
    }
    case 0x2a: {
      // *
      const count = Number(line);
      if (count < 0) return [null, eol + 2];
      const items: RespValue[] = [];
      let p = eol + 2;
      for (let i = 0; i < count; i++) {
        const r = parseResp(b, p);
        if (r === null) return null;
        items.push(r[0]);
        p = r[1];
      }
      return [items, p];
    }
    default:
      throw new Error(`RESP: unexpected type byte 0x${(b[at] ?? 0).toString(16)} at offset ${at}`);
  }
}

/** Encodes a command as a RESP2 array of bulk strings. */
export function encodeCommand(args: string[]): string {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return s;
}

/** A connection to a redis server that pipelines commands and answers them in order. */
export interface RespClient {
  /** Sends the commands in one write; resolves with their replies in order. */
  pipeline(cmds: string[][]): Promise<RespValue[]>;
  /** One command. */
  command(args: string[]): Promise<RespValue>;
  /** Closes the socket. */
  close(): void;
}

/** Connects to 127.0.0.1:`port`. */
export function connectResp(port: number): Promise<RespClient> {
  return new Promise((resolve, reject) => {
    const sock: Socket = createConnection({ host: '127.0.0.1', port });
    const waiting: { res: (v: RespValue) => void; rej: (e: Error) => void }[] = [];
    let buf: Buffer = Buffer.alloc(0);
    sock.on('data', (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      let at = 0;
      for (;;) {
        const r = parseResp(buf, at);
        if (r === null) break;
        at = r[1];
        waiting.shift()?.res(r[0]);
      }
      buf = buf.subarray(at);
    });
    sock.on('error', (err) => {
      for (const w of waiting.splice(0)) w.rej(err);
      reject(err);
    });
    sock.on('close', () => {
      for (const w of waiting.splice(0)) w.rej(new Error(`redis 127.0.0.1:${port} closed the connection`));
    });
    sock.on('connect', () => {
      const pipeline = (cmds: string[][]): Promise<RespValue[]> => {
        const replies = cmds.map(
          () =>
            new Promise<RespValue>((res, rej) => {
              waiting.push({ res, rej });
            }),
        );
        sock.write(cmds.map(encodeCommand).join(''));
        return Promise.all(replies);
      };
      resolve({
        pipeline,
        command: async (args) => (await pipeline([args]))[0]!,
        close: () => {
          sock.destroy();
        },
      });
    });
  });
}

/** Key of item i of the known data set. */
export function knownKey(i: number): string {
  return `hintbench:foreign:${i}`;
}

/** Value of item i: its sha256 hex repeated 1-8 times (64-512 bytes). */
export function knownValue(i: number): string {
  return createHash('sha256')
    .update(`value-${i}`)
    .digest('hex')
    .repeat((i % 8) + 1);
}

/** True when something already listens on 127.0.0.1:`port`. */
function portBusy(port: number): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(true));
    srv.listen(port, '127.0.0.1', () => srv.close(() => res(false)));
  });
}

/** A private redis-server. */
export interface RedisInstance {
  proc: ForeignProcess;
  port: number;
  dir: string;
  /** SHUTDOWN NOSAVE (SIGTERM by pid if that fails), wait for the exit, remove the directory. */
  stop(): Promise<void>;
}

/** Starts redis-server on a random free port in 20000-40000 and waits until it answers PING. */
export async function startRedis(): Promise<RedisInstance> {
  const dir = mkdtempSync(join(tmpdir(), 'hintbench-redis-'));
  let lastErr = '';
  for (let attempt = 0; attempt < 10; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    if (await portBusy(port)) continue;
    const proc = startForeign(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--dir',
        dir,
        '--logfile',
        '',
        '--protected-mode',
        'yes',
        '--loglevel',
        'notice',
      ],
      { cwd: dir },
    );
    try {
      await proc.waitLine((l) => /Ready to accept connections/.test(l), 10_000);
    } catch (e) {
      lastErr = (e as Error).message;
      await proc.kill();
      continue;
    }
    const stop = async (): Promise<void> => {
      if (proc.alive()) {
        try {
          const c = await connectResp(port);
          c.pipeline([['SHUTDOWN', 'NOSAVE']]).catch(() => {
            /* the server closes the connection */
          });
          await Promise.race([proc.exited, new Promise((r) => setTimeout(r, 3000))]);
          c.close();
        } catch {
          /* fall through to SIGTERM */
        }
      }
      if (proc.alive()) {
        try {
          process.kill(proc.pid, 'SIGTERM');
        } catch {
          /* gone */
        }
        await Promise.race([proc.exited, new Promise((r) => setTimeout(r, 3000))]);
      }
      await proc.kill();
      rmSync(dir, { recursive: true, force: true });
    };
    return { proc, port, dir, stop };
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`redis-server did not start on any of 10 random ports: ${lastErr}`);
}
