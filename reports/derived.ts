/**
 * The only figures reports derive from saved samples; everything else is read from
 * results.json as is. Pure functions, no I/O.
 *
 * - Reclaim throughput (GiB/s) of a sample = reclaimedPages * pageSizeBytes / kernelLatencyNs,
 *   scaled to GiB per second; null when either input is null or the latency is 0.
 * - Pages advised of a sample = bytesAdvised / pageSizeBytes.
 * - The median of per-sample throughputs, by core/stats (the project's one statistics module).
 */
import { summarize } from '../core/stats/summary.ts';
import type { Sample } from '../core/types.ts';

const BYTES_PER_GIB = 2 ** 30;

/** Reclaim throughput of one sample in GiB/s, or null when it cannot be derived. */
export function reclaimThroughputGiBps(sample: Pick<Sample, 'reclaimedPages' | 'kernelLatencyNs'>, pageSizeBytes: number): number | null {
  const { reclaimedPages, kernelLatencyNs } = sample;
  if (reclaimedPages === null || kernelLatencyNs === null || kernelLatencyNs <= 0) return null;
  return (reclaimedPages * pageSizeBytes) / BYTES_PER_GIB / (kernelLatencyNs / 1e9);
}

/** Pages the kernel reported as advised for one sample. */
export function pagesAdvised(sample: Pick<Sample, 'bytesAdvised'>, pageSizeBytes: number): number {
  return sample.bytesAdvised / pageSizeBytes;
}

/** Median of derived per-sample values (nulls left out), or null when none is left. */
export function medianOfDerived(values: readonly (number | null)[]): number | null {
  return summarize(values)?.median ?? null;
}
