import { describe, expect, it } from 'vitest';
import { PROBE_RECORDS_MAX, PROBE_RECORDS_MIN, PROBE_RECORDS_SPARE, probeMapKeys } from '../../../bench/live/probe-capacity.ts';

describe('probeMapKeys', () => {
  it('sizes the map to the request, at least the default, in multiples of 4096', () => {
    expect(probeMapKeys(1, 1)).toBe(PROBE_RECORDS_MIN);
    expect(probeMapKeys(100_000, 1)).toBe(Math.ceil((100_000 + PROBE_RECORDS_SPARE) / 4096) * 4096);
    expect(probeMapKeys(40_000, 3)).toBeLessThanOrEqual(PROBE_RECORDS_MAX);
  });
  it('refuses a request no map holds, naming --repeat and the largest that fits', () => {
    const most = PROBE_RECORDS_MAX - PROBE_RECORDS_SPARE;
    expect(probeMapKeys(most, 1)).toBe(PROBE_RECORDS_MAX);
    expect(() => probeMapKeys(most + 1, 1)).toThrow(new RegExp(`--repeat ${most + 1} needs ${most + 1} probe records`));
    try {
      probeMapKeys(100_000, 4);
      expect.unreachable();
    } catch (err) {
      expect((err as { fix: string }).fix).toBe(`use --repeat ${Math.floor(most / 4)} or less, or add --no-probe (no kernel-side latency or reclaimed pages)`);
    }
  });
});
