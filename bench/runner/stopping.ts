/**
 * When a run stops adding blocks. A fixed run stops after its repetitions. An adaptive run
 * (`--time-budget`, `--target-ci`) first runs the minimum repetitions whatever the budget
 * (hyperfine's `--min-runs`; 6 by default, the smallest n whose median interval reaches 95 %,
 * so every key metric gets an interval), then keeps adding blocks while any key metric's
 * median interval is wider than the target (relative half-width), and never starts a block
 * that is expected to overrun the time budget: the next block is estimated from the blocks so
 * far (the larger of their median and the last one, so a host that is slowing down is not
 * underestimated). `--reps` caps an adaptive run (below the minimum too). Pure: no I/O.
 */
import { DEFAULT_MIN_N } from '../../core/stats/verdict.ts';

/** Why the run stopped adding blocks (results.json `stopping.reason`). */
export type StopReason = 'reps' | 'target-reached' | 'time-budget' | 'reps-cap' | 'interrupted' | 'failed';

/** Minimum measured repetitions of an adaptive run unless `--min-reps` says otherwise. */
export const DEFAULT_MIN_REPS = DEFAULT_MIN_N;

/** The stopping rule of a run. */
export interface StoppingRule {
  /** Measured repetitions before the target may stop the run (adaptive only). */
  minReps: number;
  /** Cap on measured repetitions; the count itself for a fixed run; null: only the budget bounds the run. */
  maxReps: number | null;
  /** Wall-time budget from the start of the first block, ms; null without one. */
  timeBudgetMs: number | null;
  /** Largest relative half-width of every key metric's median interval that ends the run (fraction); null: no target. */
  targetHalfWidth: number | null;
}

/** Where a run stands after a block. */
export interface RunProgress {
  /** Measured blocks finished. */
  blocksDone: number;
  /** Wall time since the run's first block (warm-up included) started, ms. */
  elapsedMs: number;
  /** Duration of each measured block so far, ms. */
  blockDurationsMs: readonly number[];
  /**
   * Relative half-width of each key metric's median interval (fraction); null when it has
   * none yet (n too small for the confidence, or a median of 0 with a non-degenerate interval).
   */
  halfWidths: readonly (number | null)[];
}

/** A run is adaptive when it has a time budget or a target. */
export function isAdaptive(rule: StoppingRule): boolean {
  return rule.timeBudgetMs !== null || rule.targetHalfWidth !== null;
}

/** Expected duration of the next block, ms: max(median of the blocks so far, the last block); 0 before any. */
export function nextBlockEstimateMs(blockDurationsMs: readonly number[]): number {
  const n = blockDurationsMs.length;
  if (n === 0) return 0;
  const sorted = [...blockDurationsMs].sort((a, b) => a - b);
  const median = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return Math.max(median, blockDurationsMs[n - 1]!);
}

/** Whether every key metric reached the target (a metric without an interval has not). */
export function targetReached(halfWidths: readonly (number | null)[], target: number): boolean {
  return halfWidths.every((h) => h !== null && h <= target);
}

/** Whether to stop before the next block, and why; null: run another block. */
export function stopReason(rule: StoppingRule, p: RunProgress): StopReason | null {
  if (!isAdaptive(rule)) return rule.maxReps === null || p.blocksDone >= rule.maxReps ? 'reps' : null;
  if (rule.maxReps !== null && p.blocksDone >= rule.maxReps)
    return rule.targetHalfWidth !== null && targetReached(p.halfWidths, rule.targetHalfWidth) ? 'target-reached' : 'reps-cap';
  if (p.blocksDone < rule.minReps) return null;
  if (rule.targetHalfWidth !== null && targetReached(p.halfWidths, rule.targetHalfWidth)) return 'target-reached';
  if (rule.timeBudgetMs !== null && p.elapsedMs + nextBlockEstimateMs(p.blockDurationsMs) > rule.timeBudgetMs) return 'time-budget';
  return null;
}

/**
 * Estimated wall time until the run stops, ms, from the blocks so far: the blocks left to the
 * fixed count, the cap or the minimum, bounded by the budget; null before the first block or
 * when only the target bounds the run (it cannot be foreseen).
 */
export function etaMs(rule: StoppingRule, p: RunProgress): number | null {
  const perBlock = nextBlockEstimateMs(p.blockDurationsMs);
  if (p.blockDurationsMs.length === 0) return null;
  const minLeftMs = Math.max(0, rule.minReps - p.blocksDone) * perBlock;
  const budgetLeft = rule.timeBudgetMs === null ? null : Math.max(minLeftMs, rule.timeBudgetMs - p.elapsedMs);
  const blocksLeft = rule.maxReps === null ? null : Math.max(0, rule.maxReps - p.blocksDone);
  const byBlocks = blocksLeft === null ? null : blocksLeft * perBlock;
  if (byBlocks === null) return budgetLeft;
  return budgetLeft === null ? byBlocks : Math.min(byBlocks, budgetLeft);
}

/** `90s`, `2m`, `1m30s`, `1500ms`, `1h` as ms; null when the text is not a duration. */
export function parseDurationMs(text: string): number | null {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((m) => m[0]).join('') !== text.trim()) return null;
  const ms = parts.reduce((sum, m) => sum + Number(m[1]) * units[m[2]!]!, 0);
  return ms > 0 && Number.isFinite(ms) ? ms : null;
}

/** `5%`, `2.5 %`, `5` as a fraction (0.05); null unless it is a percentage in (0, 100). */
export function parsePercent(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
  if (m === null) return null;
  const pct = Number(m[1]);
  return pct > 0 && pct < 100 ? pct / 100 : null;
}
