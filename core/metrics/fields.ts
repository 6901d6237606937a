/**
 * Building blocks of the metric registry (core/metrics.ts): the SampleField shape and the
 * constructors the per-family field lists (core/metrics/*.ts) use.
 */
import { z } from 'zod';
import type { Direction } from '../stats/verdict.ts';

/** The unit a field's values are in (its name ends in it); null for counts and identifiers. */
export type MetricUnit = 'ns' | 'bytes' | 'pages' | null;

/** Which change of a metric is an improvement: judged by compare; `none` for figures that are context, not quality. */
export type MetricDirection = Direction | 'none';

/** How a metric is shown in human-facing tables. */
export interface MetricDisplay {
  /** Label with the display unit, e.g. `user latency (µs)`. */
  label: string;
  /** Raw value is divided by this to get the display unit. */
  divisor: number;
  /** Decimals shown. */
  decimals: number;
}

/** One Sample field. */
export interface SampleField<S extends z.ZodType = z.ZodType> {
  /** Type of its values. */
  schema: S;
  /** Unit of the values. */
  unit: MetricUnit;
  /** Better is lower, higher, or neither. */
  direction: MetricDirection;
  /** Gets summary statistics per scenario (ScenarioResult.summary). */
  summarised: boolean;
  /** Shown in the summary tables (report, terminal), with this label and scale. */
  display: MetricDisplay | null;
  /** Judged by compare (a key metric). */
  compared: boolean;
  /** One line on what it holds. */
  doc: string;
}

export const count = z.int().nonnegative();
export const countOrNull = count.nullable();
export const nsOrNull = z.number().nonnegative().nullable();
/*
 * Fields added after results.json files were first written: a file without them reads as
 * null (not measured), so it stays valid under the same schemaVersion. Every field of a
 * scenario family (core/metrics/*.ts) is of this kind: null in the samples of other families.
 */
export const countAdded = count.nullable().default(null);
export const deltaAdded = z.int().nullable().default(null);
export const nsAdded = z.number().nonnegative().nullable().default(null);
export const bytesAdded = z.number().nullable().default(null);
export const ratioAdded = z.number().positive().nullable().default(null);
export const histAdded = z.array(count).nullable().default(null);

/** A field that is context: not summarised, not judged. */
export function plain<S extends z.ZodType>(schema: S, unit: MetricUnit, doc: string): SampleField<S> {
  return { schema, unit, direction: 'none', summarised: false, display: null, compared: false, doc };
}

/** A measured figure that gets summaries. */
export function metric<S extends z.ZodType>(
  schema: S,
  unit: MetricUnit,
  direction: MetricDirection,
  doc: string,
  opts: { display?: MetricDisplay; compared?: boolean } = {},
): SampleField<S> {
  return { schema, unit, direction, summarised: true, display: opts.display ?? null, compared: opts.compared ?? false, doc };
}

/** Field list of a scenario family: every field nullable with a null default, so that other families' samples leave it null. */
export type FamilyFields = Record<string, SampleField<z.ZodDefault<z.ZodNullable<z.ZodType>>>>;

/** An object with every field of `fields` set to null (what a sample of another family holds). */
export function nullsOf<F extends FamilyFields>(fields: F): { [K in keyof F]: null } {
  const out = {} as Record<string, null>;
  for (const k of Object.keys(fields)) out[k] = null;
  return out as { [K in keyof F]: null };
}
