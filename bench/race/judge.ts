/**
 * Judges one race hint from the churn workload's log (workloads/churn.ts): which generation
 * each range read from /proc/PID/maps was, and whether that generation still held the range
 * when the hint was delivered. Pure: no system calls.
 *
 * Rules (all times CLOCK_MONOTONIC, ns):
 * - A range read is attributed to the one logged mapping with its start and length whose
 *   lifetime [mapStartNs, unmapEndNs] overlaps the read window. None or several: the range
 *   is `uncertain`.
 * - Its generation held it through the hint when it was not unmapped before the hint window
 *   ended (unmapStartNs null or after the window): `correct`.
 * - It was gone before the hint began (unmapEndNs before the window): `misHinted`. Of those
 *   bytes, the ones a later generation held through the whole hint window are `remapped` (the
 *   hint landed on memory the caller never saw); the rest are `unmapped`.
 * - An unmap overlapping the hint window cannot be ordered against it: `uncertain`.
 */
import type { ChurnMapping } from '../../core/schema/race.ts';

/** A time window, ns. */
export interface NsWindow {
  fromNs: number;
  toNs: number;
}

/** A range the caller read and hinted. */
export interface HintedRange {
  startAddr: number;
  lengthBytes: number;
}

/** Bytes of a hint, by what they hit. */
export interface RaceJudgement {
  /** Bytes of all ranges hinted. */
  hintedBytes: number;
  /** Bytes whose mapping held through the hint. */
  correctBytes: number;
  /** Bytes whose mapping was gone before the hint began (remapped + unmapped). */
  misHintedBytes: number;
  /** Of misHintedBytes, those a later generation held through the hint. */
  remappedBytes: number;
  /** Of misHintedBytes, the rest: not mapped by any generation that held through the hint. */
  unmappedBytes: number;
  /** Bytes the log cannot order against the read or the hint. */
  uncertainBytes: number;
}

/** Bytes of [a0, a1) that [b0, b1) covers. */
function overlapBytes(a0: number, a1: number, b0: number, b1: number): number {
  return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
}

/** The mapping a range read in `read` was, or null when the log does not say which one. */
export function attributeRange(range: HintedRange, read: NsWindow, log: readonly ChurnMapping[]): ChurnMapping | null {
  const candidates = log.filter(
    (m) => m.startAddr === range.startAddr && m.lengthBytes === range.lengthBytes && m.mapStartNs <= read.toNs && (m.unmapEndNs === null || m.unmapEndNs >= read.fromNs),
  );
  return candidates.length === 1 ? candidates[0]! : null;
}

/** Judges the ranges read in `read` and hinted in `hint` against the churn log. */
export function judgeRace(ranges: readonly HintedRange[], read: NsWindow, hint: NsWindow, log: readonly ChurnMapping[]): RaceJudgement {
  const j: RaceJudgement = { hintedBytes: 0, correctBytes: 0, misHintedBytes: 0, remappedBytes: 0, unmappedBytes: 0, uncertainBytes: 0 };
  for (const r of ranges) {
    j.hintedBytes += r.lengthBytes;
    const m = attributeRange(r, read, log);
    if (m === null) {
      j.uncertainBytes += r.lengthBytes;
    } else if (m.unmapStartNs === null || m.unmapStartNs > hint.toNs) {
      j.correctBytes += r.lengthBytes;
    } else if (m.unmapEndNs !== null && m.unmapEndNs < hint.fromNs) {
      j.misHintedBytes += r.lengthBytes;
      const end = r.startAddr + r.lengthBytes;
      let remapped = 0;
      for (const later of log) {
        if (later.generation <= m.generation || later.mapEndNs >= hint.fromNs) continue;
        if (later.unmapStartNs !== null && later.unmapStartNs <= hint.toNs) continue;
        remapped += overlapBytes(r.startAddr, end, later.startAddr, later.startAddr + later.lengthBytes);
      }
      j.remappedBytes += remapped;
      j.unmappedBytes += r.lengthBytes - remapped;
    } else {
      j.uncertainBytes += r.lengthBytes;
    }
  }
  return j;
}

/**
 * The longest time between consecutive churn operations (map and unmap starts) around
 * `window`: the gap that contains or overlaps it, i.e. how long the target could not churn.
 * `endNs` closes the last gap when no operation followed the window. Null without operations before it.
 */
export function longestGapNs(log: readonly ChurnMapping[], window: NsWindow, endNs: number): number | null {
  const times = log
    .flatMap((m) => (m.unmapStartNs === null ? [m.mapStartNs] : [m.mapStartNs, m.unmapStartNs]))
    .filter((t) => t <= endNs)
    .sort((a, b) => a - b);
  times.push(endNs);
  let longest: number | null = null;
  for (let i = 1; i < times.length; i++) {
    const a = times[i - 1]!;
    const b = times[i]!;
    if (b < window.fromNs || a > window.toNs) continue;
    longest = Math.max(longest ?? 0, b - a);
  }
  return longest;
}
