/**
 * Differences between the environments two runs were measured in (kernel, swap and its
 * compressor, THP, CPU, hintbench version, background reclaimers, and whatever else
 * results.json's environment holds). Read generically, so a field added to the environment
 * is compared without a change here. What changes from one moment to the next (swap space in
 * use, the host name) is not a difference of environment and is left out.
 */
import type { RunResult } from '../../core/types.ts';

/** One environment fact that differs. */
export interface EnvironmentDifference {
  /** Field path in results.json's environment, e.g. `kernelRelease` or `swapDevices`. */
  field: string;
  /** Value in the base run, as text. */
  base: string;
  /** Value in the new run, as text. */
  next: string;
}

/** Fields whose change says nothing about the conditions of the measurement. */
const IGNORED_FIELDS: ReadonlySet<string> = new Set(['hostname']);
/** Per swap device: fields that vary while a run goes (left out of the comparison). */
const VOLATILE_SWAP_FIELDS: ReadonlySet<string> = new Set(['usedBytes']);

/** A value as comparable text: swap devices without their usage, arrays joined, objects as JSON. */
function describe(field: string, value: unknown): string {
  if (value === undefined) return '(not recorded)';
  if (value === null) return '(none)';
  if (field === 'swapDevices' && Array.isArray(value)) {
    if (value.length === 0) return '(none)';
    return value
      .map((d) => {
        const o = d as Record<string, unknown>;
        return Object.entries(o)
          .filter(([k]) => !VOLATILE_SWAP_FIELDS.has(k))
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(' ');
      })
      .join('; ');
  }
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Every environment field that differs between base and next (plus the results schema version), in base order. */
export function environmentDifferences(base: RunResult, next: RunResult): EnvironmentDifference[] {
  const b = base.environment as Record<string, unknown>;
  const n = next.environment as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(b), ...Object.keys(n)])].filter((f) => !IGNORED_FIELDS.has(f));
  const out: EnvironmentDifference[] = [];
  for (const field of fields) {
    const bv = describe(field, b[field]);
    const nv = describe(field, n[field]);
    if (bv !== nv) out.push({ field, base: bv, next: nv });
  }
  return out;
}
