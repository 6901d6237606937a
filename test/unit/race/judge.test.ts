import { describe, expect, it } from 'vitest';
import { attributeRange, judgeRace, longestGapNs } from '../../../bench/race/judge.ts';
import type { ChurnMapping } from '../../../core/schema/race.ts';

const PAGE = 4096;
const A = 0x7f00_0000_0000;
const B = A + 17 * PAGE;

/** A log entry; times in µs for readability. */
function m(generation: number, startAddr: number, pages: number, mapUs: number, unmapUs: number | null): ChurnMapping {
  return {
    generation,
    slot: startAddr === A ? 0 : 1,
    startAddr,
    lengthBytes: pages * PAGE,
    mapStartNs: mapUs * 1000,
    mapEndNs: mapUs * 1000 + 500,
    unmapStartNs: unmapUs === null ? null : unmapUs * 1000,
    unmapEndNs: unmapUs === null ? null : unmapUs * 1000 + 200,
  };
}

const READ = { fromNs: 100_000, toNs: 110_000 };
const HINT = { fromNs: 200_000, toNs: 210_000 };

describe('race judge', () => {
  it('counts a range whose generation held through the hint as correct', () => {
    const log = [m(1, A, 4, 10, null), m(2, B, 2, 20, 300)];
    const j = judgeRace(
      [
        { startAddr: A, lengthBytes: 4 * PAGE },
        { startAddr: B, lengthBytes: 2 * PAGE },
      ],
      READ,
      HINT,
      log,
    );
    expect(j).toEqual({ hintedBytes: 6 * PAGE, correctBytes: 6 * PAGE, misHintedBytes: 0, remappedBytes: 0, unmappedBytes: 0, uncertainBytes: 0 });
  });

  it('splits a range unmapped before the hint into remapped (a later generation there) and unmapped bytes', () => {
    // Generation 1 (4 pages at A) read, unmapped at 150 µs; generation 3 maps 3 pages at A at 160 µs.
    const log = [m(1, A, 4, 10, 150), m(2, B, 2, 20, 170), m(3, A, 3, 160, null)];
    const j = judgeRace(
      [
        { startAddr: A, lengthBytes: 4 * PAGE },
        { startAddr: B, lengthBytes: 2 * PAGE },
      ],
      READ,
      HINT,
      log,
    );
    expect(j.misHintedBytes).toBe(6 * PAGE);
    expect(j.remappedBytes).toBe(3 * PAGE);
    expect(j.unmappedBytes).toBe(3 * PAGE);
    expect(j.correctBytes).toBe(0);
  });

  it('does not count a later generation that was itself gone during the hint as remapped', () => {
    const log = [m(1, A, 4, 10, 150), m(3, A, 4, 160, 205)];
    expect(judgeRace([{ startAddr: A, lengthBytes: 4 * PAGE }], READ, HINT, log).remappedBytes).toBe(0);
  });

  it('calls an unmap during the hint window uncertain', () => {
    const log = [m(1, A, 4, 10, 205)];
    const j = judgeRace([{ startAddr: A, lengthBytes: 4 * PAGE }], READ, HINT, log);
    expect(j.uncertainBytes).toBe(4 * PAGE);
    expect(j.misHintedBytes).toBe(0);
  });

  it('attributes a range to the one generation alive during the read, else to none', () => {
    const log = [m(1, A, 4, 10, 50), m(2, A, 4, 60, null)];
    expect(attributeRange({ startAddr: A, lengthBytes: 4 * PAGE }, READ, log)?.generation).toBe(2);
    // Two generations of the same start and length both overlap the read: ambiguous.
    const ambiguous = [m(1, A, 4, 10, 105), m(2, A, 4, 106, null)];
    expect(attributeRange({ startAddr: A, lengthBytes: 4 * PAGE }, READ, ambiguous)).toBeNull();
    expect(judgeRace([{ startAddr: A, lengthBytes: 4 * PAGE }], READ, HINT, ambiguous).uncertainBytes).toBe(4 * PAGE);
  });

  it('finds the longest pause between churn operations around a window', () => {
    const log = [m(1, A, 4, 10, 100), m(2, B, 2, 102, 400), m(3, A, 4, 410, null)];
    // Operations at 10, 100, 102, 400, 410 µs; the window 150-350 µs lies in the 102-400 gap.
    expect(longestGapNs(log, { fromNs: 150_000, toNs: 350_000 }, 500_000)).toBe(298_000);
    // No operation after the window: the gap runs to endNs.
    expect(longestGapNs(log, { fromNs: 420_000, toNs: 430_000 }, 900_000)).toBe(490_000);
  });
});
