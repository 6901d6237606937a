import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../../core/stats/random.ts';

// Expected values: CPython 3.11 `random` (MT19937), e.g.
//   python3 -c "import random; random.seed(20240501); print([random.getrandbits(32) for _ in range(5)])"
describe('SeededRandom (MT19937, as CPython random)', () => {
  it('32-bit outputs match random.getrandbits(32), including after a twist of the state', () => {
    const r = new SeededRandom(20240501);
    expect(Array.from({ length: 5 }, () => r.nextUint32())).toEqual([3851295516, 1613903265, 1311173262, 1734521679, 1528533172]);
    const s = new SeededRandom(20240501);
    for (let i = 0; i < 1000; i++) s.nextUint32();
    expect(s.nextUint32()).toBe(386010468);
  });
  it('floats match random.random(), for small and above-32-bit seeds', () => {
    // random.seed(1); [random.random() for _ in range(3)]
    const r = new SeededRandom(1);
    expect([r.nextFloat(), r.nextFloat(), r.nextFloat()]).toEqual([0.13436424411240122, 0.8474337369372327, 0.763774618976614]);
    // random.seed(2**33 + 5); random.random()
    expect(new SeededRandom(2 ** 33 + 5).nextFloat()).toBe(0.7416304072852293);
  });
  it('integers and shuffles match random.randrange and random.shuffle', () => {
    // random.seed(42); [random.randrange(6) for _ in range(8)], random.randrange(2**32)
    const r = new SeededRandom(42);
    expect(Array.from({ length: 8 }, () => r.nextInt(6))).toEqual([5, 0, 0, 5, 2, 1, 1, 1]);
    expect(r.nextInt(2 ** 32)).toBe(3163119785);
    // random.seed(42); x = list(range(12)); random.shuffle(x)
    expect(new SeededRandom(42).shuffle(Array.from({ length: 12 }, (_, i) => i))).toEqual([7, 5, 2, 8, 9, 6, 11, 3, 4, 0, 1, 10]);
  });
  it('normal deviates match random.gauss', () => {
    // random.seed(3); [random.gauss(10, 2) for _ in range(4)]
    const r = new SeededRandom(3);
    const expected = [10.18941607657461, 12.5000487621671, 8.137243264558586, 11.98475456103848];
    for (const e of expected) expect(r.nextGaussian(10, 2)).toBeCloseTo(e, 12);
  });
  it('the same seed replays the same sequence; a different seed does not', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    const c = new SeededRandom(8);
    const xs = Array.from({ length: 20 }, () => a.nextFloat());
    expect(Array.from({ length: 20 }, () => b.nextFloat())).toEqual(xs);
    expect(Array.from({ length: 20 }, () => c.nextFloat())).not.toEqual(xs);
    expect(a.seed).toBe(7);
  });
  it('rejects seeds that are not non-negative safe integers and bad bounds', () => {
    expect(() => new SeededRandom(-1)).toThrow(RangeError);
    expect(() => new SeededRandom(1.5)).toThrow(RangeError);
    expect(() => new SeededRandom(7).nextInt(0)).toThrow(RangeError);
  });
});
