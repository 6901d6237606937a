import { describe, expect, it } from 'vitest';
import { ProtocolError, encodeLine, parseCommand, parseReply, type Command, type Reply } from '../../../workloads/protocol.ts';

describe('parseCommand', () => {
  it('round-trips every command', () => {
    const cmds: Command[] = [
      { type: 'retouch', id: 1 },
      { type: 'verify', id: 2 },
      { type: 'state', id: 3, state: 'running' },
      { type: 'state', id: 4, state: 'sleeping' },
      { type: 'exit', id: 5 },
    ];
    for (const c of cmds) expect(parseCommand(encodeLine(c).trimEnd())).toEqual(c);
  });
  it('drops unknown extra fields', () => {
    expect(parseCommand('{"type":"verify","id":7,"junk":true}')).toEqual({ type: 'verify', id: 7 });
  });
  it.each([
    ['not json', /not valid JSON/],
    ['[1,2]', /not a JSON object/],
    ['{"type":"retouch"}', /field id/],
    ['{"type":"retouch","id":-1}', /retouch command: field id must be an integer >= 0, got -1/],
    ['{"type":"dance","id":1}', /field type must be one of retouch, verify, state, exit, measure, touch, residency, advise, churnlog, got "dance"/],
    ['{"type":"state","id":1,"state":"stopped"}', /field state must be one of sleeping, running, got "stopped"/],
  ])('rejects %s', (line, msg) => {
    expect(() => parseCommand(line)).toThrow(ProtocolError);
    expect(() => parseCommand(line)).toThrow(msg);
  });
});

describe('parseReply', () => {
  const ready: Reply = {
    type: 'ready',
    pid: 123,
    pageSizeBytes: 4096,
    setupNs: 5,
    regions: [{ startAddr: 0x7f0000001000, lengthBytes: 8192, kind: 'anon', content: 'random' }],
  };
  it('round-trips every reply', () => {
    const replies: Reply[] = [
      ready,
      { type: 'retouched', id: 1, elapsedNs: 10, majorFaults: 2, minorFaults: 3, pages: 2 },
      { type: 'verified', id: 2, intact: true, corruptPages: 0, elapsedNs: 4 },
      { type: 'verified', id: 3, intact: false, corruptPages: 1, firstCorruptAddr: 0x7f0000002000, elapsedNs: 4 },
      { type: 'state', id: 4, state: 'running' },
      { type: 'exiting', id: 5 },
      { type: 'error', id: 6, message: 'boom' },
      { type: 'error', message: 'not JSON: x' },
    ];
    for (const r of replies) expect(parseReply(encodeLine(r).trimEnd())).toEqual(r);
  });
  it('rejects a region of an unknown content or a fractional address', () => {
    expect(() => parseReply(JSON.stringify({ ...ready, regions: [{ startAddr: 4096, lengthBytes: 4096, kind: 'anon', content: 'pink' }] }))).toThrow(
      /ready reply: field regions\[0\]\.content must be one of zero, random, mixed, got "pink"/,
    );
    expect(() => parseReply(JSON.stringify({ ...ready, regions: [{ startAddr: 4096.5, lengthBytes: 4096, kind: 'anon', content: 'zero' }] }))).toThrow(/startAddr/);
  });
  it('rejects a verified reply that contradicts itself', () => {
    expect(() => parseReply('{"type":"verified","id":1,"intact":true,"corruptPages":3,"elapsedNs":1}')).toThrow(/contradicts/);
  });
  it('rejects missing numbers and unknown types', () => {
    expect(() => parseReply('{"type":"retouched","id":1,"elapsedNs":"fast","majorFaults":0,"minorFaults":0,"pages":1}')).toThrow(/elapsedNs/);
    expect(() => parseReply('{"type":"hello"}')).toThrow(
      /field type must be one of ready, retouched, verified, state, measured, touched, residency, advised, churnlog, exiting, error, got "hello"/,
    );
    expect(() => parseReply('{"type":"error","id":1}')).toThrow(/message/);
  });
});
