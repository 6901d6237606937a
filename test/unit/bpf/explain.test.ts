/** The explanation probes' output: parsed into facts (bpf/report.ts) and attributed per hint (core/attribution.ts). */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { log2Buckets, reportFromEvents, schedFromRecord } from '../../../bpf/report.ts';
import { EXPLAIN_SCRIPTS, SCRIPT_TRACEPOINTS, TRACEPOINTS_USED, explainSourcesOf } from '../../../bpf/scripts.ts';
import { availableScripts } from '../../../bpf/session.ts';
import { parseOutput } from '../../../bpf/ndjson.ts';
import { attribute, explainOf, IPI_KIND, TLB_REASON } from '../../../core/attribution.ts';
import type { ProbeFacts } from '../../../core/types.ts';

/** What bpftrace 0.17 prints at exit for the four scripts (shape taken from a real session). */
const EXIT_OUTPUT = [
  '{"type": "map", "data": {"@hb_tlb_n": {"100,1000,4": 50, "100,1000,1": 48, "100,2000,4": 7, "100,5000,4": 9, "101,1500,4": 3}}}',
  '{"type": "map", "data": {"@hb_ipi_n": {"100,1000,1": 50, "100,1000,4": 52, "100,2000,1": 6}}}',
  '{"type": "map", "data": {"@hb_hsch_rec": {"100,1000": [1, 0, 1, 3, 2, 41000], "100,2000": [0, 0, 0, 1, 0, 500], "100,5000": [1, 1, 0, 0, 0, 0]}}}',
  '{"type": "map", "data": {"@hb_hsch_calls": 3}}',
  '{"type": "hist", "data": {"@hb_rfl_hist": {"700": [{"min": 1, "max": 1, "count": 1}, {"min": 2048, "max": 4095, "count": 60}, {"min": 8192, "max": 16383, "count": 3}]}}}',
  '{"type": "map", "data": {"@hb_rfl_sum": {"700": 250000}}}',
  '{"type": "map", "data": {"@hb_rfl_n": {"700": 64}}}',
  '{"type": "map", "data": {"@hb_tlb_owner": 0}}',
].join('\n\n');

describe('explanation probe output', () => {
  const report = reportFromEvents(parseOutput(EXIT_OUTPUT));

  it('parses TLB and IPI counts per call, sched records and the refault histogram, ignoring internal maps', () => {
    expect(report.hintEvents).toHaveLength(8);
    expect(report.hintEvents).toContainEqual({ source: 'tlb', tid: 100, enterNs: 1000, kind: TLB_REASON.remoteSendIpi, count: 50 });
    expect(report.hintEvents).toContainEqual({ source: 'ipi', tid: 100, enterNs: 1000, kind: IPI_KIND.callFunctionSingle, count: 52 });
    expect(report.hintSched).toContainEqual({ tid: 100, enterNs: 1000, cpuEnter: 1, cpuExit: 0, migrations: 1, switches: 3, preemptions: 2, offCpuNs: 41000 });
    expect(report.hintSchedCalls).toBe(3);
    expect(report.refaultLatency).toEqual([{ pid: 700, log2Buckets: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 60, 0, 3], count: 64, sumNs: 250000 }]);
    expect(report.warnings).toEqual([]);
  });

  it('log2 buckets: index i holds [2^i, 2^(i+1)), index 0 also 0 and the underflow bucket', () => {
    expect(
      log2Buckets([
        { minValue: null, maxValue: -1, count: 2 },
        { minValue: 0, maxValue: 0, count: 1 },
        { minValue: 1, maxValue: 1, count: 4 },
        { minValue: 2, maxValue: 3, count: 5 },
        { minValue: 1024, maxValue: 2047, count: 6 },
      ]),
    ).toEqual([7, 5, 0, 0, 0, 0, 0, 0, 0, 0, 6]);
  });

  it('rejects a malformed sched record', () => {
    expect(schedFromRecord('100', [1, 2, 3, 4, 5, 6])).toBeNull();
    expect(schedFromRecord('100,5', [1, 2, 3])).toBeNull();
    expect(schedFromRecord('100,5', [1, 2, 3, 4, 5, 'x'])).toBeNull();
  });

  it('warns when hint-sched kept fewer records than it counted calls', () => {
    const r = reportFromEvents(parseOutput('{"type": "map", "data": {"@hb_hsch_calls": 5}}'));
    expect(r.warnings).toContain('hint-sched saw 5 hint calls but its map kept 0: raise mapKeysMax');
  });
});

