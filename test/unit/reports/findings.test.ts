import { describe, expect, it } from 'vitest';
import { relativeShift } from '../../../core/stats/relative-shift.ts';
import type { RunResult, Sample, ScenarioResult } from '../../../core/types.ts';
import { findingsFootnote, keyFindings } from '../../../reports/findings.ts';
import { fixtureRun } from './fixture.ts';

/** A scenario of the fixture's first one, with the given matrix cell and latencies (ns). */
function scenario(
  template: ScenarioResult,
  cell: { mechanism: 'process_madvise' | 'ptrace' | 'none'; advice: 'cold' | 'pageout' | 'none'; state: 'running' | 'sleeping'; sizeMiB?: number },
  latencies: number[],
  retouch: number[],
): ScenarioResult {
  const s = structuredClone(template);
  s.scenario = { ...s.scenario, mechanism: cell.mechanism, advice: cell.advice, targetState: cell.state, memory: { ...s.scenario.memory, sizeMiB: cell.sizeMiB ?? 64 } };
  s.scenario.id = `${cell.mechanism}/${cell.advice}/${cell.sizeMiB ?? 64}/${cell.state}`;
  s.status = 'ok';
  s.samples = latencies.map(
    (ns, i): Sample => ({ ...structuredClone(template.samples[0]!), repetition: i, userLatencyNs: cell.mechanism === 'none' ? null : ns, retouchNs: retouch[i]!, stallNs: null }),
  );
  return s;
}

/** A run of hand-made scenarios (no summaries: reports must not need them). */
function runOf(make: (t: ScenarioResult) => ScenarioResult[]): RunResult {
  const run = fixtureRun();
  const t = run.scenarios[0]!;
  run.scenarios = make(t).map((s) => ({ ...s, summary: {} }));
  return run;
}

const n6 = (base: number, spread = 0.02): number[] => [0, 1, 2, 3, 4, 5].map((i) => base * (1 + spread * (i - 2.5)));

describe('key findings', () => {
  it('states the running-vs-sleeping ratio with the Hodges-Lehmann interval of the logs, in one plain sentence', () => {
    const running = n6(2.993e9);
    const sleeping = n6(161e6);
    const run = runOf((t) => [
      scenario(t, { mechanism: 'process_madvise', advice: 'pageout', state: 'running', sizeMiB: 256 }, running, n6(3e8)),
      scenario(t, { mechanism: 'process_madvise', advice: 'pageout', state: 'sleeping', sizeMiB: 256 }, sleeping, n6(3e8)),
    ]);
    const { findings } = keyFindings(run);
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    const shift = relativeShift(sleeping, running);
    expect(f.ratio).toBeCloseTo(1 + shift.estimate!, 12);
    expect([f.lower, f.upper]).toEqual([1 + shift.lower!, 1 + shift.upper!]);
    expect(f.ratio).toBeGreaterThan(18);
    expect(f.ratio).toBeLessThan(19.2);
    expect(f.dimension).toBe('target state');
    expect(f.sentence).toMatch(
      /^process_madvise PAGEOUT, 256 MiB random: hint 18\.\d× slower with a running target than with a sleeping target \(median 2\.\d\d s vs 161 ms; 95 % CI 1\d\.\d×–\d\d\.\d×; n = 6 and 6\)$/,
    );
  });

  it('pairs only scenarios that differ in one dimension, plus each hinted scenario against its baseline', () => {
    const run = runOf((t) => [
      scenario(t, { mechanism: 'process_madvise', advice: 'pageout', state: 'running' }, n6(1e8), n6(3e7)),
      // differs from the first in mechanism and state: never paired with it
      scenario(t, { mechanism: 'ptrace', advice: 'pageout', state: 'sleeping' }, n6(1e6), n6(3e7)),
      scenario(t, { mechanism: 'none', advice: 'none', state: 'running' }, n6(1), n6(1e6)),
    ]);
    const { findings } = keyFindings(run);
    expect(findings.map((f) => [f.dimension, f.field])).toEqual([['hint vs no hint', 'retouchNs']]);
    expect(findings[0]!.sentence).toMatch(/^64 MiB random, running target: re-touch 30\.0× slower after process_madvise PAGEOUT than with no hint/);
  });

  it('leaves out pairs whose interval includes 1x, and counts them', () => {
    const run = runOf((t) => [
      scenario(
        t,
        { mechanism: 'process_madvise', advice: 'cold', state: 'sleeping' },
        [5, 7, 6, 9, 4, 8].map((v) => v * 1e6),
        n6(1e7),
      ),
      scenario(
        t,
        { mechanism: 'ptrace', advice: 'cold', state: 'sleeping' },
        [6, 4, 8, 5, 9, 7].map((v) => v * 1e6),
        n6(1e7),
      ),
    ]);
    const f = keyFindings(run);
    expect(f.findings).toEqual([]);
    expect(f.unclear).toBe(2);
    expect(findingsFootnote(f)).toBe('2 compared pairs with no clear difference (interval includes 1×).');
  });

  it('ranks by effect size, caps the list, at most 3 per dimension, and says what it left out', () => {
    const run = runOf((t) =>
      [1, 2, 4, 8, 16].flatMap((k, i) => [
        scenario(t, { mechanism: 'process_madvise', advice: 'pageout', state: 'running', sizeMiB: 10 + i }, n6(1e6 * k * 3), n6(1e6)),
        scenario(t, { mechanism: 'process_madvise', advice: 'pageout', state: 'sleeping', sizeMiB: 10 + i }, n6(1e6), n6(1e6)),
      ]),
    );
    const f = keyFindings(run, 8, 3);
    // 5 state pairs (3x .. 48x), memory pairs differ in size only but their latencies vary too
    expect(f.findings.filter((x) => x.dimension === 'target state')).toHaveLength(3);
    expect(f.findings.length).toBeLessThanOrEqual(8);
    const ratios = f.findings.map((x) => x.ratio);
    expect([...ratios].sort((a, b) => b - a)).toEqual(ratios);
    expect(f.findings[0]!.ratio).toBeCloseTo(48, 6);
    expect(f.omitted).toBeGreaterThan(0);
    expect(findingsFootnote(f)).toMatch(/^\d+ further clear differences not listed \(smaller effects\)/);
  });

  it('leaves warm-up samples out', () => {
    const run = runOf((t) => [
      scenario(t, { mechanism: 'process_madvise', advice: 'pageout', state: 'running' }, [...n6(2e6), 9e9], n6(1e6).concat(1e6)),
      scenario(t, { mechanism: 'process_madvise', advice: 'pageout', state: 'sleeping' }, [...n6(1e6), 1], n6(1e6).concat(1e6)),
    ]);
    for (const s of run.scenarios) (s.samples.at(-1) as Record<string, unknown>).warmUp = true;
    const [f] = keyFindings(run).findings;
    expect(f!.ratio).toBeCloseTo(2, 6);
    expect(f!.nNumerator).toBe(6);
  });

  it('gives the achieved confidence when the samples are too few for 95 %', () => {
    const run = fixtureRun();
    const { findings } = keyFindings(run);
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) {
      expect(f.confidence).toBeLessThan(0.95);
      expect(f.sentence).toContain(`${Math.floor(f.confidence * 1000) / 10} % CI`);
    }
  });
});
