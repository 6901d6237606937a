/**
 * The runner's orchestration without root: runSuite/runScenario with the `none` mechanism or
 * a fake one, the stand-in bpftrace (test/fixtures/bpftrace/fake-bpftrace.sh) and real, small
 * workload processes. Covers the ok, partial, failed and interrupted paths, the files written
 * on the way, the attribution of the stand-in's probe records to the samples, blocks in a
 * seeded order, the warm-up, and the adaptive stopping rule.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { HintRequest, HintTarget, Mechanism } from '../../../bench/mechanisms/mechanism.ts';
import { NoneMechanism } from '../../../bench/mechanisms/none.ts';
import { runScenario, runSuite } from '../../../bench/runner/run.ts';
import { blockOrders } from '../../../bench/runner/order.ts';
import { BLOCK_PROBES } from '../../../bench/runner/block.ts';
import { scenarioId } from '../../../bench/scenarios/matrix.ts';
import { HintbenchError } from '../../../core/errors.ts';
import type { HintOutcome, MechanismName, MemorySpec, Scenario, Suite } from '../../../core/types.ts';
import { readResultsJson } from '../../../reports/json.ts';
import { OutputDir } from '../../../reports/output-dir.ts';

const FAKE_BPFTRACE = fileURLToPath(new URL('../../fixtures/bpftrace/fake-bpftrace.sh', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'hintbench-runner-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
afterEach(() => {
  delete process.env.FAKE_MODE;
  delete process.env.FAKE_RELAY;
});

const memory: MemorySpec = { kind: 'anon', content: 'random', sizeMiB: 1, vmas: 1 };
const scenario = (mechanism: MechanismName, repetitions = 2): Scenario => {
  const advice = mechanism === 'none' ? 'none' : 'pageout';
  return { id: scenarioId(mechanism, advice, memory, 'sleeping'), mechanism, advice, memory, targetState: 'sleeping', repetitions };
};

/**
 * A mechanism that pretends: each hint "makes" `syscalls` calls of `latencyNs` each on this
 * thread and, when a relay file is set, writes the probe records of `recorded` of them for
 * the stand-in bpftrace to print at exit. `failOn` repetitions come back with an error.
 */
class FakeMechanism implements Mechanism {
  readonly name = 'process_madvise' as const;
  hints = 0;
  constructor(private readonly opts: { syscalls: number; recorded: number; latencyNs: number; reclaimedPages: number; failOn?: number[] }) {}
  async open(_target: HintTarget): Promise<void> {}
  async close(): Promise<void> {}
  async dispose(): Promise<void> {}
  async hint(request: HintRequest): Promise<HintOutcome> {
    const n = this.hints++;
    const bytes = request.ranges.reduce((s, r) => s + r.lengthBytes, 0);
    const relay = process.env.FAKE_RELAY;
    for (let i = 0; i < this.opts.recorded && relay !== undefined; i++) {
      const enterNs = Number(process.hrtime.bigint());
      const record = [request.target.pid, 1, 21, this.opts.latencyNs, this.opts.reclaimedPages, bytes];
      appendFileSync(relay, `${JSON.stringify({ type: 'map', data: { '@hb_hbat_rec': { [`${process.pid},${enterNs}`]: record } } })}\n`);
      appendFileSync(relay, `${JSON.stringify({ type: 'map', data: { '@hb_hsch_rec': { [`${process.pid},${enterNs}`]: [0, 0, 0, 0, 0, 0] } } })}\n`);
    }
    if (relay !== undefined) appendFileSync(relay, `${JSON.stringify({ type: 'map', data: { '@hb_hbat_calls': this.opts.recorded, '@hb_hsch_calls': this.opts.recorded } })}\n`);
    const failed = this.opts.failOn?.includes(n) === true;
    return {
      bytesAdvised: failed ? 0 : bytes,
      userLatencyNs: this.opts.syscalls * this.opts.latencyNs + 1000,
      syscalls: this.opts.syscalls,
      syscallTid: process.pid,
      skipped: [],
      injectorStopNs: 0,
      callerCpuNs: 500,
      error: failed ? 'EFAKE: the fake kernel refused' : null,
    };
  }
}

