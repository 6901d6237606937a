/**
 * Bencher Metric Format (BMF) JSON, as Bencher's `json` adapter ingests it
 * (https://bencher.dev/docs/reference/bencher-metric-format, schema
 * https://bencher.dev/bmf.json): `{ <benchmark>: { <measure>: { value, lower_value,
 * upper_value } } }`. Benchmark: the scenario id; measure: the key metric's field name in
 * kebab case (e.g. `user-latency-ns`; Bencher creates a measure it does not know); value: the
 * median of the measured samples, lower_value and upper_value: its distribution-free
 * interval (95 %, or [min, max] when fewer than 6 samples give less).
 */
import type { RunResult } from '../../core/types.ts';
import { kebab, keyFigures } from './key-metrics.ts';

/** One BMF metric. */
export interface BmfMetric {
  value: number;
  lower_value?: number;
  upper_value?: number;
}

/** A BMF document: benchmark name -> measure -> metric. */
export type BmfDocument = Record<string, Record<string, BmfMetric>>;

/** The run as a BMF document. */
export function toBmf(run: RunResult): BmfDocument {
  const doc: BmfDocument = {};
  for (const f of keyFigures(run)) {
    const bench = doc[f.scenarioId] ?? {};
    doc[f.scenarioId] = bench;
    bench[kebab(f.field)] = { value: f.ci.median, lower_value: f.ci.lower, upper_value: f.ci.upper };
  }
  return doc;
}
