import { describe, expect, it } from 'vitest';
import { HintWindows, kernelFigures } from '../../../bench/live/attribute.ts';
import { PROBE_RECORDS_MAX, PROBE_RECORDS_MIN, PROBE_RECORDS_SPARE, probeMapKeys } from '../../../bench/live/probe-capacity.ts';
import type { ProbeHint } from '../../../core/types.ts';

const hint = (tid: number, enterNs: number, latencyNs: number, reclaimedPages = 0): ProbeHint => ({ pid: tid, tid, syscall: 'process_madvise', behavior: 21, enterNs, latencyNs, reclaimedPages, ret: 0 });

describe('kernelFigures', () => {
  it('sums the records of each window, ignores other threads and calls outside the windows', () => {
    const w = new HintWindows(3);
    w.add(100, 200, 7, 2);
    w.add(300, 400, 7, 1);
    w.add(500, 600, 7, 1);
    const hints = [hint(7, 50, 1), hint(7, 110, 10, 5), hint(9, 120, 99, 99), hint(7, 150, 20, 6), hint(7, 310, 30), hint(7, 510, 40), hint(7, 700, 1)];
    const k = kernelFigures(w, hints, hints.length);
    expect(k.latenciesNs).toEqual([30, 30, 40]);
    expect(k.reclaimedPages).toBe(11);
    expect(k.notes).toEqual([]);
  });
  it('a repetition with fewer records than syscalls is left out and said so, never a silent zero', () => {
    const w = new HintWindows(3);
    w.add(100, 200, 7, 1);
    w.add(300, 400, 7, 1);
    w.add(500, 600, 7, 1);
    // the map kept 2 of 3 calls: the third repetition has no record
    const k = kernelFigures(w, [hint(7, 110, 10, 3), hint(7, 310, 30)], 3);
    expect(k.latenciesNs).toEqual([10, 30]);
    expect(k.reclaimedPages).toBe(3);
    expect(k.notes).toEqual(["kernel-side figures cover 2 of 3 hints (the probe's map was full: it kept 2 of the 3 hint syscalls it saw)"]);
    const lost = kernelFigures(w, [hint(7, 310, 30)], 1);
    expect(lost.reclaimedPages).toBeNull();
    expect(lost.notes[0]).toMatch(/cover 1 of 3 hints \(the probe did not record every syscall/);
    // no map at all: bpftrace died before printing it
    expect(kernelFigures(w, [], undefined).notes).toEqual(['kernel-side figures cover 0 of 3 hints (bpftrace printed no hint map: it ended before a clean exit)']);
  });
  it('is one pass: 200000 windows against 200000 records', () => {
    const n = 200_000;
    const w = new HintWindows(n);
    const hints: ProbeHint[] = [];
    for (let i = 0; i < n; i++) {
      w.add(i * 10, i * 10 + 5, 7, 1);
      hints.push(hint(7, i * 10 + 1, i));
    }
    const k = kernelFigures(w, hints, n);
    expect(k.latenciesNs).toHaveLength(n);
    expect(k.latenciesNs[n - 1]).toBe(n - 1);
  });
});

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
