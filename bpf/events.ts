/**
 * Turns the printf lines of hintbench's scripts into typed records. Each script prints
 * `<tag> key=value ...` (see the headers of hint-latency.bt and stall.bt).
 *
 * Timestamps are bpftrace nsecs (CLOCK_MONOTONIC) converted to number: exact to the
 * nanosecond while the machine's uptime is below 2^53 ns (104 days), and to better than a
 * microsecond for decades beyond.
 */
import type { ProbeHint, ProbeReclaim, ProbeReclaimThrottle, ProbeStall, StallState } from '../core/types.ts';
import { parseKeyValueLine } from './ndjson.ts';

/** prev_state values stall.bt matches (the reported state index bits). */
export const STALL_STATE_VALUE: Readonly<Record<StallState, number>> = { stopped: 4, traced: 8 };

function int(fields: Record<string, string>, key: string): number | null {
  const v = fields[key];
  if (v === undefined || !/^-?\d+$/.test(v)) return null;
  return Number(v);
}

/** Parses a `hint pid=.. tid=..` line of hint-latency.bt; null when the line is not one or a field is missing. */
export function parseHintLine(text: string): ProbeHint | null {
  const f = parseKeyValueLine(text, 'hint');
  if (f === null) return null;
  const syscall = f.syscall;
  if (syscall !== 'process_madvise' && syscall !== 'madvise') return null;
  const pid = int(f, 'pid');
  const tid = int(f, 'tid');
  const behavior = int(f, 'behavior');
  const enterNs = int(f, 'enter_ns');
  const latencyNs = int(f, 'latency_ns');
  const reclaimedPages = int(f, 'reclaimed_pages');
  const ret = int(f, 'ret');
  if (pid === null || tid === null || behavior === null || enterNs === null || latencyNs === null || reclaimedPages === null || ret === null) return null;
  return { pid, tid, syscall, behavior, enterNs, latencyNs, reclaimedPages, ret };
}

/** Parses a `stall tid=.. state=..` line of stall.bt; null when the line is not one or a field is missing. */
export function parseStallLine(text: string): ProbeStall | null {
  const f = parseKeyValueLine(text, 'stall');
  if (f === null) return null;
  const tid = int(f, 'tid');
  const stateValue = int(f, 'state');
  const startNs = int(f, 'start_ns');
  const durationNs = int(f, 'duration_ns');
  if (tid === null || stateValue === null || startNs === null || durationNs === null) return null;
  const state: StallState | null = stateValue === STALL_STATE_VALUE.traced ? 'traced' : stateValue === STALL_STATE_VALUE.stopped ? 'stopped' : null;
  if (state === null) return null;
  return { tid, state, startNs, durationNs };
}

/** reclaim-events.bt's kind numbers. */
export const RECLAIM_KIND_VALUE = { memcg: 1, direct: 2 } as const;

/** The comm of a line that ends in `comm=<name>` (a thread name may hold spaces); '' when absent. */
function trailingComm(text: string): string {
  const at = text.indexOf(' comm=');
  return at < 0 ? '' : text.slice(at + ' comm='.length).replace(/\n$/, '');
}

/** Parses a `reclaim kind=.. pid=..` line of reclaim-events.bt; null when the line is not one or a field is missing. */
export function parseReclaimLine(text: string): ProbeReclaim | null {
  const f = parseKeyValueLine(text, 'reclaim');
  if (f === null) return null;
  const kindValue = int(f, 'kind');
  const kind = kindValue === RECLAIM_KIND_VALUE.memcg ? 'memcg' : kindValue === RECLAIM_KIND_VALUE.direct ? 'direct' : null;
  const pid = int(f, 'pid');
  const tid = int(f, 'tid');
  const beginNs = int(f, 'begin_ns');
  const durationNs = int(f, 'duration_ns');
  const reclaimedPages = int(f, 'reclaimed_pages');
  if (kind === null || pid === null || tid === null || beginNs === null || durationNs === null || reclaimedPages === null) return null;
  return { kind, pid, tid, comm: trailingComm(text), beginNs, durationNs, reclaimedPages };
}

/** Parses a `reclaim_throttle pid=..` line of reclaim-events.bt; null when the line is not one or a field is missing. */
export function parseReclaimThrottleLine(text: string): ProbeReclaimThrottle | null {
  const f = parseKeyValueLine(text, 'reclaim_throttle');
  if (f === null) return null;
  const pid = int(f, 'pid');
  const tid = int(f, 'tid');
  const atNs = int(f, 'ns');
  const delayedUs = int(f, 'delayed_us');
  const reason = int(f, 'reason');
  if (pid === null || tid === null || atNs === null || delayedUs === null || reason === null) return null;
  return { pid, tid, comm: trailingComm(text), atNs, delayedUs, reason };
}
