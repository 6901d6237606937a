/**
 * The practical threshold of a comparison: a change smaller than it does not matter. One
 * default for every metric (`--threshold 5%`) and optional overrides per metric
 * (`--threshold retouchNs=10%`), parsed from the flag's comma-separated items.
 */
import { HintbenchError } from '../../core/errors.ts';
import { COMPARED_METRICS, type SampleFieldName } from '../../core/metrics.ts';
import { USAGE_EXIT_CODE } from './load.ts';

/** Thresholds as fractions (0.05 = 5 %). */
export interface Thresholds {
  /** Threshold of every metric without an override. */
  defaultFraction: number;
  /** Overrides keyed by Sample field name. */
  perMetric: Partial<Record<SampleFieldName, number>>;
}

/** 5 %: the default practical threshold. */
export const DEFAULT_THRESHOLD_FRACTION = 0.05;

/** Default thresholds: 5 % for every metric. */
export const DEFAULT_THRESHOLDS: Thresholds = { defaultFraction: DEFAULT_THRESHOLD_FRACTION, perMetric: {} };

/** The threshold that applies to a metric. */
export function thresholdFor(thresholds: Thresholds, field: SampleFieldName): number {
  return thresholds.perMetric[field] ?? thresholds.defaultFraction;
}

const FIX = 'write e.g. --threshold 5% or --threshold 5%,retouchNs=10% (a percentage from 0 to 1000, metrics by their results.json field name)';

/** A percentage such as `5%`, `2.5%` or `5` as a fraction; throws naming the flag otherwise. */
function parsePercent(text: string, item: string): number {
  const m = /^(\d+(?:\.\d+)?)%?$/.exec(text.trim());
  const pct = m === null ? Number.NaN : Number(m[1]);
  if (!(pct >= 0 && pct <= 1000)) throw new HintbenchError(`--threshold '${item}' is not a percentage`, FIX, { exitCode: USAGE_EXIT_CODE });
  return pct / 100;
}

/**
 * Parses one or more `--threshold` values (each a comma-separated list of `PCT` or
 * `FIELD=PCT` items; later items win). Unknown fields and metrics compare does not judge are
 * errors with exit code 2.
 */
export function parseThresholds(values: readonly string[]): Thresholds {
  const out: Thresholds = { defaultFraction: DEFAULT_THRESHOLD_FRACTION, perMetric: {} };
  const compared = COMPARED_METRICS.map((m) => m.field as string);
  for (const value of values) {
    for (const raw of value.split(',')) {
      const item = raw.trim();
      if (item === '') continue;
      const eq = item.indexOf('=');
      if (eq < 0) {
        out.defaultFraction = parsePercent(item, item);
        continue;
      }
      const field = item.slice(0, eq).trim();
      if (!compared.includes(field)) {
        throw new HintbenchError(`--threshold names '${field}', which is not a metric compare judges`, `use one of ${compared.join(', ')}`, { exitCode: USAGE_EXIT_CODE });
      }
      out.perMetric[field as SampleFieldName] = parsePercent(item.slice(eq + 1), item);
    }
  }
  return out;
}
