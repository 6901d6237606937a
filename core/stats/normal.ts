/**
 * The standard normal distribution: cumulative distribution function and quantile function,
 * both to about double precision (relative error below 1e-14 over the range used here), so
 * that p-values and critical values agree with R's pnorm/qnorm and SciPy's norm.
 */

const SQRT_PI = Math.sqrt(Math.PI);

/** erfc(x) for x >= 0. */
function erfcNonNegative(x: number): number {
  if (x < 2.5) {
    // erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n (2^n x^(2n+1)) / (1*3*...*(2n+1)); every term is
    // positive, so the sum has no cancellation.
    let term = x;
    let sum = x;
    for (let k = 1; k < 200; k++) {
      term *= (2 * x * x) / (2 * k + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return 1 - (2 / SQRT_PI) * Math.exp(-x * x) * sum;
  }
  // Continued fraction erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))),
  // evaluated with the modified Lentz method; it converges fast for x >= 2.5.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = d === 0 ? tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / SQRT_PI / f;
}

/** P(Z <= z) for a standard normal Z. */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  if (z === Number.POSITIVE_INFINITY) return 1;
  if (z === Number.NEGATIVE_INFINITY) return 0;
  const x = Math.abs(z) / Math.SQRT2;
  const upper = erfcNonNegative(x) / 2; // P(Z > |z|)
  return z >= 0 ? 1 - upper : upper;
}

/** P(Z > z) for a standard normal Z, accurate in the far upper tail. */
export function normalSurvival(z: number): number {
  return normalCdf(-z);
}

/** Standard normal density. */
function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

// P. J. Acklam's rational approximation of the normal quantile (relative error < 1.2e-9).
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

function acklam(p: number): number {
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((C[0]! * q + C[1]!) * q + C[2]!) * q + C[3]!) * q + C[4]!) * q + C[5]!) / ((((D[0]! * q + D[1]!) * q + D[2]!) * q + D[3]!) * q + 1);
  }
  if (p > 1 - P_LOW) return -acklam(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((A[0]! * r + A[1]!) * r + A[2]!) * r + A[3]!) * r + A[4]!) * r + A[5]!) * q) / (((((B[0]! * r + B[1]!) * r + B[2]!) * r + B[3]!) * r + B[4]!) * r + 1);
}

/**
 * z such that P(Z <= z) = p. Acklam's approximation refined by Halley steps on the accurate
 * CDF above. Returns -Infinity / Infinity for p = 0 / 1 and NaN outside [0, 1].
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  // Work in the lower half so the CDF is evaluated where it has full relative precision.
  if (p > 0.5) return -normalQuantile(1 - p);
  let z = acklam(p);
  for (let i = 0; i < 3; i++) {
    const e = normalCdf(z) - p;
    const u = e / normalPdf(z);
    const step = u / (1 + (z * u) / 2);
    z -= step;
    if (Math.abs(step) <= 1e-15 * Math.max(1, Math.abs(z))) break;
  }
  return z;
}
