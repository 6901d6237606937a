/**
 * Seeded pseudo-random numbers: the Mersenne Twister MT19937 (M. Matsumoto and T. Nishimura,
 * 1998), seeded, drawn from and shuffled exactly as CPython's `random` module does, so that a
 * recorded seed can be replayed (and checked) with nothing but Python:
 * `random.seed(s); random.random(); random.shuffle(xs); random.gauss(0, 1)`.
 * MT19937 passes the statistical batteries that matter for simulations and random orders; it
 * is not cryptographic. Only 32-bit integer arithmetic is used, so every platform gives the
 * same sequence.
 */

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** A seeded generator. Not shared between callers: each owns its state. */
export class SeededRandom {
  private readonly mt = new Uint32Array(N);
  private index = N + 1;
  private gaussNext: number | null = null;

  /** The seed this generator started from. */
  readonly seed: number;

  /** seed: a non-negative safe integer (CPython's random.seed(seed) for the same integer). */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer below 2^53, got ${seed}`);
    this.seed = seed;
    const high = Math.floor(seed / 2 ** 32);
    const key = high > 0 ? [seed >>> 0, high >>> 0] : [seed >>> 0];
    this.initByArray(key);
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.index = N;
  }

  private initByArray(key: readonly number[]): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1664525)) + key[j]! + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  private twist(): void {
    const mt = this.mt;
    for (let kk = 0; kk < N; kk++) {
      const y = (mt[kk]! & UPPER_MASK) | (mt[(kk + 1) % N]! & LOWER_MASK);
      mt[kk] = mt[(kk + M) % N]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.index = 0;
  }

  /** Next 32-bit unsigned integer (CPython: random.getrandbits(32)). */
  nextUint32(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Uniform float in [0, 1) with 53 random bits (CPython: random.random()). */
  nextFloat(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform integer in [0, bound) without modulo bias, bound <= 2^32 (CPython: random.randrange(bound)). */
  nextInt(bound: number): number {
    if (!Number.isInteger(bound) || bound < 1 || bound > 2 ** 32) throw new RangeError(`bound must be an integer in [1, 2^32], got ${bound}`);
    const bits = Math.floor(Math.log2(bound)) + 1; // bit length of bound, as CPython's _randbelow
    let r: number;
    do r = bits >= 32 ? this.nextUint32() : this.nextUint32() >>> (32 - bits);
    while (r >= bound);
    return r;
  }

  /** Normal deviate with the given mean and standard deviation (CPython: random.gauss(mu, sigma), Box–Muller). */
  nextGaussian(mu = 0, sigma = 1): number {
    let z = this.gaussNext;
    this.gaussNext = null;
    if (z === null) {
      const angle = this.nextFloat() * 2 * Math.PI;
      const radius = Math.sqrt(-2 * Math.log(1 - this.nextFloat()));
      z = Math.cos(angle) * radius;
      this.gaussNext = Math.sin(angle) * radius;
    }
    return mu + z * sigma;
  }

  /** Shuffles items in place, Fisher–Yates (CPython: random.shuffle(items)), and returns them. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }
}

/**
 * mulberry32: a small, fast seeded uniform generator in [0, 1) (32-bit state), for replayable
 * random instants and orders where SeededRandom's replay by CPython is not needed.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
