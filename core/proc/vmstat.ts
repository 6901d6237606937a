/** /proc/vmstat: the system-wide VM counters (pswpin, pswpout, pgmajfault, ...). */
import { readFileSync } from 'node:fs';

/** Parses /proc/vmstat into counter name -> value. */
export function parseVmstat(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [name, value] = line.trim().split(/\s+/);
    if (name && value !== undefined) out[name] = Number(value);
  }
  return out;
}

/** System-wide VM counters. */
export function readVmstat(): Record<string, number> {
  return parseVmstat(readFileSync('/proc/vmstat', 'utf8'));
}

/**
 * The /proc/vmstat counters an mm engineer reads beside a hint's figures, by the Sample
 * field that carries the delta of each (core/metrics.ts). MADV_PAGEOUT reclaims through
 * reclaim_pages(), which counts neither pgscan nor pgsteal: those move only when kswapd or
 * direct reclaim ran during the sample.
 */
export const VMSTAT_SAMPLE_COUNTERS = {
  pgscanKswapdDeltaPages: 'pgscan_kswapd',
  pgscanDirectDeltaPages: 'pgscan_direct',
  pgstealKswapdDeltaPages: 'pgsteal_kswapd',
  pgstealDirectDeltaPages: 'pgsteal_direct',
  workingsetRefaultAnonDeltaPages: 'workingset_refault_anon',
  workingsetRefaultFileDeltaPages: 'workingset_refault_file',
  workingsetActivateAnonDeltaPages: 'workingset_activate_anon',
  workingsetActivateFileDeltaPages: 'workingset_activate_file',
  thpSwpoutDelta: 'thp_swpout',
  thpSplitPageDelta: 'thp_split_page',
} as const;

/** A Sample field carrying a /proc/vmstat delta. */
export type VmstatSampleField = keyof typeof VMSTAT_SAMPLE_COUNTERS;

/**
 * Deltas of the VMSTAT_SAMPLE_COUNTERS between two readings, by Sample field; null for a
 * counter this kernel does not have (absent from either reading).
 */
export function vmstatSampleDeltas(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>): Record<VmstatSampleField, number | null> {
  const out = {} as Record<VmstatSampleField, number | null>;
  for (const [field, counter] of Object.entries(VMSTAT_SAMPLE_COUNTERS) as [VmstatSampleField, string][]) {
    const a = before[counter];
    const b = after[counter];
    out[field] = a === undefined || b === undefined ? null : b - a;
  }
  return out;
}