const fake = (m: Mechanism) => async (): Promise<Mechanism> => m;
const withFakeProbe = { bpftracePath: FAKE_BPFTRACE };

describe('runScenario', () => {
  it('ok: the none baseline runs every repetition on a real workload, no hint, data intact', async () => {
    const r = await runScenario(scenario('none'), { ...withFakeProbe, createMechanism: async () => new NoneMechanism() });
    expect(r.status).toBe('ok');
    expect(r.error).toBeNull();
    expect(r.samples).toHaveLength(2);
    for (const s of r.samples) {
      expect(s.errors).toEqual([]);
      expect(s.dataIntact).toBe(true);
      expect(s.userLatencyNs).toBeNull();
      expect(s.syscalls).toBe(0);
      expect(s.probeSyscalls).toBeNull();
      expect(s.kernelLatencyNs).toBeNull();
      expect(s.bytesRequested).toBe(1024 * 1024);
      expect(s.retouchMajorFaultsProbe).toBe(0); // the stand-in's majflt map names pid 42, not the workload
    }
    expect(r.samples[0]!.pid).not.toBe(r.samples[1]!.pid); // a fresh workload per repetition
    expect(r.summary.retouchNs?.n).toBe(2);
    // two samples: only the statistical warnings (too few for an interval, maybe noise), nothing about the probe
    expect(r.warnings.filter((w) => !/^n = 2 is too small|robust CV/.test(w))).toEqual([]);
  });

  it("ok: the stand-in's records are attributed to the samples by thread and window", async () => {
    process.env.FAKE_RELAY = join(work, 'relay-ok.ndjson');
    const m = new FakeMechanism({ syscalls: 2, recorded: 2, latencyNs: 300, reclaimedPages: 128 });
    const r = await runScenario(scenario('process_madvise'), { ...withFakeProbe, createMechanism: fake(m) });
    expect(r.status).toBe('ok');
    for (const s of r.samples) {
      expect(s.syscalls).toBe(2);
      expect(s.probeSyscalls).toBe(2);
      expect(s.kernelLatencyNs).toBe(600);
      expect(s.reclaimedPages).toBe(256);
      expect(s.userLatencyNs).toBe(1600);
    }
    expect(r.warnings.filter((w) => !/^n = 2 is too small|robust CV/.test(w))).toEqual([]);
  });

  it('ok with warnings: a repetition whose calls the probe did not all record has no kernel figures and is named', async () => {
    process.env.FAKE_RELAY = join(work, 'relay-short.ndjson');
    const m = new FakeMechanism({ syscalls: 2, recorded: 1, latencyNs: 300, reclaimedPages: 128 });
    const r = await runScenario(scenario('process_madvise'), { ...withFakeProbe, createMechanism: fake(m) });
    expect(r.status).toBe('ok');
    expect(r.samples.map((s) => [s.probeSyscalls, s.kernelLatencyNs, s.reclaimedPages])).toEqual([
      [1, null, null],
      [1, null, null],
    ]);
    expect(r.warnings).toContain(`repetition 0: the probe saw 1 of 2 hint syscalls of tid ${process.pid}`);
    expect(r.warnings.some((w) => /^kernel-side figures \(kernelLatencyNs, reclaimedPages\) cover 0 of 1 hints: /.test(w))).toBe(true);
    expect(r.warnings).toContain(
      'the probe saw fewer hint system calls than were made in 2 of 2 samples: their kernelLatencyNs and reclaimedPages are null, not understated. Fix: rerun on a less loaded host (lost perf events), or with fewer VMAs per workload',
    );
  });

  it('partial: a repetition whose hint failed keeps its error; the others are clean', async () => {
    const m = new FakeMechanism({ syscalls: 1, recorded: 0, latencyNs: 100, reclaimedPages: 0, failOn: [1] });
    const r = await runScenario(scenario('process_madvise', 3), { ...withFakeProbe, createMechanism: fake(m) });
    expect(r.status).toBe('partial');
    expect(r.error).toBeNull();
    expect(r.samples.map((s) => s.errors)).toEqual([[], ['EFAKE: the fake kernel refused'], []]);
  });

  it('failed: the probes do not start, and the reason is the result, not an exception', async () => {
    process.env.FAKE_MODE = 'exit-early';
    const r = await runScenario(scenario('none'), { ...withFakeProbe, createMechanism: async () => new NoneMechanism() });
    expect(r.status).toBe('failed');
    expect(r.samples).toEqual([]);
    expect(r.error).toMatch(/bpftrace exited \(code 1\) before attaching the probes of hint-latency-batch, refaults, stall, eintr, reclaim-bg/);
  });

  it('failed: no mechanism can be made', async () => {
    const r = await runScenario(scenario('ptrace'), {
      ...withFakeProbe,
      createMechanism: async () => {
        throw new HintbenchError('ptrace injection is not supported here', 'use process_madvise');
      },
    });
    expect(r.status).toBe('failed');
    expect(r.error).toBe('ptrace injection is not supported here');
  });

  it('interrupted: an abort after the first repetition keeps it, with its probe figures, and stops there', async () => {
    process.env.FAKE_RELAY = join(work, 'relay-abort.ndjson');
    const m = new FakeMechanism({ syscalls: 1, recorded: 1, latencyNs: 200, reclaimedPages: 64 });
    const ac = new AbortController();
    const seen: string[] = [];
    const r = await runScenario(scenario('process_madvise', 5), {
      ...withFakeProbe,
      createMechanism: fake(m),
      signal: ac.signal,
      progress: (_line, kind) => {
        seen.push(kind);
        ac.abort(new HintbenchError('interrupted by SIGINT', 'rerun', { exitCode: 130 }));
      },
    }).catch((e: unknown) => e);
    expect(r).toBeInstanceOf(HintbenchError);
    expect(seen).toEqual(['step', 'block']);
    expect(m.hints).toBe(1);
  });
});

