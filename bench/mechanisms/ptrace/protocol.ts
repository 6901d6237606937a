/**
 * The JSON-lines protocol between PtraceMechanism (the runner side) and tracer-main.ts.
 * One JSON object per line in each direction; every request carries an `id` its response repeats.
 */
import type { InjectionReport, InjectRequest } from './injector.ts';

/** A request to the tracer. */
export type TracerRequest =
  | ({ id: number; cmd: 'inject' } & InjectRequest)
  | { id: number; cmd: 'ping' }
  | { id: number; cmd: 'pin'; pid: number }
  | { id: number; cmd: 'unpin'; pid: number }
  | { id: number; cmd: 'shutdown' };

/** A response from the tracer. */
export type TracerResponse =
  | { id: number; ok: true; report: InjectionReport }
  | { id: number; ok: true; pong: { pid: number; arch: string; pendingDetach: number[] } }
  | { id: number; ok: true; pinned: { pid: number; startTicks: number } }
  | { id: number; ok: true; unpinned: number }
  | { id: number; ok: false; error: string };

/** The first line the tracer prints once it is ready. */
export interface TracerReady {
  event: 'ready';
  pid: number;
  arch: string;
}

/** Parses one request line; throws a SyntaxError/TypeError with a reason on malformed input. */
export function parseRequest(line: string): TracerRequest {
  const v = JSON.parse(line) as Record<string, unknown>;
  if (typeof v !== 'object' || v === null || typeof v.id !== 'number') throw new TypeError('request needs a numeric id');
  if (v.cmd === 'ping' || v.cmd === 'shutdown') return { id: v.id, cmd: v.cmd };
  if (v.cmd === 'pin' || v.cmd === 'unpin') {
    if (!Number.isInteger(v.pid) || (v.pid as number) <= 0) throw new TypeError(`${v.cmd} needs a positive integer pid`);
    return { id: v.id, cmd: v.cmd, pid: v.pid as number };
  }
  if (v.cmd !== 'inject') throw new TypeError(`unknown cmd ${JSON.stringify(v.cmd)}`);
  if (!Number.isInteger(v.pid) || (v.pid as number) <= 0) throw new TypeError('inject needs a positive integer pid');
  if (v.tid !== undefined && (!Number.isInteger(v.tid) || (v.tid as number) <= 0)) throw new TypeError('tid must be a positive integer');
  if (!Number.isInteger(v.advice)) throw new TypeError('inject needs an integer advice');
  if (!Array.isArray(v.ranges)) throw new TypeError('inject needs ranges[]');
  for (const r of v.ranges as unknown[]) {
    const rr = r as Record<string, unknown>;
    if (typeof rr !== 'object' || rr === null || !Number.isSafeInteger(rr.startAddr) || !Number.isSafeInteger(rr.lengthBytes)) throw new TypeError('each range needs integer startAddr and lengthBytes');
  }
  if (v.waitMode !== undefined && v.waitMode !== 'block' && v.waitMode !== 'poll') throw new TypeError('waitMode must be "block" or "poll"');
  if (v.followCpu !== undefined && typeof v.followCpu !== 'boolean') throw new TypeError('followCpu must be a boolean');
  if (v.method !== undefined && v.method !== 'auto' && v.method !== 'sigframe' && v.method !== 'singlestep') throw new TypeError('method must be "auto", "sigframe" or "singlestep"');
  for (const flag of ['rseqFixup', 'profile'] as const) {
    if (v[flag] !== undefined && typeof v[flag] !== 'boolean') throw new TypeError(`${flag} must be a boolean`);
  }
  return v as unknown as TracerRequest;
}
