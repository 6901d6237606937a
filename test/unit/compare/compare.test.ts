/** Verdicts of compare on synthetic runs with known shifts (sizes and rates: core/stats/verdict.ts). */
import { describe, expect, it } from 'vitest';
import { HintbenchError } from '../../../core/errors.ts';
import { COMPARED_METRICS } from '../../../core/metrics.ts';
import { RECOMMENDED_N } from '../../../core/stats/verdict.ts';
import { COMPARE_EXIT, DEFAULT_COMPARE_OPTIONS, buildComparison, comparisonExitCode, type Comparison } from '../../../reports/compare/compare.ts';
import { parseThresholds } from '../../../reports/compare/threshold.ts';
import { loaded, syntheticRun } from './synthetic.ts';

const n = RECOMMENDED_N;

function compareSeeds(seed: number, scale: Parameters<typeof syntheticRun>[0]['scale'], options = DEFAULT_COMPARE_OPTIONS): Comparison {
  const base = loaded(syntheticRun({ n, seed }), '/base');
  const next = loaded(syntheticRun({ n, seed: seed + 100_000, scale }), '/new');
  return buildComparison(base, [next], options);
}

const cellsOf = (c: Comparison, field: string) => c.cells.filter((x) => x.field === field);

describe('compare on synthetic shifts', () => {
  it(`a 10 % slower user latency at n = ${RECOMMENDED_N} (5 % noise) is regressed, with the true shift inside the interval, exit 1`, () => {
    const c = compareSeeds(1, { userLatencyNs: 1.1 });
    const cells = cellsOf(c, 'userLatencyNs');
    expect(cells).toHaveLength(2);
    for (const cell of cells) {
      expect(cell.verdict).toBe('regressed');
      expect(cell.reason).toBe('significant-and-beyond-threshold');
      expect(cell.shift!.lower).toBeLessThanOrEqual(0.1);
      expect(cell.shift!.upper).toBeGreaterThanOrEqual(0.1);
      expect(cell.adjustedPValue!).toBeLessThan(0.05);
    }
    expect(c.regressed).toBe(true);
    expect(comparisonExitCode(c)).toBe(COMPARE_EXIT.regressed);
  });

  it('over 100 seeded draws a 10 % shift is called regressed in at least 85 % of cells (simulated rate: 94 %)', () => {
    let hit = 0;
    let total = 0;
    for (let seed = 0; seed < 100; seed++) {
      for (const cell of cellsOf(compareSeeds(1000 + seed, { retouchNs: 1.1 }), 'retouchNs')) {
        total++;
        if (cell.verdict === 'regressed') hit++;
      }
    }
    expect(total).toBe(200);
    expect(hit / total).toBeGreaterThanOrEqual(0.85);
  });

  it('a 1 % shift under the 5 % threshold is unchanged in at least 70 % of cells over 100 draws (simulated: 82 %), never regressed', () => {
    let unchanged = 0;
    let total = 0;
    for (let seed = 0; seed < 100; seed++) {
      const c = compareSeeds(3000 + seed, { userLatencyNs: 1.01, retouchNs: 1.01 });
      for (const cell of [...cellsOf(c, 'userLatencyNs'), ...cellsOf(c, 'retouchNs')]) {
        total++;
        expect(cell.verdict).not.toBe('regressed');
        if (cell.verdict === 'unchanged') {
          unchanged++;
          expect(cell.reason).toBe('interval-within-threshold');
          expect(cell.shift!.lower).toBeGreaterThanOrEqual(-0.05);
          expect(cell.shift!.upper).toBeLessThanOrEqual(0.05);
        }
      }
      expect(comparisonExitCode(c)).toBe(COMPARE_EXIT.ok);
    }
    expect(total).toBe(400);
    expect(unchanged / total).toBeGreaterThanOrEqual(0.7);
  });

  it('over 100 A/A draws nothing is called regressed or improved', () => {
    let decided = 0;
    let total = 0;
    for (let seed = 0; seed < 100; seed++) {
      const c = compareSeeds(5000 + seed, {});
      total += c.cells.length;
      decided += c.counts.regressed + c.counts.improved;
    }
    // 5 key metrics for process_madvise, 7 for ptrace (stall and stop window)
    expect(total).toBe(100 * 12);
    expect(decided).toBe(0);
  });

  it('direction comes from the registry: fewer reclaimed pages is a regression, lower latency an improvement', () => {
    const c = compareSeeds(11, { reclaimedPages: 0.9, kernelLatencyNs: 0.85 });
    expect(COMPARED_METRICS.find((m) => m.field === 'reclaimedPages')!.direction).toBe('higher-is-better');
    for (const cell of cellsOf(c, 'reclaimedPages')) {
      expect(cell.verdict).toBe('regressed');
      expect(cell.shift!.estimate).toBeCloseTo(-0.1, 3);
    }
    for (const cell of cellsOf(c, 'kernelLatencyNs')) expect(cell.verdict).toBe('improved');
  });

  it('a per-metric threshold of 15 % turns a 10 % shift from regressed into unchanged or inconclusive', () => {
    const options = { ...DEFAULT_COMPARE_OPTIONS, thresholds: parseThresholds(['5%,retouchNs=15%']) };
    const strict = compareSeeds(3, { retouchNs: 1.1 });
    const loose = compareSeeds(3, { retouchNs: 1.1 }, options);
    expect(cellsOf(strict, 'retouchNs').map((x) => x.verdict)).toEqual(['regressed', 'regressed']);
    for (const cell of cellsOf(loose, 'retouchNs')) {
      expect(cell.thresholdFraction).toBe(0.15);
      expect(['unchanged', 'inconclusive']).toContain(cell.verdict);
    }
    expect(cellsOf(loose, 'userLatencyNs')[0]!.thresholdFraction).toBe(0.05);
  });

  it('Holm runs over every test of the comparison, all new runs together', () => {
    const base = loaded(syntheticRun({ n, seed: 21 }), '/base');
    const a = loaded(syntheticRun({ n, seed: 22 }), '/a');
    const b = loaded(syntheticRun({ n, seed: 23, scale: { userLatencyNs: 1.2 } }), '/b');
    const c = buildComparison(base, [a, b], DEFAULT_COMPARE_OPTIONS);
    expect(c.cells).toHaveLength(24);
    expect(c.options.familySize).toBe(24);
    const sorted = [...c.cells].sort((x, y) => x.pValue! - y.pValue!);
    // the smallest p-value is multiplied by the family size (capped at 1)
    expect(sorted[0]!.adjustedPValue).toBeCloseTo(Math.min(1, 24 * sorted[0]!.pValue!), 12);
    for (const cell of c.cells) expect(cell.adjustedPValue!).toBeGreaterThanOrEqual(cell.pValue!);
    expect(c.news[0]!.counts.regressed).toBe(0);
    expect(c.news[1]!.counts.regressed).toBe(2);
  });

  it('fewer than 6 samples per side is inconclusive (too few samples)', () => {
    const base = loaded(syntheticRun({ n: 5, seed: 1 }), '/base');
    const next = loaded(syntheticRun({ n: 5, seed: 2, scale: { userLatencyNs: 2 } }), '/new');
    const c = buildComparison(base, [next]);
    expect(c.cells.every((x) => x.verdict === 'inconclusive' && x.reason === 'too-few-samples')).toBe(true);
    expect(c.regressed).toBe(false);
  });

  it('warm-up samples are left out, whatever their values', () => {
    const baseRun = syntheticRun({ n, seed: 31 });
    const nextRun = syntheticRun({ n, seed: 32 });
    for (const r of nextRun.scenarios) {
      const warm = { ...r.samples[0]!, userLatencyNs: 1e12, retouchNs: 1e12, warmUp: true };
      r.samples.unshift(warm, { ...warm });
    }
    const c = buildComparison(loaded(baseRun, '/base'), [loaded(nextRun, '/new')]);
    expect(c.news[0]!.warmUpSamples).toEqual({ base: 0, next: 4 });
    for (const cell of c.cells) expect(cell.nNew).toBe(n);
    expect(c.counts.regressed).toBe(0);
  });

  it('scenarios are matched by id; unmatched ones are listed; no common scenario is a usage error', () => {
    const base = loaded(syntheticRun({ n, seed: 41, scenarios: [0, 1] }), '/base');
    const next = loaded(syntheticRun({ n, seed: 42, scenarios: [1, 2] }), '/new');
    const c = buildComparison(base, [next]);
    expect(new Set(c.cells.map((x) => x.scenarioId))).toEqual(new Set(['ptrace/pageout/anon-random-64MiB-1vma/sleeping']));
    expect(c.news[0]!.onlyInBase).toEqual(['process_madvise/pageout/anon-random-64MiB-1vma/sleeping']);
    expect(c.news[0]!.onlyInNew).toEqual(['process_madvise/cold/anon-zero-16MiB-1vma/running']);
    const disjoint = loaded(syntheticRun({ n, seed: 43, scenarios: [2] }), '/other');
    try {
      buildComparison(base, [disjoint]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(HintbenchError);
      expect((e as HintbenchError).exitCode).toBe(2);
      expect((e as HintbenchError).message).toMatch(/\/other and \/base have no scenario in common/);
    }
  });

  it('environment differences are stated (compressor, kernel), swap usage and host name are not differences', () => {
    const baseRun = syntheticRun({ n, seed: 51 });
    const nextRun = syntheticRun({ n, seed: 52 });
    nextRun.environment.swapDevices[0]!.zramCompressor = 'lz4';
    nextRun.environment.swapDevices[0]!.usedBytes += 4096;
    nextRun.environment.kernelRelease = '6.19.0-1-amd64';
    nextRun.environment.hostname = 'other-host';
    const c = buildComparison(loaded(baseRun, '/base'), [loaded(nextRun, '/new')]);
    const diffs = c.news[0]!.environmentDifferences;
    expect(diffs).toEqual([
      { field: 'kernelRelease', base: '6.18.0-1-amd64', next: '6.19.0-1-amd64' },
      { field: 'swapDevices[0].zramCompressor', base: 'lzo-rle', next: 'lz4' },
    ]);
    const same = buildComparison(loaded(baseRun, '/base'), [loaded(syntheticRun({ n, seed: 53 }), '/new')]);
    expect(same.news[0]!.environmentDifferences).toEqual([]);
  });

  it('the JSON form is plain data with no NaN', () => {
    const c = compareSeeds(61, { userLatencyNs: 1.1 });
    const text = JSON.stringify(c);
    expect(text).not.toMatch(/NaN|Infinity/);
    expect(JSON.parse(text)).toEqual(c);
  });
});
