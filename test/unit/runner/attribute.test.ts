import { describe, expect, it } from 'vitest';
import { attribute, type ProbeFacts } from '../../../bench/runner/attribute.ts';
import type { SampleDraft } from '../../../bench/runner/repetition.ts';
import type { ProbeHint, Sample } from '../../../core/types.ts';

function sample(over: Partial<Sample> = {}): Sample {
  return {
    repetition: 0, pid: 500, userLatencyNs: 1000, kernelLatencyNs: null, syscalls: 2, probeSyscalls: null,
    bytesRequested: 8192, bytesAdvised: 8192, reclaimedPages: null, rssBeforeBytes: 0, rssAfterBytes: 0,
    swapBeforeBytes: 0, swapAfterBytes: 0, pswpoutDeltaPages: 0, pswpinDeltaPages: 0, retouchNs: 0,
    retouchMajorFaults: 0, retouchMajorFaultsProbe: null, stallNs: null, injectorStopNs: null,
    callerCpuNs: null, targetCpuNs: null, targetEintr: 0, dataIntact: true, errors: [], ...over,
  };
}

function hint(tid: number, enterNs: number, latencyNs: number, reclaimedPages: number): ProbeHint {
  return { tid, pid: tid, syscall: 'process_madvise', behavior: 21, latencyNs, reclaimedPages, ret: 4096, enterNs };
}

const draft: SampleDraft = { sample: sample(), hintWindow: { fromNs: 1000, toNs: 2000 }, syscallTid: 42, targetTids: [500, 501] };

describe('attribute', () => {
  it('sums the hints of the syscall thread inside the window and nothing else', () => {
    const facts: ProbeFacts = {
      hints: [hint(42, 1100, 300, 1), hint(42, 1500, 200, 1), hint(42, 2500, 999, 9), hint(43, 1200, 999, 9), hint(42, 900, 999, 9)],
      majorFaults: [{ pid: 500, comm: 'hbw-retouch', count: 2 }, { pid: 500, comm: 'hbw-idle', count: 7 }, { pid: 501, comm: 'hbw-retouch', count: 5 }],
      eintr: [{ pid: 499, count: 9 }, { pid: 500, count: 3 }],
      stalls: [],
    };
    const { sample: s, warnings } = attribute(draft, facts, { retouchComm: 'hbw-retouch', measureStall: false });
    expect(s.kernelLatencyNs).toBe(500);
    expect(s.reclaimedPages).toBe(2);
    expect(s.probeSyscalls).toBe(2);
    expect(s.retouchMajorFaultsProbe).toBe(2);
    expect(s.targetEintr).toBe(3);
    expect(s.stallNs).toBeNull();
    expect(warnings).toEqual([]);
  });
  it('warns when the probe missed syscalls instead of reporting a silent zero', () => {
    const facts: ProbeFacts = { hints: [hint(42, 1100, 300, 1)], majorFaults: [], eintr: [], stalls: [] };
    const { sample: s, warnings } = attribute(draft, facts, { retouchComm: 'hbw-retouch', measureStall: false });
    expect(s.kernelLatencyNs).toBe(300);
    expect(s.retouchMajorFaultsProbe).toBe(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('1 of 2');
    const none = attribute(draft, { hints: [], majorFaults: [], eintr: [], stalls: [] }, { retouchComm: 'hbw-retouch', measureStall: false });
    expect(none.sample.kernelLatencyNs).toBeNull();
    expect(none.sample.reclaimedPages).toBeNull();
  });
  it('sums ptrace stops (not job-control stops) of the target threads that began in the window', () => {
    const facts: ProbeFacts = {
      hints: [],
      majorFaults: [],
      eintr: [],
      stalls: [
        { tid: 500, state: 'traced', startNs: 1200, durationNs: 40 },
        { tid: 501, state: 'traced', startNs: 1300, durationNs: 2 },
        { tid: 500, state: 'stopped', startNs: 1400, durationNs: 1000 },
        { tid: 777, state: 'traced', startNs: 1300, durationNs: 50 },
        { tid: 500, state: 'traced', startNs: 2100, durationNs: 60 },
      ],
    };
    const { sample: s } = attribute({ ...draft, sample: sample({ syscalls: 0 }) }, facts, { retouchComm: 'hbw-retouch', measureStall: true });
    expect(s.stallNs).toBe(42);
  });
  it('does not touch the draft it was given', () => {
    const d: SampleDraft = { ...draft, sample: sample({ errors: ['x'] }) };
    const { sample: s } = attribute(d, { hints: [hint(42, 1100, 1, 1)], majorFaults: [], eintr: [], stalls: [] }, { retouchComm: 'c', measureStall: false });
    s.errors.push('y');
    expect(d.sample.errors).toEqual(['x']);
    expect(d.sample.kernelLatencyNs).toBeNull();
  });
});
