/**
 * Block orders: seeded, replayable, and the same permutations CPython's random module gives
 * (`random.seed(s)`, then `random.shuffle(list(range(n)))` once per block; the expected lists
 * below were printed by Python 3.11).
 */
import { describe, expect, it } from 'vitest';
import { BlockOrder, blockOrders, freshSeed, MAX_SEED } from '../../../bench/runner/order.ts';

describe('block order', () => {
  it('interleaved: the permutations of CPython random.shuffle for the seed, block after block', () => {
    expect(blockOrders(6, 42, 'interleaved', 4)).toEqual([
      [3, 1, 2, 4, 0, 5],
      [3, 0, 2, 4, 5, 1],
      [3, 1, 2, 0, 4, 5],
      [1, 2, 3, 4, 5, 0],
    ]);
    expect(blockOrders(20, 7, 'interleaved', 1)[0]).toEqual([17, 15, 11, 18, 7, 6, 19, 3, 14, 0, 9, 5, 16, 8, 13, 2, 1, 12, 4, 10]);
  });

  it('replays: the same seed gives the same orders, whatever the number of blocks asked for', () => {
    const long = blockOrders(20, 123456, 'interleaved', 12);
    const gen = new BlockOrder(20, 123456, 'interleaved');
    const short = [gen.next(), gen.next(), gen.next()];
    expect(short).toEqual(long.slice(0, 3));
    expect(blockOrders(20, 123457, 'interleaved', 3)).not.toEqual(short);
    for (const order of long) expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('sequential: suite order in every block', () => {
    expect(blockOrders(4, 42, 'sequential', 2)).toEqual([
      [0, 1, 2, 3],
      [0, 1, 2, 3],
    ]);
  });

  it('fresh seeds are 32-bit integers', () => {
    for (let i = 0; i < 20; i++) {
      const seed = freshSeed();
      expect(Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED).toBe(true);
    }
  });
});
