/**
 * The order of a run's blocks. A block runs one repetition of every scenario; with the
 * `interleaved` order each block (the warm-up block included) visits the scenarios in a fresh
 * random order drawn from one Mersenne Twister seeded with the run's seed, so drift over the
 * run (a warming host, a growing zram, a background reclaimer waking up) spreads over every
 * scenario instead of landing on the ones that happen to run last. The orders of a seed are a
 * fixed sequence: the same seed replays the same orders block by block, whatever the number of
 * blocks a run ends up with (CPython: `random.seed(seed)`, then `random.shuffle(list(range(n)))`
 * once per block, gives the same permutations). `sequential` keeps the suite order in every
 * block. Pure: no I/O.
 */
import { randomInt } from 'node:crypto';
import { SeededRandom } from '../../core/stats/random.ts';

/** How the scenarios of a block are ordered. */
export type RunOrder = 'interleaved' | 'sequential';

/** The orders `--order` accepts. */
export const RUN_ORDERS: readonly RunOrder[] = ['interleaved', 'sequential'];

/** Largest seed accepted: 2^32 - 1 (what a fresh run draws; any non-negative integer below 2^53 would replay). */
export const MAX_SEED = 2 ** 32 - 1;

/** A seed for a run that was given none: 32 random bits. */
export function freshSeed(): number {
  return randomInt(0, MAX_SEED);
}

/** Hands out the scenario order of each block in turn. */
export class BlockOrder {
  private readonly random: SeededRandom;

  /** count: scenarios per block. */
  constructor(
    readonly count: number,
    readonly seed: number,
    readonly order: RunOrder,
  ) {
    this.random = new SeededRandom(seed);
  }

  /** The scenario indices of the next block, in the order they run. */
  next(): number[] {
    const indices = Array.from({ length: this.count }, (_, i) => i);
    return this.order === 'interleaved' ? this.random.shuffle(indices) : indices;
  }
}

/** The first `blocks` block orders of a seed (the warm-up block first when the run has one). */
export function blockOrders(count: number, seed: number, order: RunOrder, blocks: number): number[][] {
  const gen = new BlockOrder(count, seed, order);
  return Array.from({ length: blocks }, () => gen.next());
}
