/**
 * The two export formats as their projects document them, written as checks:
 * - Bencher Metric Format: https://bencher.dev/docs/reference/bencher-metric-format and its
 *   JSON Schema https://bencher.dev/bmf.json (an object of benchmarks, each an object of
 *   measures, each an object with a required number `value` and optional numbers
 *   `lower_value` and `upper_value`; benchmark names up to 1024 characters, measure names
 *   up to 64).
 * - github-action-benchmark `customSmallerIsBetter` / `customBiggerIsBetter`:
 *   https://github.com/benchmark-action/github-action-benchmark#examples (README: "The JSON
 *   file you provide only needs to provide name, unit, and value. You can also provide
 *   optional range and extra"), field types as src/extract.ts BenchmarkResult
 *   (name: string, value: number, range?: string, unit: string, extra?: string).
 * The documented examples are kept as fixtures (test/fixtures/export/) and must pass these
 * checks too, so the checks stand for the documents.
 */

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Problems of a document against the BMF schema (empty when it conforms). */
export function bmfProblems(doc: unknown): string[] {
  const out: string[] = [];
  if (!isObject(doc)) return ['top level is not an object'];
  for (const [bench, measures] of Object.entries(doc)) {
    if (bench.length === 0 || bench.length > 1024) out.push(`benchmark name length ${bench.length}`);
    if (!isObject(measures)) {
      out.push(`${bench}: not an object`);
      continue;
    }
    for (const [measure, metric] of Object.entries(measures)) {
      if (measure.length === 0 || measure.length > 64) out.push(`${bench}/${measure}: measure name length ${measure.length}`);
      if (!isObject(metric)) {
        out.push(`${bench}/${measure}: not an object`);
        continue;
      }
      if (typeof metric.value !== 'number' || !Number.isFinite(metric.value)) out.push(`${bench}/${measure}: value is not a number`);
      for (const k of ['lower_value', 'upper_value'])
        if (k in metric && (typeof metric[k] !== 'number' || !Number.isFinite(metric[k]))) out.push(`${bench}/${measure}: ${k} is not a number`);
    }
  }
  return out;
}

/** Problems of a document against github-action-benchmark's custom format (empty when it conforms). */
export function githubBenchmarkProblems(doc: unknown): string[] {
  if (!Array.isArray(doc)) return ['top level is not an array'];
  const out: string[] = [];
  doc.forEach((e, i) => {
    if (!isObject(e)) {
      out.push(`[${i}] is not an object`);
      return;
    }
    if (typeof e.name !== 'string' || e.name === '') out.push(`[${i}].name is not a non-empty string`);
    if (typeof e.unit !== 'string') out.push(`[${i}].unit is not a string`);
    if (typeof e.value !== 'number' || !Number.isFinite(e.value)) out.push(`[${i}].value is not a number`);
    for (const k of ['range', 'extra']) if (k in e && typeof e[k] !== 'string') out.push(`[${i}].${k} is not a string`);
    for (const k of Object.keys(e)) if (!['name', 'unit', 'value', 'range', 'extra'].includes(k)) out.push(`[${i}] has unknown field ${k}`);
  });
  return out;
}
