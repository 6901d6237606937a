/**
 * Holm–Bonferroni correction of a family of p-values (S. Holm, 1979), as R's
 * p.adjust(p, method = "holm"): with the m p-values sorted ascending, the adjusted value of
 * the i-th is max over j <= i of min(1, (m - j + 1) * p(j)). Rejecting where the adjusted
 * p-value is below alpha controls the family-wise error rate at alpha for any dependence
 * between the tests, and rejects at least what plain Bonferroni rejects.
 */

/**
 * Holm-adjusted p-values, in the input order. Non-finite entries (a test that could not run)
 * are left out of the family and come back as NaN.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  for (const p of pValues) {
    if (Number.isFinite(p) && (p < 0 || p > 1)) throw new RangeError(`p-value must be in [0, 1], got ${p}`);
  }
  const order = pValues
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => Number.isFinite(p))
    .sort((a, b) => a.p - b.p);
  const m = order.length;
  const out = pValues.map(() => Number.NaN);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}
