import { describe, expect, it } from 'vitest';
import { injectTimeoutMs } from '../../../bench/mechanisms/ptrace/index.ts';
import { emptyReport } from '../../../bench/mechanisms/ptrace/report.ts';
import { parseRequest, parseTracerLine } from '../../../bench/mechanisms/ptrace/protocol.ts';
import { ADVICE_VALUE } from '../../../core/sys/syscall.ts';

describe('tracer protocol', () => {
  it('parses pin and unpin with a pid, naming the missing field', () => {
    expect(parseRequest('{"id":3,"cmd":"pin","pid":42}')).toEqual({ id: 3, cmd: 'pin', pid: 42 });
    expect(parseRequest('{"id":4,"cmd":"unpin","pid":42}')).toEqual({ id: 4, cmd: 'unpin', pid: 42 });
    expect(() => parseRequest('{"id":5,"cmd":"pin"}')).toThrow(/bad tracer request: field pid must be an integer > 0, got nothing/);
    expect(() => parseRequest('{"id":6,"cmd":"jump"}')).toThrow(/field cmd must be one of inject, ping, pin, unpin, shutdown, got "jump"/);
    expect(() => parseRequest('not json')).toThrow(/not valid JSON/);
  });
  it('checks the injection options', () => {
    const base = { id: 1, cmd: 'inject', pid: 7, advice: ADVICE_VALUE.cold, ranges: [{ startAddr: 4096, lengthBytes: 4096 }] };
    expect(parseRequest(JSON.stringify({ ...base, method: 'sigframe', rseqFixup: false, profile: true }))).toMatchObject({ method: 'sigframe', rseqFixup: false });
    expect(() => parseRequest(JSON.stringify({ ...base, method: 'jump' }))).toThrow(/field method must be one of auto, sigframe, singlestep/);
    expect(() => parseRequest(JSON.stringify({ ...base, rseqFixup: 'no' }))).toThrow(/field rseqFixup must be true or false/);
    expect(() => parseRequest(JSON.stringify({ ...base, ranges: [{ startAddr: 1 }] }))).toThrow(/field ranges\[0\]\.lengthBytes/);
  });
  it('reads the ready line and each kind of response, naming the wrong field of a report', () => {
    expect(parseTracerLine('{"event":"ready","pid":3,"arch":"x64"}')).toEqual({ event: 'ready', pid: 3, arch: 'x64' });
    const report = emptyReport(7, 8);
    expect(parseTracerLine(JSON.stringify({ id: 2, ok: true, report }))).toEqual({ id: 2, ok: true, report });
    expect(parseTracerLine('{"id":3,"ok":true,"pinned":{"pid":7,"startTicks":99}}')).toEqual({ id: 3, ok: true, pinned: { pid: 7, startTicks: 99 } });
    expect(parseTracerLine('{"id":-1,"ok":false,"error":"bad request"}')).toEqual({ id: -1, ok: false, error: 'bad request' });
    expect(() => parseTracerLine(JSON.stringify({ id: 2, ok: true, report: { ...report, rseq: 'maybe' } }))).toThrow(/field report\.rseq must be one of/);
    expect(() => parseTracerLine('{"id":2,"ok":true}')).toThrow(/bad tracer line/);
  });
  it('gives an injection a timeout that grows with its stop timeout and its bytes', () => {
    const small = injectTimeoutMs({ ranges: [{ startAddr: 0, lengthBytes: 4096 }] });
    expect(small).toBeGreaterThanOrEqual(120_000 + 20 * 2000);
    const slowStops = injectTimeoutMs({ ranges: [{ startAddr: 0, lengthBytes: 4096 }], stopTimeoutMs: 10_000 });
    expect(slowStops - small).toBe(20 * 8000);
    // 16 GiB at the assumed floor of 16 MiB/s: 1024 s more.
    const huge = injectTimeoutMs({ ranges: [{ startAddr: 0, lengthBytes: 16 * 2 ** 30 }] });
    expect(huge - small).toBeGreaterThanOrEqual(1_023_000);
  });
});
