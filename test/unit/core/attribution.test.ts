/** Attribution of probe records to hints: one definition for the suite, `hint` and the benchmarks. */
import { describe, expect, it } from 'vitest';
import { attribute, hintsInWindow, majorFaultsOf, noExplain, tracedStallNs, type AttributionWindow } from '../../../core/attribution.ts';
import type { ProbeFacts, ProbeHint } from '../../../core/types.ts';

const hint = (tid: number, enterNs: number, latencyNs: number, reclaimedPages = 0): ProbeHint => ({
  pid: tid,
  tid,
  syscall: 'process_madvise',
  behavior: 21,
  enterNs,
  latencyNs,
  reclaimedPages,
  ret: 0,
});
const facts = (over: Partial<ProbeFacts> = {}): ProbeFacts => ({ hints: [], majorFaults: [], eintr: [], stalls: [], ...over });
const win = (label: string, fromNs: number, toNs: number, tid: number, syscalls: number, target?: AttributionWindow['target']): AttributionWindow => ({
  label,
  fromNs,
  toNs,
  tid,
  syscalls,
  ...(target ? { target } : {}),
});

describe('attribute', () => {
  it('sums the records of the hint thread inside each window, and nothing else', () => {
    const f = facts({
      hints: [hint(42, 900, 999, 9), hint(42, 1100, 300, 1), hint(43, 1200, 999, 9), hint(42, 1500, 200, 1), hint(42, 2500, 999, 9)],
      majorFaults: [
        { pid: 500, comm: 'hbw-retouch', count: 2 },
        { pid: 500, comm: 'hbw-idle', count: 7 },
        { pid: 501, comm: 'hbw-retouch', count: 5 },
      ],
      eintr: [
        { pid: 499, count: 9 },
        { pid: 500, count: 3 },
      ],
      hintCalls: 5,
    });
    const { figures, warnings } = attribute(f, [win('repetition 0', 1000, 2000, 42, 2, { pid: 500, tids: [500], retouchComm: 'hbw-retouch', measureStall: false })]);
    expect(figures).toEqual([{ probeSyscalls: 2, kernelLatencyNs: 500, reclaimedPages: 2, stallNs: null, retouchMajorFaultsProbe: 2, targetEintr: 3, explain: noExplain() }]);
    expect(warnings).toEqual([]);
  });

  it('gives no kernel figure for a hint whose calls the probe did not all record, and warns naming it and why', () => {
    const f = facts({ hints: [hint(42, 1100, 300, 1)], hintCalls: 3 });
    const { figures, warnings } = attribute(f, [win('repetition 0', 1000, 2000, 42, 2), win('repetition 1', 3000, 4000, 42, 1)]);
    expect(figures.map((a) => [a.probeSyscalls, a.kernelLatencyNs, a.reclaimedPages])).toEqual([
      [1, null, null],
      [0, null, null],
    ]);
    expect(warnings).toEqual([
      'repetition 0: the probe saw 1 of 2 hint syscalls of tid 42',
      'repetition 1: the probe saw 0 of 1 hint syscalls of tid 42',
      "kernel-side figures (kernelLatencyNs, reclaimedPages) cover 0 of 2 hints: the probe's map was full: it kept 1 of the 3 hint syscalls it saw",
    ]);
    expect(attribute(facts(), [win('hint 0', 0, 10, 1, 1)]).warnings.at(-1)).toMatch(/cover 0 of 1 hints: bpftrace printed no hint map/);
    expect(attribute(facts({ hints: [], hintCalls: 0 }), [win('hint 0', 0, 10, 1, 1)]).warnings.at(-1)).toMatch(/did not record every syscall/);
  });

  it('names the first ten incomplete hints and counts the rest', () => {
    const windows = Array.from({ length: 25 }, (_, i) => win(`hint ${i}`, i * 10, i * 10 + 5, 7, 1));
    const { warnings } = attribute(facts({ hintCalls: 0 }), windows);
    expect(warnings).toHaveLength(12);
    expect(warnings[10]).toBe('... and 15 more hints the probe did not record completely');
  });

  it('leaves probeSyscalls and the kernel figures null when the mechanism made no call (the baseline)', () => {
    const { figures, warnings } = attribute(facts({ hints: [hint(1, 5, 5)] }), [win('repetition 0', 0, 10, 1, 0)]);
    expect(figures[0]).toEqual({
      probeSyscalls: null,
      kernelLatencyNs: null,
      reclaimedPages: null,
      stallNs: null,
      retouchMajorFaultsProbe: null,
      targetEintr: null,
      explain: noExplain(),
    });
    expect(warnings).toEqual([]);
  });

  it('counts whole ptrace stops of the target threads that began in the window, not job-control stops', () => {
    const stalls = [
      { tid: 500, state: 'traced' as const, startNs: 1200, durationNs: 40 },
      { tid: 501, state: 'traced' as const, startNs: 1300, durationNs: 2 },
      { tid: 500, state: 'stopped' as const, startNs: 1400, durationNs: 1000 },
      { tid: 777, state: 'traced' as const, startNs: 1300, durationNs: 50 },
      { tid: 500, state: 'traced' as const, startNs: 1990, durationNs: 600 }, // ends after the window: counted whole
      { tid: 500, state: 'traced' as const, startNs: 900, durationNs: 400 }, // began before the window
      { tid: 500, state: 'traced' as const, startNs: 2100, durationNs: 60 },
    ];
    const target = { pid: 500, tids: [500, 501], retouchComm: 'hbw-retouch', measureStall: true };
    expect(attribute(facts({ stalls }), [win('repetition 0', 1000, 2000, 500, 0, target)]).figures[0]!.stallNs).toBe(642);
    expect(tracedStallNs(stalls, [500], 1000, 2000)).toBe(640);
    expect(attribute(facts({ stalls }), [win('repetition 0', 1000, 2000, 500, 0, { ...target, measureStall: false })]).figures[0]!.stallNs).toBeNull();
  });

  it('matches windows in any order, against unsorted records, in O(w log n): 200000 windows and records', () => {
    const n = 200_000;
    const hints: ProbeHint[] = [];
    const windows: AttributionWindow[] = [];
    for (let i = n - 1; i >= 0; i--) {
      windows.push(win(`hint ${i}`, i * 10, i * 10 + 5, 7, 1));
      hints.push(hint(7, i * 10 + 1, i));
    }
    const { figures, warnings } = attribute(facts({ hints, hintCalls: n }), windows);
    expect(figures).toHaveLength(n);
    expect(figures[0]!.kernelLatencyNs).toBe(n - 1);
    expect(figures[n - 1]!.kernelLatencyNs).toBe(0);
    expect(warnings).toEqual([]);
  });
});

describe('lookups', () => {
  it('hintsInWindow keeps the tid and the inclusive window, bigint or number', () => {
    const hints = [hint(5, 99, 1), hint(5, 100, 1), hint(6, 150, 1), hint(5, 200, 1), hint(5, 201, 1)];
    expect(hintsInWindow(hints, 5, 100n, 200n).map((h) => h.enterNs)).toEqual([100, 200]);
    expect(hintsInWindow(hints, 6, 0, 1000)).toHaveLength(1);
    expect(hintsInWindow(hints, 7, 0, 1000)).toEqual([]);
  });

  it('majorFaultsOf sums over comms when none is given', () => {
    const majorFaults = [
      { pid: 4, comm: 'hbw-retouch', count: 7 },
      { pid: 4, comm: 'node', count: 2 },
      { pid: 5, comm: 'hbw-retouch', count: 100 },
    ];
    expect(majorFaultsOf({ majorFaults }, 4, 'hbw-retouch')).toBe(7);
    expect(majorFaultsOf({ majorFaults }, 4)).toBe(9);
    expect(majorFaultsOf({ majorFaults }, 6)).toBe(0);
  });
});
