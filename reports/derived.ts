/**
 * Figures reports derive from one saved sample. Pure functions, no I/O.
 *
 * - Reclaim throughput (GiB/s) of a sample = reclaimedPages * pageSizeBytes / kernelLatencyNs,
 *   scaled to GiB per second; null when either input is null or the latency is 0. Statistics
 *   over samples are taken of these per-sample ratios (charts.ts), never of a ratio of medians.
 */
import type { Sample } from '../core/types.ts';

const BYTES_PER_GIB = 2 ** 30;

/** Reclaim throughput of one sample in GiB/s, or null when it cannot be derived. */
export function reclaimThroughputGiBps(sample: Pick<Sample, 'reclaimedPages' | 'kernelLatencyNs'>, pageSizeBytes: number): number | null {
  const { reclaimedPages, kernelLatencyNs } = sample;
  if (reclaimedPages === null || kernelLatencyNs === null || kernelLatencyNs <= 0) return null;
  return (reclaimedPages * pageSizeBytes) / BYTES_PER_GIB / (kernelLatencyNs / 1e9);
}
