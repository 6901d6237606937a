/** The mechanism's side of the tracer protocol against a stand-in tracer: timeouts, protocol violations and shutdown never kill the tracer. */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TracerClient } from '../../../bench/mechanisms/ptrace/index.ts';
import { ADVICE_VALUE } from '../../../core/sys/syscall.ts';

const FAKE = fileURLToPath(new URL('./fixtures/fake-tracer.ts', import.meta.url));

describe('TracerClient', () => {
  it('answers requests in order and shuts the tracer down by asking (the request goes out before stdin closes)', async () => {
    const c = new TracerClient(FAKE);
    const ready = await c.ready;
    expect(ready.pid).toBe(c.pid);
    const [a, b] = await Promise.all([c.request({ cmd: 'ping' }), c.request({ cmd: 'ping' })]);
    expect([a.ok, b.ok]).toEqual([true, true]);
    expect(a.id).toBeLessThan(b.id);
    await c.shutdown(10_000);
    expect(await c.exit).toEqual({ code: 7, signal: null });
  });

  it('ends the conversation after an unanswered injection and lets the tracer finish it: never a kill', async () => {
    const c = new TracerClient(FAKE);
    await c.ready;
    const r = await c.request({ cmd: 'inject', pid: 1, advice: ADVICE_VALUE.cold, ranges: [] }, 200);
    expect(r.ok).toBe(false);
    expect(r.ok === false ? r.error : '').toMatch(/gave no reply to the injection into pid 1 within 200 ms/);
    expect(c.timedOut).toBe(true);
    expect(c.alive).toBe(false);
    const later = await c.request({ cmd: 'ping' });
    expect(later.ok).toBe(false);
    // stdin was closed: the stand-in "finishes its injection" and exits by itself.
    expect(await c.exit).toEqual({ code: 0, signal: null });
  });

  it('treats a response that breaks the schema as a protocol violation naming the field, and lets the tracer leave', async () => {
    const c = new TracerClient(FAKE, ['garble']);
    await c.ready;
    const r = await c.request({ cmd: 'ping' });
    expect(r.ok).toBe(false);
    expect(r.ok === false ? r.error : '').toMatch(/bad tracer line: field report\.pid must be an integer > 0, got 0/);
    expect(c.alive).toBe(false);
    expect(await c.exit).toEqual({ code: 0, signal: null });
  });
});
