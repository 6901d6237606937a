/** Text for the figures of a comparison, shared by the terminal, Markdown and HTML renderers. */
import { SAMPLE_FIELDS, type SampleFieldName } from '../../core/metrics.ts';
import type { ComparisonCell, Comparison, NewRunComparison } from './compare.ts';

/** Display unit and scale of a metric, from the registry's display label (`user latency (µs)` -> µs). */
export function metricUnit(field: SampleFieldName): { unit: string; divisor: number; label: string } {
  const display = SAMPLE_FIELDS[field].display;
  if (display === null) return { unit: SAMPLE_FIELDS[field].unit ?? '', divisor: 1, label: field };
  const unit = /\(([^()]+)\)\s*$/.exec(display.label)?.[1] ?? '';
  return { unit, divisor: display.divisor, label: display.label };
}

/** Time units a nanosecond figure is shown in, largest first. */
const TIME_UNITS: readonly [string, number][] = [
  ['s', 1e9],
  ['ms', 1e6],
  ['µs', 1e3],
  ['ns', 1],
];

/** A number with at most 4 significant digits (whole numbers of 1000 and more shown whole). */
function fourDigits(v: number): string {
  return Math.abs(v) >= 1000 || Number.isInteger(v)
    ? v.toFixed(0)
    : v
        .toPrecision(4)
        .replace(/(\.\d*?)0+$/, '$1')
        .replace(/\.$/, '');
}

/** A metric value with its unit, short: times scaled to s, ms, µs or ns; pages as `pg`. */
export function formatValue(field: SampleFieldName, value: number | null): string {
  if (value === null) return '-';
  const unit = SAMPLE_FIELDS[field].unit;
  if (unit === 'ns') {
    const [name, scale] = TIME_UNITS.find(([, s]) => Math.abs(value) >= s) ?? ['ns', 1];
    return `${fourDigits(value / scale)} ${name}`;
  }
  if (unit === 'pages') return `${fourDigits(value)} pg`;
  if (unit === 'bytes') return `${fourDigits(value / 2 ** 20)} MiB`;
  return fourDigits(value);
}

/** A fraction as a signed percentage with one decimal: 0.1034 -> `+10.3%`. */
export function formatPercent(fraction: number): string {
  const raw = fraction * 100;
  const pct = Math.abs(raw) < 0.05 ? 0 : raw;
  const text = Math.abs(pct) >= 1000 ? pct.toFixed(0) : pct.toFixed(1);
  return `${pct >= 0 && !text.startsWith('-') ? '+' : ''}${text}%`;
}

/** The shift with its interval: `+10.3% [+6.1, +14.8]`, or `-` when no relative figure exists. */
export function formatShift(cell: ComparisonCell): string {
  const s = cell.shift;
  if (s === null) return '-';
  const bound = (f: number): string => formatPercent(f).replace('%', '');
  return `${formatPercent(s.estimate)} [${bound(s.lower)}, ${bound(s.upper)}]`;
}

/** A p-value with 2 significant digits (`<0.0001` below that). */
export function formatP(p: number | null): string {
  if (p === null) return '-';
  if (p < 1e-4) return '<0.0001';
  return p >= 0.01 ? p.toFixed(2) : p.toPrecision(2);
}

/** The threshold of a cell as `±5%`. */
export function formatThreshold(fraction: number): string {
  return `±${Number((fraction * 100).toFixed(2))}%`;
}

/** Why a verdict was reached, in a few words (the rules of core/stats/verdict.ts). */
export function reasonText(cell: ComparisonCell, minN: number): string {
  const t = formatThreshold(cell.thresholdFraction);
  switch (cell.reason) {
    case 'too-few-samples':
      return `n < ${minN}`;
    case 'interval-short-of-confidence':
      return 'CI short of 95%';
    case 'no-relative-figure':
      return 'base median 0';
    case 'significant-and-beyond-threshold':
      return `beyond ${t}`;
    case 'interval-within-threshold':
      return `within ${t}`;
    case 'not-significant-after-correction':
      return 'not significant';
    case 'interval-straddles-threshold':
      return `straddles ${t}`;
  }
}

/** Verdict and reason: `regressed (beyond ±5%)`. */
export function verdictText(cell: ComparisonCell, minN: number): string {
  return `${cell.verdict} (${reasonText(cell, minN)})`;
}

/** The one-line conclusion of a comparison. */
export function conclusion(c: Comparison): string {
  const { regressed, improved, unchanged, inconclusive } = c.counts;
  const head = c.regressed ? 'REGRESSION' : 'no regression';
  return `${head}: ${regressed} regressed, ${improved} improved, ${unchanged} unchanged, ${inconclusive} inconclusive (Holm over ${c.options.familySize} tests, alpha ${c.options.alpha})`;
}

/** Lines saying how a new run's environment differs from the base's (or that it does not). */
export function environmentLines(n: NewRunComparison): string[] {
  if (n.environmentDifferences.length === 0) return ['Same environment as the base run.'];
  return [
    `Environments differ in ${n.environmentDifferences.length} field${n.environmentDifferences.length === 1 ? '' : 's'} (compared anyway; shifts include the difference):`,
    ...n.environmentDifferences.map((d) => `${d.field}: ${d.base} -> ${d.next}`),
  ];
}

/** Lines on scenarios left out and warm-ups excluded. */
export function coverageLines(n: NewRunComparison): string[] {
  const out: string[] = [];
  if (n.onlyInBase.length > 0) out.push(`only in base, not compared: ${n.onlyInBase.join(', ')}`);
  if (n.onlyInNew.length > 0) out.push(`only in new, not compared: ${n.onlyInNew.join(', ')}`);
  if (n.warmUpSamples.base + n.warmUpSamples.next > 0) out.push(`warm-up samples left out: ${n.warmUpSamples.base} base, ${n.warmUpSamples.next} new`);
  return out;
}
