import { describe, expect, it } from 'vitest';
import { parseRequest } from '../../../bench/mechanisms/ptrace/protocol.ts';

describe('tracer protocol', () => {
  it('parses pin and unpin with a pid', () => {
    expect(parseRequest('{"id":3,"cmd":"pin","pid":42}')).toEqual({ id: 3, cmd: 'pin', pid: 42 });
    expect(parseRequest('{"id":4,"cmd":"unpin","pid":42}')).toEqual({ id: 4, cmd: 'unpin', pid: 42 });
    expect(() => parseRequest('{"id":5,"cmd":"pin"}')).toThrow(/pin needs a positive integer pid/);
  });
  it('checks the injection options', () => {
    const base = { id: 1, cmd: 'inject', pid: 7, advice: 20, ranges: [{ startAddr: 4096, lengthBytes: 4096 }] };
    expect(parseRequest(JSON.stringify({ ...base, method: 'sigframe', rseqFixup: false, profile: true }))).toMatchObject({ method: 'sigframe', rseqFixup: false });
    expect(() => parseRequest(JSON.stringify({ ...base, method: 'jump' }))).toThrow(/method must be/);
    expect(() => parseRequest(JSON.stringify({ ...base, rseqFixup: 'no' }))).toThrow(/rseqFixup must be a boolean/);
  });
});
