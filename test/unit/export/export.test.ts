/** Exports for regression trackers, checked against the formats as documented (formats.ts). */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HintbenchError } from '../../../core/errors.ts';
import { toBmf } from '../../../reports/export/bmf.ts';
import { toGithubBenchmark } from '../../../reports/export/github-benchmark.ts';
import { EXPORT_FILES, parseExportFormats, writeExports } from '../../../reports/export/write.ts';
import { fixtureRun } from '../reports/fixture.ts';
import { bmfProblems, githubBenchmarkProblems } from './formats.ts';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/export/${name}`, import.meta.url), 'utf8'));
const PMADV = 'process_madvise/pageout/anon-random-64MiB-1vma/sleeping';
const PTRACE = 'ptrace/pageout/anon-random-64MiB-1vma/sleeping';

const root = mkdtempSync(join(tmpdir(), 'hb-export-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the format checks stand for the documents', () => {
  it('the documented examples pass; broken documents do not', () => {
    expect(bmfProblems(fixture('bmf-documented-example.json'))).toEqual([]);
    expect(githubBenchmarkProblems(fixture('github-benchmark-documented-example.json'))).toEqual([]);
    expect(bmfProblems({ b: { latency: { lower_value: 1 } } })).toEqual(['b/latency: value is not a number']);
    expect(bmfProblems({ b: { ['m'.repeat(65)]: { value: 1 } } })).toHaveLength(1);
    expect(githubBenchmarkProblems([{ name: 'x', value: '1', unit: 'ns' }])).toEqual(['[0].value is not a number']);
    expect(githubBenchmarkProblems({})).toEqual(['top level is not an array']);
  });
});

describe('Bencher Metric Format', () => {
  it('conforms, one benchmark per scenario with samples, median and its interval from the raw samples', () => {
    const doc = toBmf(fixtureRun());
    expect(bmfProblems(doc)).toEqual([]);
    expect(Object.keys(doc)).toEqual([PMADV, PTRACE, 'process_madvise/cold/anon-zero-16MiB-1vma/running', 'none/none/anon-random-64MiB-1vma/sleeping']);
    // fixture samples 52431870, 47905113, 55017402: median and, at n = 3, the interval [min, max]
    expect(doc[PMADV]!['user-latency-ns']).toEqual({ value: 52431870, lower_value: 47905113, upper_value: 55017402 });
    expect(doc[PMADV]!['reclaimed-pages']).toEqual({ value: 16383, lower_value: 16381, upper_value: 16384 });
    expect(doc[PTRACE]!['injector-stop-ns']).toEqual({ value: 56903118, lower_value: 53047902, upper_value: 58471300 });
    // process_madvise has no stop window (null): no measure
    expect(doc[PMADV]!['injector-stop-ns']).toBeUndefined();
    expect(Object.keys(doc['none/none/anon-random-64MiB-1vma/sleeping']!)).toEqual(['retouch-ns']);
  });

  it('warm-up samples are left out', () => {
    const run = fixtureRun();
    run.scenarios[0]!.samples.push({ ...run.scenarios[0]!.samples[0]!, userLatencyNs: 1e12, warmUp: true } as never);
    expect(toBmf(run)[PMADV]!['user-latency-ns']!.upper_value).toBe(55017402);
  });
});

describe('github-action-benchmark', () => {
  it('conforms, split by direction: latencies smaller-is-better, reclaimed pages bigger-is-better', () => {
    const files = toGithubBenchmark(fixtureRun());
    expect(githubBenchmarkProblems(files.smallerIsBetter)).toEqual([]);
    expect(githubBenchmarkProblems(files.biggerIsBetter)).toEqual([]);
    expect(files.biggerIsBetter.map((e) => e.name)).toEqual([
      `${PMADV} reclaimedPages`,
      `${PTRACE} reclaimedPages`,
      'process_madvise/cold/anon-zero-16MiB-1vma/running reclaimedPages',
    ]);
    expect(files.smallerIsBetter.some((e) => e.name.endsWith('reclaimedPages'))).toBe(false);
    const user = files.smallerIsBetter.find((e) => e.name === `${PMADV} userLatencyNs`)!;
    expect(user).toEqual({
      name: `${PMADV} userLatencyNs`,
      unit: 'ns',
      value: 52431870,
      // (55017402 - 47905113) / 2 = 3556144.5
      range: '± 3556145',
      extra: 'median of 3 samples, 75.0% interval [47905113, 55017402]',
    });
  });
});

describe('writing exports', () => {
  it('writes the files of each format; unknown formats are usage errors', () => {
    const paths = writeExports(root, fixtureRun(), parseExportFormats('bmf, github-benchmark,bmf', '--export'));
    expect(paths.map((p) => p.slice(root.length + 1))).toEqual([...EXPORT_FILES.bmf, ...EXPORT_FILES['github-benchmark']]);
    expect(readdirSync(root).sort()).toEqual([...EXPORT_FILES.bmf, ...EXPORT_FILES['github-benchmark']].sort());
    expect(bmfProblems(JSON.parse(readFileSync(paths[0]!, 'utf8')))).toEqual([]);
    expect(githubBenchmarkProblems(JSON.parse(readFileSync(paths[1]!, 'utf8')))).toEqual([]);
    for (const bad of ['csv', '', 'bmf,junit']) {
      try {
        parseExportFormats(bad, '--export');
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(HintbenchError);
        expect((e as HintbenchError).exitCode).toBe(2);
        expect((e as Error).message).toMatch(/^--export /);
      }
    }
  });
});
