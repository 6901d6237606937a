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
  /** Field path in results.json's environment, e.g. `kernelRelease` or `swapDevices[0].zramCompressor`. */
  field: string;
  /** Value in the base run, as text. */
  base: string;
  /** Value in the new run, as text. */
  next: string;
}

/** Fields whose change says nothing about the conditions of the measurement. */
const IGNORED_FIELDS: ReadonlySet<string> = new Set(['hostname']);
/** Leaf names that vary while a run goes (swap space in use): left out. */
const VOLATILE_LEAVES: ReadonlySet<string> = new Set(['usedBytes']);

/** Leaves of a JSON value as path -> text: `swapDevices[0].zramCompressor` -> `lzo-rle`; an empty list is `(none)`. */
function flatten(value: unknown, path: string, out: Map<string, string>): void {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(path, '(none)');
    value.forEach((v, i) => {
      flatten(v, `${path}[${i}]`, out);
    });
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) if (!VOLATILE_LEAVES.has(k)) flatten(v, path === '' ? k : `${path}.${k}`, out);
    return;
  }
  out.set(path, value === null ? '(none)' : String(value));
}

/** Every environment fact that differs between base and next, by field path, in base order. */
export function environmentDifferences(base: RunResult, next: RunResult): EnvironmentDifference[] {
  const b = new Map<string, string>();
  const n = new Map<string, string>();
  for (const [k, v] of Object.entries(base.environment)) if (!IGNORED_FIELDS.has(k)) flatten(v, k, b);
  for (const [k, v] of Object.entries(next.environment)) if (!IGNORED_FIELDS.has(k)) flatten(v, k, n);
  const out: EnvironmentDifference[] = [];
  for (const field of new Set([...b.keys(), ...n.keys()])) {
    const bv = b.get(field) ?? '(not recorded)';
    const nv = n.get(field) ?? '(not recorded)';
    if (bv !== nv) out.push({ field, base: bv, next: nv });
  }
  return out;
}
