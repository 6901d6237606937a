import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseHintLine, parseStallLine } from '../../../bpf/events.ts';
import { parseOutput } from '../../../bpf/ndjson.ts';
import { hintFromRecord, reportFromEvents } from '../../../bpf/report.ts';
import { majorFaultsOf } from '../../../core/attribution.ts';

const session = readFileSync(new URL('../../fixtures/bpftrace/session.ndjson', import.meta.url), 'utf8');

/** Pids in session.ndjson: the python3 target, the SIGSTOPped sleep, strace's own test child. */
const TARGET = 28358;
const SLEEPER = 28399;
const STRACE_CHILD = 28405;

describe('reportFromEvents on the captured session', () => {
  const report = reportFromEvents(parseOutput(session));

  it('has the PAGEOUT and COLD hints of the target once each, in order, although two scripts saw them', () => {
    expect(report.warnings).toEqual([]);
    expect(report.lostEvents).toBe(0);
    expect(report.hintCalls).toBe(2);
    expect(report.hints).toHaveLength(2);
    const [pageout, cold] = report.hints;
    expect(pageout).toMatchObject({ pid: TARGET, tid: TARGET, syscall: 'process_madvise', behavior: 21, reclaimedPages: 256, ret: 256 * 4096 });
    expect(cold).toMatchObject({ syscall: 'madvise', behavior: 20, reclaimedPages: 0, ret: 0 });
    expect(pageout!.latencyNs).toBeGreaterThan(0);
    expect(cold!.enterNs).toBeGreaterThan(pageout!.enterNs + pageout!.latencyNs);
  });

  it('counts the re-touch faults under the renamed comm, equal to the pages reclaimed', () => {
    expect(majorFaultsOf(report, TARGET, 'hbw-retouch')).toBe(report.hints[0]!.reclaimedPages);
    // outside the re-touch the target faulted twice under its own name; other processes are keyed apart
    expect(majorFaultsOf(report, TARGET, 'python3')).toBe(2);
    expect(majorFaultsOf(report, TARGET)).toBe(258);
    expect(report.majorFaults).toHaveLength(4);
  });

  it('every hint and stall line the scripts counted arrived', () => {
    expect(report.undeliveredLines).toEqual([]);
    expect(report.printedLines).toEqual([
      { script: 'hint-latency', tid: TARGET, count: 2 },
      { script: 'stall', tid: SLEEPER, count: 4 },
      { script: 'stall', tid: STRACE_CHILD, count: 6 },
    ]);
  });

  it('reads the EINTR counts per process', () => {
    expect(report.eintr).toEqual([
      { pid: 28268, count: 2 },
      { pid: 28402, count: 2 },
      { pid: 28403, count: 1 },
    ]);
  });

  it('reads the SIGSTOP stall and the ptrace stops', () => {
    const stopped = report.stalls.filter((s) => s.state === 'stopped');
    expect(stopped).toHaveLength(1);
    expect(stopped[0]!.tid).toBe(SLEEPER);
    expect(stopped[0]!.durationNs).toBeGreaterThanOrEqual(250e6);
    expect(report.stalls.filter((s) => s.state === 'traced').length).toBe(report.stalls.length - 1);
  });

  it('reads background reclaim per comm', () => {
    expect(report.background).toEqual([
      { comm: 'kdamond.0', reclaimPages: 102, lruPages: 0 },
      { comm: 'python3', reclaimPages: 256, lruPages: 0 },
    ]);
  });
});

