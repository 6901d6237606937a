/** The stopping rule of fixed and adaptive runs, as a pure function of where the run stands. */
import { describe, expect, it } from 'vitest';
import { etaMs, nextBlockEstimateMs, parseDurationMs, parsePercent, stopReason, targetReached, type StoppingRule } from '../../../bench/runner/stopping.ts';

const fixed: StoppingRule = { minReps: 5, maxReps: 5, timeBudgetMs: null, targetHalfWidth: null };
const adaptive: StoppingRule = { minReps: 6, maxReps: null, timeBudgetMs: 100_000, targetHalfWidth: 0.025 };
const at = (blocksDone: number, elapsedMs: number, blockDurationsMs: number[], halfWidths: (number | null)[]) => ({ blocksDone, elapsedMs, blockDurationsMs, halfWidths });

describe('stopReason', () => {
  it('fixed: runs exactly its repetitions, whatever the precision', () => {
    expect(stopReason(fixed, at(4, 1e9, [1, 1, 1, 1], [null]))).toBeNull();
    expect(stopReason(fixed, at(5, 0, [1, 1, 1, 1, 1], [0.9]))).toBe('reps');
  });

  it('adaptive: the target stops the run only from the minimum n on', () => {
    expect(stopReason(adaptive, at(5, 10_000, [2000, 2000, 2000, 2000, 2000], [0.01, 0.02]))).toBeNull();
    expect(stopReason(adaptive, at(6, 12_000, [2000, 2000, 2000, 2000, 2000, 2000], [0.01, 0.02]))).toBe('target-reached');
  });

  it('adaptive: a metric above the target or without an interval keeps it going', () => {
    expect(stopReason(adaptive, at(8, 16_000, Array(8).fill(2000), [0.01, 0.03]))).toBeNull();
    expect(stopReason(adaptive, at(8, 16_000, Array(8).fill(2000), [0.01, null]))).toBeNull();
  });

  it('adaptive: never starts a block expected to overrun the budget, estimated from past blocks', () => {
    // 90 s spent, blocks take 9-11 s: the next one (max(median 10, last 11) = 11 s) would end at 101 s
    const durations = [9000, 10_000, 10_000, 10_000, 11_000, 10_000, 10_000, 9000, 11_000];
    expect(stopReason(adaptive, at(9, 90_000, durations, [0.05]))).toBe('time-budget');
    expect(stopReason(adaptive, at(9, 88_000, durations, [0.05]))).toBeNull();
    // the minimum n is run whatever the budget (hyperfine's --min-runs), then the budget stops it
    expect(stopReason(adaptive, at(2, 95_000, [40_000, 40_000], [null]))).toBeNull();
    expect(stopReason(adaptive, at(6, 240_000, Array(6).fill(40_000), [null]))).toBe('time-budget');
  });

  it('adaptive: --reps caps it', () => {
    expect(stopReason({ ...adaptive, maxReps: 10 }, at(10, 20_000, Array(10).fill(2000), [0.05]))).toBe('reps-cap');
    expect(stopReason({ ...adaptive, maxReps: 10 }, at(10, 20_000, Array(10).fill(2000), [0.01]))).toBe('target-reached');
  });
});

describe('estimates', () => {
  it('the next block is the larger of the median and the last block', () => {
    expect(nextBlockEstimateMs([])).toBe(0);
    expect(nextBlockEstimateMs([10, 30, 20])).toBe(20);
    expect(nextBlockEstimateMs([10, 20, 30, 40])).toBe(40);
    expect(nextBlockEstimateMs([40, 30, 10, 20])).toBe(25);
  });

  it('ETA: blocks left to the count, bounded by the budget; unknown before the first block', () => {
    expect(etaMs(fixed, at(0, 0, [], []))).toBeNull();
    expect(etaMs(fixed, at(2, 4000, [2000, 2000], []))).toBe(6000);
    expect(etaMs(adaptive, at(2, 4000, [2000, 2000], []))).toBe(96_000);
    // the minimum left (4 blocks of 40 s) outlasts the budget
    expect(etaMs(adaptive, at(2, 95_000, [40_000, 40_000], []))).toBe(160_000);
    expect(etaMs({ ...adaptive, maxReps: 4 }, at(2, 4000, [2000, 2000], []))).toBe(4000);
  });

  it('targetReached needs every metric at or below the target', () => {
    expect(targetReached([0.01, 0.025], 0.025)).toBe(true);
    expect(targetReached([0.01, null], 0.025)).toBe(false);
    expect(targetReached([], 0.025)).toBe(true);
  });
});

describe('parsing', () => {
  it('durations', () => {
    expect(parseDurationMs('90s')).toBe(90_000);
    expect(parseDurationMs('2m')).toBe(120_000);
    expect(parseDurationMs('1m30s')).toBe(90_000);
    expect(parseDurationMs('1500ms')).toBe(1500);
    expect(parseDurationMs('1.5h')).toBe(5_400_000);
    for (const bad of ['90', 's', '-5s', '2 minutes', '0s', '5s garbage']) expect(parseDurationMs(bad), bad).toBeNull();
  });

  it('percentages', () => {
    expect(parsePercent('5%')).toBe(0.05);
    expect(parsePercent('2.5 %')).toBe(0.025);
    expect(parsePercent('5')).toBe(0.05);
    for (const bad of ['0%', '100%', '-1%', 'five', '']) expect(parsePercent(bad), bad).toBeNull();
  });
});