describe('runSuite blocks', () => {
  const sized = (sizeMiB: number, repetitions: number): Scenario => {
    const mem: MemorySpec = { ...memory, sizeMiB };
    return { id: scenarioId('none', 'none', mem, 'sleeping'), mechanism: 'none', advice: 'none', memory: mem, targetState: 'sleeping', repetitions };
  };

  it('runs a warm-up block, then blocks in the seeded order, and records seed, order and stopping', async () => {
    const scenarios = [sized(1, 2), sized(2, 2), sized(3, 2)];
    const steps: string[] = [];
    const blocks: string[] = [];
    const run = await runSuite(
      { name: 'unit', description: '', scenarios },
      {
        ...withFakeProbe,
        seed: 42,
        createMechanism: async () => new NoneMechanism(),
        progress: (line, kind) => (kind === 'step' ? steps : blocks).push(line),
      },
    );
    const ran = steps.map((l) => scenarios.findIndex((s) => l.includes(` ${s.id} rep `)));
    expect(ran).toEqual(blockOrders(3, 42, 'interleaved', 3).flat());
    expect(blocks.map((l) => l.split(' done')[0])).toEqual(['warm-up', 'block 1/2', 'block 2/2']);
    expect(run.seed).toBe(42);
    expect(run.order).toBe('interleaved');
    expect(run.stopping).toMatchObject({ mode: 'fixed', blocks: 2, reason: 'reps', maxRepetitions: 2 });
    for (const r of run.scenarios) {
      expect(r.status).toBe('ok');
      expect(r.samples.map((s) => [s.repetition, s.warmUp, s.block])).toEqual([
        [0, true, -1],
        [1, false, 0],
        [2, false, 1],
      ]);
      expect(r.summary.retouchNs!.n).toBe(2);
    }
  });

  it('sequential order runs the suite order in every block', async () => {
    const scenarios = [sized(1, 1), sized(2, 1), sized(3, 1)];
    const steps: string[] = [];
    await runSuite(
      { name: 'unit', description: '', scenarios },
      { ...withFakeProbe, order: 'sequential', warmUp: false, createMechanism: async () => new NoneMechanism(), progress: (l, k) => k === 'step' && steps.push(l) },
    );
    expect(steps.map((l) => scenarios.findIndex((s) => l.includes(` ${s.id} rep `)))).toEqual([0, 1, 2]);
  });

  it('records the probe scripts attached: without --explain on, none of the explanation probes', async () => {
    const run = await runSuite({ name: 'unit', description: '', scenarios: [sized(1, 1)] }, { ...withFakeProbe, warmUp: false, createMechanism: async () => new NoneMechanism() });
    expect(run.environment.probes).toEqual([...BLOCK_PROBES]);
  });

  it('an abort noticed by a failing step ends the run with the abort, not with the error of that step', async () => {
    const ac = new AbortController();
    const abort = new HintbenchError('interrupted by SIGINT', 'rerun', { exitCode: 130 });
    const m = new FakeMechanism({ syscalls: 1, recorded: 0, latencyNs: 100, reclaimedPages: 0 });
    m.hint = async () => {
      ac.abort(abort);
      throw new Error('process 4242 does not exist');
    };
    const err = await runSuite(
      { name: 'unit', description: '', scenarios: [scenario('process_madvise', 3)] },
      { ...withFakeProbe, createMechanism: fake(m), signal: ac.signal },
    ).catch((e: unknown) => e);
    expect(err).toBe(abort);
  });

  it('a scenario that has its repetitions sits out the later blocks', async () => {
    const run = await runSuite(
      { name: 'unit', description: '', scenarios: [sized(1, 1), sized(2, 2)] },
      { ...withFakeProbe, warmUp: false, createMechanism: async () => new NoneMechanism() },
    );
    expect(run.stopping).toMatchObject({ blocks: 2, reason: 'reps' });
    expect(run.scenarios.map((r) => r.samples.map((s) => s.block))).toEqual([[0], [0, 1]]);
  });

  it('adaptive: stops at the minimum n once every key metric is within the target', async () => {
    const m = new FakeMechanism({ syscalls: 1, recorded: 0, latencyNs: 100, reclaimedPages: 0 });
    const run = await runSuite(
      { name: 'unit', description: '', scenarios: [scenario('process_madvise', 20)] },
      { ...withFakeProbe, warmUp: false, createMechanism: fake(m), stopping: { minReps: 6, maxReps: 20, timeBudgetMs: null, targetHalfWidth: 5 } },
    );
    expect(run.stopping).toMatchObject({ mode: 'adaptive', blocks: 6, reason: 'target-reached' });
    const user = run.stopping!.halfWidths.find((h) => h.field === 'userLatencyNs');
    expect(user?.relativeHalfWidth).toBe(0); // the fake's latency never changes
    expect(run.scenarios[0]!.summary.userLatencyNs!.ci!.meetsConfidence).toBe(true);
  });

  it('adaptive: a budget smaller than the minimum runs the minimum, then stops and says the target was not reached', async () => {
    const run = await runSuite(
      { name: 'unit', description: '', scenarios: [sized(1, 10)] },
      { ...withFakeProbe, createMechanism: async () => new NoneMechanism(), stopping: { minReps: 2, maxReps: null, timeBudgetMs: 1, targetHalfWidth: 0.000001 } },
    );
    expect(run.stopping).toMatchObject({ blocks: 2, reason: 'time-budget' });
    expect(run.scenarios[0]!.samples.map((s) => s.warmUp)).toEqual([true, false, false]);
    expect(run.warnings.some((w) => w.startsWith('the time budget ended before every key metric reached +/- 0.0 %'))).toBe(true);
  });

  it('interrupted: an abort after the first repetition keeps it, with its probe figures, and stops there', async () => {
    process.env.FAKE_RELAY = join(work, 'relay-abort.ndjson');
    const m = new FakeMechanism({ syscalls: 1, recorded: 1, latencyNs: 200, reclaimedPages: 64 });
    const ac = new AbortController();
    const out = OutputDir.open(mkdtempSync(join(work, 'abort1-')));
    try {
      const err = await runSuite(
        { name: 'unit', description: '', scenarios: [scenario('process_madvise', 5)] },
        {
          out,
          ...withFakeProbe,
          warmUp: false,
          createMechanism: fake(m),
          signal: ac.signal,
          progress: (_l, kind) => {
            if (kind === 'step') ac.abort(new HintbenchError('interrupted by SIGINT', 'rerun', { exitCode: 130 }));
          },
        },
      ).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HintbenchError);
      const saved = readResultsJson(out.pathOf('results.json'));
      const r = saved.scenarios[0]!;
      expect(r.status).toBe('interrupted');
      expect(r.error).toBe('interrupted by SIGINT after 1 of 5 repetitions');
      expect(r.samples).toHaveLength(1);
      expect(r.samples[0]!.kernelLatencyNs).toBe(200);
      expect(saved.stopping?.reason).toBe('interrupted');
    } finally {
      out.close();
    }
  });
});

