/**
 * The binomial distribution, computed by summing probability masses built in log space, so
 * that it stays accurate for thousands of trials (no factorial overflow, no underflow of
 * p^n before the sum starts).
 */

/** Probability masses P(B = k), k = 0..trials, of B ~ Binomial(trials, successProbability). */
export function binomialMasses(trials: number, successProbability: number): number[] {
  if (!Number.isInteger(trials) || trials < 0) throw new RangeError(`trials must be a non-negative integer, got ${trials}`);
  const p = successProbability;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`successProbability must be in [0, 1], got ${p}`);
  if (p === 0 || p === 1) {
    const masses = new Array<number>(trials + 1).fill(0);
    masses[p === 0 ? 0 : trials] = 1;
    return masses;
  }
  const logRatio = Math.log(p) - Math.log1p(-p);
  const logs = new Array<number>(trials + 1);
  logs[0] = trials * Math.log1p(-p);
  for (let k = 0; k < trials; k++) logs[k + 1] = logs[k]! + Math.log((trials - k) / (k + 1)) + logRatio;
  const maxLog = Math.max(...logs);
  const raw = logs.map((l) => Math.exp(l - maxLog));
  const total = raw.reduce((s, v) => s + v, 0);
  return raw.map((v) => v / total);
}

/** P(B <= k) for B ~ Binomial(trials, successProbability); 0 for k < 0, 1 for k >= trials. */
export function binomialCdf(k: number, trials: number, successProbability: number): number {
  if (k < 0) return 0;
  if (k >= trials) return 1;
  const masses = binomialMasses(trials, successProbability);
  let sum = 0;
  for (let i = 0; i <= Math.floor(k); i++) sum += masses[i]!;
  return Math.min(1, sum);
}