describe('explainOf / attribute', () => {
  const facts: ProbeFacts = {
    ...reportFromEvents(parseOutput(EXIT_OUTPUT)),
    explainSources: explainSourcesOf(['hint-tlb', 'hint-ipi', 'hint-sched', 'refault-latency']),
  };
  const all = ['tlb', 'ipi', 'sched', 'refault-latency'] as const;

  it('sums the calls of the hint thread that entered in the window, and nothing else', () => {
    const e = explainOf(facts, all, { tid: 100, fromNs: 900, toNs: 2500, syscalls: 2 }, 700);
    expect(e).toMatchObject({
      tlbRemoteIpiSends: 57,
      tlbRemoteShootdowns: 48,
      tlbRemoteWrongCpu: 0,
      tlbLocalShootdowns: 0,
      ipiSends: 56,
      callFunctionIrqs: 52,
      callerCpu: 1,
      callerMigrations: 1,
      callerSwitches: 4,
      callerPreemptions: 2,
      callerOffCpuNs: 41500,
      refaultsTimed: 64,
      refaultLatencyMeanNs: 250000 / 64,
    });
    expect(e.refaultLatencyLog2Hist?.reduce((s, c) => s + c, 0)).toBe(64);
  });

  it('leaves a figure null when its probe did not run, and the sched figures when a call has no record', () => {
    const noIpi = explainOf(facts, ['tlb'], { tid: 100, fromNs: 900, toNs: 2500, syscalls: 2 }, 700);
    expect(noIpi.ipiSends).toBeNull();
    expect(noIpi.callerCpu).toBeNull();
    expect(noIpi.refaultsTimed).toBeNull();
    expect(noIpi.tlbRemoteIpiSends).toBe(57);
    const missing = explainOf(facts, all, { tid: 100, fromNs: 900, toNs: 2500, syscalls: 3 }, null);
    expect(missing.callerCpu).toBeNull();
    expect(missing.refaultLatencyLog2Hist).toBeNull();
  });

  it('gives 0, not null, for a measured window without events, and null for the baseline (no call)', () => {
    const quiet = explainOf(facts, all, { tid: 100, fromNs: 4000, toNs: 6000, syscalls: 1 }, 999);
    expect(quiet).toMatchObject({ tlbRemoteShootdowns: 0, ipiSends: 0, callerPreemptions: 0, refaultsTimed: 0, refaultLatencyMeanNs: null });
    expect(quiet.refaultLatencyLog2Hist).toEqual([]);
    const baseline = explainOf(facts, all, { tid: 100, fromNs: 0, toNs: 9000, syscalls: 0 }, null);
    expect(baseline.tlbRemoteIpiSends).toBeNull();
    expect(baseline.callerCpu).toBeNull();
  });

  it('attribute() names the hints whose sched records are missing', () => {
    const { figures, warnings } = attribute(facts, [
      { label: 'repetition 0', fromNs: 900, toNs: 2500, tid: 100, syscalls: 2 },
      { label: 'repetition 1', fromNs: 4000, toNs: 6000, tid: 100, syscalls: 2 },
    ]);
    expect(figures[0]!.explain.callerCpu).toBe(1);
    expect(figures[1]!.explain.callerCpu).toBeNull();
    expect(warnings[0]).toMatch(/^caller CPU figures .* null for 1 hint\(s\): repetition 1: hint-sched recorded 1 of 2 hint syscalls of tid 100$/);
  });
});

describe('availableScripts', () => {
  it('leaves out an explanation script whose tracepoint this kernel lacks, naming it; keeps all without tracefs', () => {
    const root = mkdtempSync(join(tmpdir(), 'hb-tracefs-'));
    try {
      const present = [...new Set(Object.values(EXPLAIN_SCRIPTS).flatMap((s) => SCRIPT_TRACEPOINTS[s]))].filter((tp) => tp !== 'ipi/ipi_send_cpumask');
      for (const tp of present) mkdirSync(join(root, 'sys/kernel/tracing/events', tp), { recursive: true });
      const r = availableScripts(Object.values(EXPLAIN_SCRIPTS), root);
      expect(r.scripts).toEqual(['hint-tlb', 'hint-sched', 'refault-latency']);
      expect(r.skipped).toEqual([{ name: 'hint-ipi', missing: ['ipi/ipi_send_cpumask'] }]);
      expect(explainSourcesOf(r.scripts)).toEqual(['tlb', 'sched', 'refault-latency']);
      expect(availableScripts(['hint-tlb'], join(root, 'nowhere'))).toEqual({ scripts: ['hint-tlb'], skipped: [] });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('doctor requires only the tracepoints of the required scripts', () => {
    expect(TRACEPOINTS_USED).not.toContain('tlb/tlb_flush');
    expect(TRACEPOINTS_USED).toContain('sched/sched_switch');
  });
});
