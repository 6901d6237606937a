/** The JSON-lines channel against an in-memory peer: correlation by id, events, timeouts, closing, protocol violations. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { JsonLinesChannel, readLines, type WithoutId } from '../../../core/channel.ts';

type Req = { id: number; cmd: 'echo'; text: string } | { id: number; cmd: 'slow' };
type Res = { id?: number; event?: string; text?: string };

/** A channel whose peer is the test: `toPeer` carries requests, `fromPeer` the peer's lines. */
function pair(timeoutMs = 1000) {
  const toPeer = new PassThrough();
  const fromPeer = new PassThrough();
  const events: Res[] = [];
  const violations: string[] = [];
  const channel = new JsonLinesChannel<WithoutId<Req>, Res>({
    input: fromPeer,
    output: toPeer,
    parse: (line) => {
      const v = JSON.parse(line) as unknown;
      if (typeof v !== 'object' || v === null) throw new Error(`not an object: ${line}`);
      return v as Res;
    },
    idOf: (m) => m.id,
    onEvent: (m) => events.push(m),
    onViolation: (e) => violations.push(e.message),
    timeoutMs,
    error: (what) => new Error(`peer: ${what}`),
  });
  const sent: Req[] = [];
  readLines(toPeer, (line) => sent.push(JSON.parse(line) as Req));
  return { channel, fromPeer, sent, events, violations };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('JsonLinesChannel', () => {
  it('numbers requests and matches responses by id, in any order; events go to onEvent', async () => {
    const { channel, fromPeer, sent, events } = pair();
    const a = channel.request({ cmd: 'echo', text: 'a' });
    const b = channel.request({ cmd: 'echo', text: 'b' });
    await tick();
    expect(sent).toEqual([
      { cmd: 'echo', text: 'a', id: 1 },
      { cmd: 'echo', text: 'b', id: 2 },
    ]);
    // One chunk holding a response, an event and half of the next line.
    fromPeer.write('{"id":2,"text":"B"}\n{"event":"ready"}\n{"id":1,');
    fromPeer.write('"text":"A"}\n');
    expect(await a).toEqual({ id: 1, text: 'A' });
    expect(await b).toEqual({ id: 2, text: 'B' });
    expect(events).toEqual([{ event: 'ready' }]);
    expect(channel.waiting).toBe(0);
  });

  it('times a request out with an error naming it, and ignores its late response', async () => {
    const { channel, fromPeer, violations } = pair(20);
    const slow = channel.request({ cmd: 'slow' }, { what: 'slow' });
    await expect(slow).rejects.toThrow('peer: no reply to slow within 20 ms');
    fromPeer.write('{"id":1}\n');
    await tick();
    expect(violations).toEqual(['reply to unknown request id 1']);
  });

  it('fails pending and later requests with the error it was closed with', async () => {
    const { channel } = pair();
    const pending = channel.request({ cmd: 'slow' });
    channel.close(new Error('peer exited (status 1)'));
    await expect(pending).rejects.toThrow('peer exited (status 1)');
    await expect(channel.request({ cmd: 'slow' })).rejects.toThrow('peer exited (status 1)');
    channel.close(new Error('a second reason'));
    expect(channel.closedWith?.message).toBe('peer exited (status 1)');
  });

  it('closes on a line that is not a message, failing what is pending', async () => {
    const { channel, fromPeer, violations } = pair();
    const pending = channel.request({ cmd: 'slow' });
    fromPeer.write('garbage\n');
    await expect(pending).rejects.toThrow(/JSON/);
    expect(violations).toHaveLength(1);
  });

  it('passes a last unterminated line on when the stream ends', async () => {
    const { channel, fromPeer } = pair();
    const r = channel.request({ cmd: 'echo', text: 'x' });
    fromPeer.end('{"id":1,"text":"X"}');
    expect(await r).toEqual({ id: 1, text: 'X' });
  });
});
