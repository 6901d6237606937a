/**
 * Human formatting of raw figures for every report: times in SI units (ns, µs, ms, s),
 * bytes in binary units, counts with thousands separators, ratios with `×`. Pure.
 */
import { SAMPLE_FIELDS, type MetricUnit, type SampleFieldName } from '../core/metrics.ts';

/** Significant digits of a figure: 3 (1.23, 12.3, 123), never fewer integer digits than it has. */
function sig3(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toLocaleString('en-US');
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Time units from the largest down: label and nanoseconds per unit. */
const TIME_UNITS: readonly [string, number][] = [
  ['s', 1e9],
  ['ms', 1e6],
  ['µs', 1e3],
  ['ns', 1],
];

/** A duration in nanoseconds as `161 ms`, `2.99 s`, `415 µs` (3 significant digits, SI unit). */
export function formatDurationNs(ns: number): string {
  if (ns === 0) return '0 s';
  const abs = Math.abs(ns);
  for (const [unit, scale] of TIME_UNITS) {
    if (abs >= scale * 0.9995 || unit === 'ns') return `${sig3(ns / scale)} ${unit}`;
  }
  return `${ns} ns`;
}

/** Binary byte units from the largest down. */
const BYTE_UNITS: readonly [string, number][] = [
  ['GiB', 2 ** 30],
  ['MiB', 2 ** 20],
  ['KiB', 2 ** 10],
  ['B', 1],
];

/** Bytes as `256 MiB`, `1.50 GiB`, `12.0 KiB`. */
export function formatBytes(bytes: number): string {
  if (bytes === 0) return '0 B';
  const abs = Math.abs(bytes);
  for (const [unit, scale] of BYTE_UNITS) {
    if (abs >= scale || unit === 'B') return `${unit === 'B' ? String(bytes) : sig3(bytes / scale)} ${unit}`;
  }
  return `${bytes} B`;
}

/** A count: integers with thousands separators, other values with 3 significant digits. */
export function formatCount(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : sig3(value);
}

/** A value in the given unit, formatted for people. */
export function formatInUnit(value: number, unit: MetricUnit): string {
  if (unit === 'ns') return formatDurationNs(value);
  if (unit === 'bytes') return formatBytes(value);
  return formatCount(value);
}

/** A Sample field's value, formatted by the field's unit (core/metrics.ts). */
export function formatField(field: SampleFieldName, value: number): string {
  return formatInUnit(value, SAMPLE_FIELDS[field].unit);
}

/** The unit (label, scale) a duration is shown in. */
function durationUnit(ns: number): [string, number] {
  const abs = Math.abs(ns);
  return TIME_UNITS.find(([, scale]) => abs >= scale * 0.9995) ?? ['ns', 1];
}

/** The unit (label, scale) a byte count is shown in. */
function byteUnit(bytes: number): [string, number] {
  const abs = Math.abs(bytes);
  return BYTE_UNITS.find(([, scale]) => abs >= scale) ?? ['B', 1];
}

/** A range `lo–hi` of a field's values, both in the unit of the larger end: `952–1,150 ms` is `0.95–1.15 s`; one value when lo = hi. */
export function formatFieldRange(field: SampleFieldName, lo: number, hi: number): string {
  if (lo === hi) return formatField(field, lo);
  const unit = SAMPLE_FIELDS[field].unit;
  if (unit === 'ns' || unit === 'bytes') {
    const [label, scale] = unit === 'ns' ? durationUnit(Math.max(Math.abs(lo), Math.abs(hi))) : byteUnit(Math.max(Math.abs(lo), Math.abs(hi)));
    return `${sig3(lo / scale)}–${sig3(hi / scale)} ${label}`;
  }
  return `${formatCount(lo)}–${formatCount(hi)}`;
}

/** A ratio as `18.6×`, `1.05×`, `412×`. */
export function formatRatio(ratio: number): string {
  return `${sig3(ratio)}×`;
}

/** A fraction as a percentage: `4.2 %`. */
export function formatPercent(fraction: number): string {
  const pct = fraction * 100;
  return `${pct >= 10 ? pct.toFixed(0) : pct.toFixed(1)} %`;
}

/** Unit words a field name may end in, stripped for its label. */
const UNIT_SUFFIX = /(Ns|Bytes|Pages)$/;

/**
 * Human label of a Sample field without its unit: the registry's display label minus its
 * `(unit)` part (`user latency`), or the field name in words (`pswpoutDelta` -> `pswpout delta`).
 */
export function fieldLabel(field: SampleFieldName): string {
  const display = SAMPLE_FIELDS[field].display;
  if (display !== null) return display.label.replace(/\s*\((µs|ms|ns|s|MiB|KiB|GiB|bytes)\)\s*$/, '');
  const words = field
    .replace(UNIT_SUFFIX, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();
  const unit = SAMPLE_FIELDS[field].unit;
  return unit === 'pages' ? `${words} (pages)` : words;
}