describe('reportFromEvents on the captured hint-latency-batch output', () => {
  const batch = reportFromEvents(parseOutput(readFileSync(new URL('../../fixtures/bpftrace/batch.ndjson', import.meta.url), 'utf8')));

  it('reads the tuple records into hints sorted by enter time', () => {
    expect(batch.warnings).toEqual([]);
    expect(batch.hints.map((h) => [h.syscall, h.behavior, h.reclaimedPages, h.ret])).toEqual([
      ['process_madvise', 21, 256, 1048576],
      ['madvise', 20, 0, 0],
    ]);
    expect(batch.hints.every((h) => h.pid === 7501 && h.tid === 7501 && h.latencyNs > 0)).toBe(true);
  });

  it('warns when the map kept fewer records than calls counted', () => {
    const text = '{"type": "map", "data": {"@hb_hbat_calls": 3}}\n{"type": "map", "data": {"@hb_hbat_rec": {"9,100": [9,1,21,5,0,4096]}}}\n';
    const r = reportFromEvents(parseOutput(text));
    expect(r.hints).toHaveLength(1);
    expect(r.warnings.some((w) => /saw 3 hint calls but its map kept 1/.test(w))).toBe(true);
  });

  it('keeps every record of one thread, even two that seem to overlap (the thread changed CPU between calls)', () => {
    // 9,100 runs to 100+50 = 150; 9,140 enters "before" that exit: a clock read on another CPU.
    const text = '{"type": "map", "data": {"@hb_hbat_calls": 2}}\n{"type": "map", "data": {"@hb_hbat_rec": {"9,100": [9,1,21,50,0,4096], "9,140": [9,1,21,20,0,4096]}}}\n';
    const r = reportFromEvents(parseOutput(text));
    expect(r.hints.map((h) => h.enterNs)).toEqual([100, 140]);
    expect(r.warnings).toEqual([]);
  });

  it('drops a batch record only when hint-latency.bt printed the same call (same tid, overlapping times)', () => {
    const line = (tid: number, enterNs: number, latencyNs: number): string =>
      `{"type": "printf", "data": "hint pid=${tid} tid=${tid} syscall=process_madvise behavior=21 enter_ns=${enterNs} latency_ns=${latencyNs} reclaimed_pages=1 ret=4096\\n"}`;
    const text = [
      line(9, 1000, 100),
      line(9, 5000, 100),
      '{"type": "map", "data": {"@hb_hint_lines": {"9": 2}}}',
      '{"type": "map", "data": {"@hb_hbat_calls": 3}}',
      // the two printed calls, read a few ns apart by the other script, and one call only the map has
      '{"type": "map", "data": {"@hb_hbat_rec": {"9,1003": [9,1,21,95,1,4096], "9,5002": [9,1,21,96,1,4096], "9,9000": [9,1,21,50,0,4096], "8,1003": [8,1,21,95,1,4096]}}}',
    ].join('\n');
    const r = reportFromEvents(parseOutput(text));
    expect(r.hints.map((h) => [h.tid, h.enterNs])).toEqual([
      [9, 1000],
      [8, 1003],
      [9, 5000],
      [9, 9000],
    ]);
    expect(r.undeliveredLines).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  it('rejects malformed records', () => {
    expect(hintFromRecord('9,100', [9, 3, 21, 5, 0, 0])).toBeNull();
    expect(hintFromRecord('9', [9, 1, 21, 5, 0, 0])).toBeNull();
    expect(hintFromRecord('9,100', [9, 1])).toBeNull();
    expect(hintFromRecord('9,100', [9, 2, 20, 5, 0, 0])).toMatchObject({ tid: 9, enterNs: 100, syscall: 'madvise' });
  });
});

describe('lines printed but never received', () => {
  const hintLine = (tid: number, enterNs: number): string =>
    `{"type": "printf", "data": "hint pid=${tid} tid=${tid} syscall=madvise behavior=20 enter_ns=${enterNs} latency_ns=10 reclaimed_pages=0 ret=0\\n"}`;
  const stallLine = (tid: number): string => `{"type": "printf", "data": "stall tid=${tid} state=8 start_ns=5 duration_ns=7\\n"}`;

  it('lists, per script and thread, the lines counted at exit that did not arrive, and warns', () => {
    const text = [
      hintLine(4, 100),
      hintLine(4, 200),
      hintLine(5, 300),
      stallLine(6),
      '{"type": "map", "data": {"@hb_hint_lines": {"4": 5, "5": 1}}}',
      '{"type": "map", "data": {"@hb_stall_lines": {"6": 1, "7": 2}}}',
    ].join('\n');
    const r = reportFromEvents(parseOutput(text));
    expect(r.hints).toHaveLength(3);
    expect(r.undeliveredLines).toEqual([
      { script: 'hint-latency', tid: 4, count: 3 },
      { script: 'stall', tid: 7, count: 2 },
    ]);
    expect(r.warnings).toContain('hint-latency.bt printed 3 line(s) that never arrived, for tid(s) 4 (3): the hints of those threads are incomplete');
    expect(r.warnings).toContain('stall.bt printed 2 line(s) that never arrived, for tid(s) 7 (2): the stalls of those threads are incomplete');
  });

  it('says nothing when every counted line arrived, or when the counts never came (no clean exit)', () => {
    const complete = reportFromEvents(parseOutput([hintLine(4, 100), '{"type": "map", "data": {"@hb_hint_lines": {"4": 1}}}'].join('\n')));
    expect(complete.undeliveredLines).toEqual([]);
    expect(complete.warnings).toEqual([]);
    const noCounts = reportFromEvents(parseOutput(hintLine(4, 100)));
    expect(noCounts.undeliveredLines).toEqual([]);
    expect(noCounts.warnings).toEqual([]);
  });
});

describe('printf line parsers', () => {
  it('reject lines with a missing or non-numeric field', () => {
    expect(parseHintLine('hint pid=1 tid=1 syscall=madvise behavior=21 enter_ns=5 latency_ns=2 reclaimed_pages=0')).toBeNull();
    expect(parseHintLine('hint pid=1 tid=1 syscall=mmap behavior=21 enter_ns=5 latency_ns=2 reclaimed_pages=0 ret=0')).toBeNull();
    expect(parseHintLine('hint pid=1 tid=x syscall=madvise behavior=21 enter_ns=5 latency_ns=2 reclaimed_pages=0 ret=0')).toBeNull();
    expect(parseHintLine('hint pid=1 tid=2 syscall=madvise behavior=21 enter_ns=5 latency_ns=2 reclaimed_pages=0 ret=-22')?.ret).toBe(-22);
    expect(parseStallLine('stall tid=3 state=1 start_ns=1 duration_ns=1')).toBeNull();
    expect(parseStallLine('stall tid=3 state=8 start_ns=10 duration_ns=4')).toEqual({ tid: 3, state: 'traced', startNs: 10, durationNs: 4 });
  });

  it('an unknown printf line becomes a warning, not a crash', () => {
    const r = reportFromEvents(parseOutput('{"type": "printf", "data": "something else\\n"}\n{"type": "lost_events", "data": {"events": 3}}\n'));
    expect(r.hints).toEqual([]);
    expect(r.lostEvents).toBe(3);
    expect(r.warnings.some((w) => w.includes('something else'))).toBe(true);
    expect(r.warnings.some((w) => w.includes('lost 3 events'))).toBe(true);
  });
});
