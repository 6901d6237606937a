/**
 * Per-strategy summary of lab samples: for each figure the median with its confidence
 * interval (core/stats/median-ci.ts, with the coverage the sample size allows), and one line
 * of text per strategy.
 */
import { type MedianCi, medianCi } from '../../core/stats/median-ci.ts';
import type { Strategy } from './config.ts';
import type { LabSample } from './sample.ts';

const MIB = 1024 * 1024;

/** Median and interval of one figure over a strategy's samples (null: no sample measured it). */
export type FigureSummary = Pick<MedianCi, 'median' | 'lower' | 'upper' | 'coverage'> & { n: number };

/** The figures of one strategy. */
export interface StrategySummary {
  strategy: Strategy;
  /** Samples run, and samples that measured the pressure phase to its end. */
  samples: number;
  completeSamples: number;
  freedMiB: FigureSummary | null;
  hotRefaultPages: FigureSummary | null;
  coldEvictedPages: FigureSummary | null;
  p99WithoutPressureNs: FigureSummary | null;
  p99UnderPressureNs: FigureSummary | null;
  /** OOM kills over all samples. */
  oomKills: number;
  /** Samples whose data failed verification. */
  corruptSamples: number;
  /** Errors that ended samples early. */
  errors: string[];
}

function figure(values: Array<number | null | undefined>): FigureSummary | null {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (xs.length === 0) return null;
  const ci = medianCi(xs, 0.95);
  if (ci === null) return { median: xs[0]!, lower: xs[0]!, upper: xs[0]!, coverage: 0, n: xs.length };
  return { median: ci.median, lower: ci.lower, upper: ci.upper, coverage: ci.coverage, n: xs.length };
}

/** Summarises the samples of one strategy. */
export function summarizeStrategy(strategy: Strategy, samples: readonly LabSample[]): StrategySummary {
  const mine = samples.filter((s) => s.strategy === strategy);
  return {
    strategy,
    samples: mine.length,
    completeSamples: mine.filter((s) => s.intact !== null).length,
    freedMiB: figure(mine.map((s) => (s.freed === null ? null : s.freed.rssBytes / MIB))),
    hotRefaultPages: figure(mine.map((s) => s.access.underPressure?.faultedPages)),
    coldEvictedPages: figure(mine.map((s) => s.coldEvictedPages)),
    p99WithoutPressureNs: figure(mine.map((s) => s.access.withoutPressure?.p99Ns)),
    p99UnderPressureNs: figure(mine.map((s) => s.access.underPressure?.p99Ns)),
    oomKills: mine.reduce((n, s) => n + s.oom.kills, 0),
    corruptSamples: mine.filter((s) => s.intact === false).length,
    errors: mine.flatMap((s) => (s.error === null ? [] : [s.error])),
  };
}

function show(f: FigureSummary | null, scale: number, digits: number, unit: string): string {
  if (f === null) return 'n/a';
  const v = (x: number): string => (x / scale).toFixed(digits);
  return f.n === 1 ? `${v(f.median)}${unit}` : `${v(f.median)}${unit} [${v(f.lower)} to ${v(f.upper)}, ${Math.round(f.coverage * 100)} %]`;
}

/** One line of text for a strategy: freed MiB, hot refaults, cold evicted, p99 under pressure vs without, OOM kills. */
export function strategyLine(s: StrategySummary): string {
  const parts = [
    `freed ${show(s.freedMiB, 1, 1, ' MiB')}`,
    `hot refaults ${show(s.hotRefaultPages, 1, 0, ' pages')}`,
    `cold evicted ${show(s.coldEvictedPages, 1, 0, ' pages')}`,
    `access p99 ${show(s.p99UnderPressureNs, 1000, 1, ' us')} under pressure vs ${show(s.p99WithoutPressureNs, 1000, 1, ' us')} without`,
    `OOM kills ${s.oomKills}`,
  ];
  const notes = [`n=${s.samples}`];
  if (s.corruptSamples > 0) notes.push(`${s.corruptSamples} CORRUPT`);
  if (s.errors.length > 0) notes.push(`${s.errors.length} ended early: ${s.errors[0]}`);
  return `${s.strategy.padEnd(16)} ${parts.join(', ')} (${notes.join('; ')})`;
}
