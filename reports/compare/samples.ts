/**
 * The measured values a comparison or an export works from: raw samples, never the stored
 * summaries, with warm-up repetitions left out. `warmUp` is read defensively so results
 * written before the field existed (every sample measured) are read the same way.
 */
import type { Sample, ScenarioResult } from '../../core/types.ts';
import type { SampleFieldName } from '../../core/metrics.ts';

/** Whether a sample is a warm-up repetition (recorded, not measured). */
export function isWarmUp(sample: Sample): boolean {
  return (sample as Record<string, unknown>).warmUp === true;
}

/** The samples of a scenario that count: every one except warm-ups. */
export function measuredSamples(result: ScenarioResult): Sample[] {
  return result.samples.filter((s) => !isWarmUp(s));
}

/** Finite values of one field over the measured samples (nulls and missing values left out). */
export function fieldValues(result: ScenarioResult, field: SampleFieldName): number[] {
  const out: number[] = [];
  for (const s of measuredSamples(result)) {
    const v = (s as Record<string, unknown>)[field];
    if (typeof v === 'number' && Number.isFinite(v)) out.push(v);
  }
  return out;
}
