/**
 * The runner's orchestration without root: runSuite/runScenario with the `none` mechanism or
 * a fake one, the stand-in bpftrace (test/fixtures/bpftrace/fake-bpftrace.sh) and real, small
 * workload processes. Covers the ok, partial, failed and interrupted paths, the files written
 * on the way, and the attribution of the stand-in's probe records to the samples.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { HintRequest, HintTarget, Mechanism } from '../../../bench/mechanisms/mechanism.ts';
import { NoneMechanism } from '../../../bench/mechanisms/none.ts';
import { runSuite } from '../../../bench/runner/run.ts';
import { runScenario } from '../../../bench/runner/scenario.ts';
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
    expect(r.warnings).toEqual([]);
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
    expect(r.warnings).toEqual([]);
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
    expect(r.warnings.at(-1)).toMatch(/^kernel-side figures \(kernelLatencyNs, reclaimedPages\) cover 0 of 2 hints: /);
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
    expect(r.error).toMatch(/bpftrace exited \(code 1\) before attaching the probes of hint-latency-batch, refaults, stall, eintr/);
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
      onRepetition: (soFar) => {
        seen.push(soFar.status);
        ac.abort(new HintbenchError('interrupted by SIGINT', 'rerun', { exitCode: 130 }));
      },
    });
    expect(seen).toEqual(['interrupted']);
    expect(r.status).toBe('interrupted');
    expect(r.error).toBe('interrupted by SIGINT after 1 of 5 repetitions');
    expect(r.samples).toHaveLength(1);
    expect(r.samples[0]!.kernelLatencyNs).toBe(200);
    expect(m.hints).toBe(1);
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
      expect(csv).toHaveLength(3);
      expect(lines.filter((l) => / rep 1\/1: /.test(l))).toHaveLength(2);
    } finally {
      out.close();
    }
  });

  it('interrupted: keeps the finished repetitions in a valid results.json (finishedAt null) and rethrows the abort', async () => {
    const out = outDir('abort');
    const ac = new AbortController();
    try {
      const err = await runSuite(suite([scenario('none', 3), scenario('none', 3)]), {
        out,
        ...withFakeProbe,
        createMechanism: async () => new NoneMechanism(),
        signal: ac.signal,
        progress: (l) => {
          if (/ rep 2\/3: /.test(l)) ac.abort(new HintbenchError('interrupted by SIGTERM', 'rerun', { exitCode: 130 }));
        },
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HintbenchError);
      const saved = readResultsJson(out.pathOf('results.json'));
      expect(saved.finishedAt).toBeNull();
      expect(saved.scenarios).toHaveLength(1);
      expect(saved.scenarios[0]!.status).toBe('interrupted');
      expect(saved.scenarios[0]!.samples).toHaveLength(2);
    } finally {
      out.close();
    }
  });
});
