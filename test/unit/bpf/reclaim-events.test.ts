import { describe, expect, it } from 'vitest';
import { parseReclaimLine, parseReclaimThrottleLine } from '../../../bpf/events.ts';
import { reportFromEvents } from '../../../bpf/report.ts';

describe('reclaim-events.bt lines', () => {
  it('parses a memcg and a direct reclaim pass, comm with spaces included', () => {
    expect(parseReclaimLine('reclaim kind=1 pid=812 tid=813 begin_ns=91843120044 duration_ns=48211 reclaimed_pages=32 comm=node')).toEqual({
      kind: 'memcg',
      pid: 812,
      tid: 813,
      comm: 'node',
      beginNs: 91843120044,
      durationNs: 48211,
      reclaimedPages: 32,
    });
    expect(parseReclaimLine('reclaim kind=2 pid=5 tid=5 begin_ns=10 duration_ns=20 reclaimed_pages=0 comm=Web Content')?.comm).toBe('Web Content');
    expect(parseReclaimLine('reclaim kind=2 pid=5 tid=5 begin_ns=10 duration_ns=20 reclaimed_pages=0 comm=x')?.kind).toBe('direct');
  });

  it('rejects other lines, unknown kinds and missing fields', () => {
    expect(parseReclaimLine('reclaim kind=3 pid=5 tid=5 begin_ns=10 duration_ns=20 reclaimed_pages=0 comm=x')).toBeNull();
    expect(parseReclaimLine('reclaim kind=1 pid=5 tid=5 begin_ns=10 reclaimed_pages=0 comm=x')).toBeNull();
    expect(parseReclaimLine('stall tid=4 state=8 start_ns=1 duration_ns=2')).toBeNull();
    expect(parseReclaimLine('reclaim_throttle pid=1 tid=1 ns=5 delayed_us=100 reason=4 comm=x')).toBeNull();
  });

  it('parses a throttle line', () => {
    expect(parseReclaimThrottleLine('reclaim_throttle pid=1 tid=2 ns=5 delayed_us=100 reason=4 comm=kworker/0:1')).toEqual({
      pid: 1,
      tid: 2,
      comm: 'kworker/0:1',
      atNs: 5,
      delayedUs: 100,
      reason: 4,
    });
    expect(parseReclaimThrottleLine('reclaim_throttle pid=1 tid=2 delayed_us=100 reason=4 comm=x')).toBeNull();
  });

  it('a report collects passes and throttles, and warns about lines counted but never received', () => {
    const report = reportFromEvents([
      { type: 'printf', text: 'reclaim kind=1 pid=7 tid=7 begin_ns=100 duration_ns=50 reclaimed_pages=32 comm=node\n' },
      { type: 'printf', text: 'reclaim_throttle pid=7 tid=7 ns=300 delayed_us=1000 reason=4 comm=node\n' },
      { type: 'map', name: '@hb_rcl_lines', entries: [{ key: '7', value: 3 }] },
    ]);
    expect(report.reclaims).toHaveLength(1);
    expect(report.reclaimThrottles).toHaveLength(1);
    expect(report.warnings.join('\n')).not.toMatch(/unrecognised/);
    expect(report.undeliveredLines).toEqual([{ script: 'reclaim-events', tid: 7, count: 1 }]);
    expect(report.warnings.join('\n')).toMatch(/reclaim-events\.bt printed 1 line\(s\) that never arrived, for tid\(s\) 7 \(1\): the reclaim passes/);
  });
});
