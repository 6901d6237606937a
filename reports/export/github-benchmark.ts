/**
 * github-action-benchmark custom JSON (benchmark-action/github-action-benchmark, README
 * "Examples" for `customSmallerIsBetter` / `customBiggerIsBetter`, fields as its
 * src/extract.ts BenchmarkResult: name, unit, value required; range, extra optional
 * strings). The tool is chosen per file, so metrics are split by direction: lower-is-better
 * metrics go to the smaller-is-better file, higher-is-better ones to the bigger-is-better
 * file. value: median of the measured samples; range: half the width of its interval;
 * extra: the interval, its coverage and n.
 */
import type { RunResult } from '../../core/types.ts';
import { type KeyFigure, keyFigures } from './key-metrics.ts';

/** One entry of a custom benchmark file. */
export interface GithubBenchmarkEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

/** The two files: entries for `customSmallerIsBetter` and for `customBiggerIsBetter`. */
export interface GithubBenchmarkFiles {
  smallerIsBetter: GithubBenchmarkEntry[];
  biggerIsBetter: GithubBenchmarkEntry[];
}

/** Half the interval's width: whole units from 1000 up, else 6 significant digits. */
function halfWidth(lower: number, upper: number): number {
  const half = (upper - lower) / 2;
  return Math.abs(half) >= 1000 ? Math.round(half) : Number(half.toPrecision(6));
}

function entry(f: KeyFigure): GithubBenchmarkEntry {
  const { ci } = f;
  return {
    name: `${f.scenarioId} ${f.field}`,
    unit: f.unit,
    value: ci.median,
    range: `± ${halfWidth(ci.lower, ci.upper)}`,
    extra: `median of ${ci.n} samples, ${(ci.coverage * 100).toFixed(1)}% interval [${ci.lower}, ${ci.upper}]`,
  };
}

/** The run's key metrics split by direction. */
export function toGithubBenchmark(run: RunResult): GithubBenchmarkFiles {
  const figures = keyFigures(run);
  return {
    smallerIsBetter: figures.filter((f) => f.direction === 'lower-is-better').map(entry),
    biggerIsBetter: figures.filter((f) => f.direction === 'higher-is-better').map(entry),
  };
}
