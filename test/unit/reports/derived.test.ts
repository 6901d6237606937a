import { describe, expect, it } from 'vitest';
import { reclaimThroughputGiBps } from '../../../reports/derived.ts';

describe('derived figures', () => {
  it('reclaim throughput: 64 MiB of 4 KiB pages in 50 ms is 1.25 GiB/s', () => {
    expect(reclaimThroughputGiBps({ reclaimedPages: 16_384, kernelLatencyNs: 50_000_000 }, 4096)).toBeCloseTo(1.25, 12);
    expect(reclaimThroughputGiBps({ reclaimedPages: 16_384, kernelLatencyNs: 50_000_000 }, 16_384)).toBeCloseTo(5, 12);
  });

  it('throughput is null when an input is missing or the latency is 0', () => {
    expect(reclaimThroughputGiBps({ reclaimedPages: null, kernelLatencyNs: 1 }, 4096)).toBeNull();
    expect(reclaimThroughputGiBps({ reclaimedPages: 1, kernelLatencyNs: null }, 4096)).toBeNull();
    expect(reclaimThroughputGiBps({ reclaimedPages: 1, kernelLatencyNs: 0 }, 4096)).toBeNull();
  });
});
