/**
 * Reading results.json files of older schema versions: each is turned into the current
 * version before validation, so every reader sees one shape.
 *
 * Version 1 -> 2: samples get `warmUp: false` (version 1 had no warm-up) and `block` equal to
 * their repetition (version 1 ran each scenario's repetitions back to back, so repetition r
 * was the r-th block of that scenario); the run gets `order: 'sequential'`, `seed: null`,
 * `stopping: null` and no run-level warnings; summaries are recomputed from the samples
 * (version 1 summaries had no interval and a nearest-rank "p99"). Pure: no I/O.
 */
import { SUMMARISED_FIELDS } from '../metrics.ts';
import { summarizeFields } from '../stats/summary.ts';
import type { RunResult, Sample, Summary } from '../types.ts';

/** A JSON object. */
type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A parsed version 1 results object in the shape of version 2, for validation. Anything that
 * is not shaped like a version 1 file is passed through unchanged (validation then names
 * what is wrong). Summaries are left empty: summariesFromSamples() fills them once the samples
 * are validated.
 */
export function migrateV1(value: JsonObject): JsonObject {
  const scenarios = Array.isArray(value.scenarios)
    ? value.scenarios.map((sc: unknown) => {
        if (!isObject(sc) || !Array.isArray(sc.samples)) return sc;
        const samples = sc.samples.map((s: unknown) => (isObject(s) ? { ...s, warmUp: false, block: s.repetition } : s));
        return { ...sc, samples, summary: {} };
      })
    : value.scenarios;
  return { ...value, schemaVersion: 2, order: 'sequential', seed: null, stopping: null, warnings: [], scenarios };
}

/** Summaries of a scenario's samples as this version computes them: measured samples only, outlier indices into `samples`. */
export function summariesOf(samples: readonly Sample[], confidence?: number): Record<string, Summary> {
  return summarizeFields(samples, SUMMARISED_FIELDS, { include: (s) => !s.warmUp, ...(confidence === undefined ? {} : { confidence }) });
}

/** The run with every scenario's summary recomputed from its samples (after migrateV1 and validation). */
export function summariesFromSamples(run: RunResult): RunResult {
  return { ...run, scenarios: run.scenarios.map((sc) => ({ ...sc, summary: summariesOf(sc.samples) })) };
}
