import type { Summary } from '../types.ts';
import { sortedFinite } from './descriptive.ts';
import { medianOfSorted } from './quantiles.ts';

export { medianOfSorted };

/** Nearest-rank percentile (p in 0..100) of sorted values. */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  return sorted[Math.min(n, rank) - 1]!;
}

/**
 * Summary statistics of a metric. Non-finite values (NaN, null turned into NaN) are left
 * out and not counted. Returns null when no value is left.
 */
export function summarize(values: readonly (number | null)[]): Summary | null {
  const sorted = sortedFinite(values);
  const n = sorted.length;
  if (n === 0) return null;
  const min = sorted[0]!;
  const max = sorted[n - 1]!;
  const mean = sorted.reduce((s, v) => s + v, 0) / n;
  const variance = n < 2 ? 0 : sorted.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
  const median = medianOfSorted(sorted);
  return {
    n,
    median,
    min,
    max,
    mean,
    stddev: Math.sqrt(variance),
    p99: percentileOfSorted(sorted, 99),
    spread: max - min,
    relSpread: median === 0 ? 0 : (max - min) / median,
  };
}

/**
 * Summaries of every numeric field of a list of records, keyed by field name. A field is
 * numeric when at least one record has a number there; nulls are skipped.
 */
export function summarizeFields<T extends object>(records: readonly T[], fields: readonly (keyof T & string)[]): Record<string, Summary> {
  const out: Record<string, Summary> = {};
  for (const field of fields) {
    const values = records.map((r) => {
      const v = r[field];
      return typeof v === 'number' ? v : null;
    });
    const s = summarize(values);
    if (s !== null) out[field] = s;
  }
  return out;
}