describe('runSuite', () => {
  const suite = (scenarios: Scenario[]): Suite => ({ name: 'unit', description: 'runner unit test', scenarios });
  const outDir = (name: string): OutputDir => OutputDir.open(mkdtempSync(join(work, `${name}-`)));

  it('writes results.json (valid, finished) and samples.csv, scenario after scenario', async () => {
    const out = outDir('ok');
    try {
      const lines: string[] = [];
      const run = await runSuite(suite([scenario('none', 1), scenario('process_madvise', 1)]), {
        out,
        ...withFakeProbe,
        createMechanism: async (name) => (name === 'none' ? new NoneMechanism() : new FakeMechanism({ syscalls: 1, recorded: 0, latencyNs: 1, reclaimedPages: 0 })),
        progress: (l) => lines.push(l),
      });
      expect(run.scenarios.map((s) => s.status)).toEqual(['ok', 'ok']);
      expect(run.environment.bpftraceVersion).toBe('0.17.0');
      const saved = readResultsJson(out.pathOf('results.json'));
      expect(saved.finishedAt).not.toBeNull();
      expect(saved.scenarios).toHaveLength(2);
      const csv = readFileSync(out.pathOf('samples.csv'), 'utf8').trim().split('\n');
      expect(csv).toHaveLength(5); // header, a warm-up and a measured sample per scenario
      expect(lines.filter((l) => /^block 1\/1 \[\d\/2\] /.test(l))).toHaveLength(2);
    } finally {
      out.close();
    }
  });

  it('interrupted: keeps the finished repetitions in a valid results.json (finishedAt null) and rethrows the abort', async () => {
    const out = outDir('abort');
    const ac = new AbortController();
    try {
      const other: Scenario = { ...scenario('none', 3), memory: { ...memory, sizeMiB: 2 }, id: scenarioId('none', 'none', { ...memory, sizeMiB: 2 }, 'sleeping') };
      let steps = 0;
      const err = await runSuite(suite([scenario('none', 3), other]), {
        out,
        ...withFakeProbe,
        order: 'sequential',
        warmUp: false,
        createMechanism: async () => new NoneMechanism(),
        signal: ac.signal,
        progress: (_l, kind) => {
          if (kind === 'step' && ++steps === 3) ac.abort(new HintbenchError('interrupted by SIGTERM', 'rerun', { exitCode: 130 }));
        },
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HintbenchError);
      const saved = readResultsJson(out.pathOf('results.json'));
      expect(saved.finishedAt).toBeNull();
      expect(saved.stopping?.reason).toBe('interrupted');
      expect(saved.scenarios.map((s) => [s.status, s.samples.length, s.error])).toEqual([
        ['interrupted', 2, 'interrupted by SIGTERM after 2 of 3 repetitions'],
        ['interrupted', 1, 'interrupted by SIGTERM after 1 of 3 repetitions'],
      ]);
    } finally {
      out.close();
    }
  });
});
