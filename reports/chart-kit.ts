/**
 * What every chart of the report is built from: the chart type, the panel width, axis kinds
 * with their SI labels, log-scale choice and ticks, and title wrapping. Shared by the hint
 * charts (charts.ts) and the strategy charts (strategy-charts.ts).
 */
import type { TopLevelSpec } from 'vega-lite';
import { wrapText } from './tables.ts';

/** One chart: a file-friendly name, its title and the Vega-Lite spec. */
export interface ChartSpec {
  /** File stem (`<name>.svg`) and HTML element id; lowercase, dashes. */
  name: string;
  /** Human title: what is compared, including the target states. */
  title: string;
  /** The Vega-Lite spec with its data inlined. */
  spec: TopLevelSpec;
}

/** A metric whose largest value is more than this many times its smallest is drawn on a log scale. */
export const LOG_RANGE_RATIO = 20;

/** Plot width of every panel, in px (axis and labels come on top; the whole chart stays under 800 px). */
export const PANEL_WIDTH_PX = 600;

/** How one panel's values are read, and how its axis is labelled. */
export type AxisKind = 'time' | 'count' | 'rate';

/** Whether a panel's values call for a log scale: all positive and spanning more than LOG_RANGE_RATIO. */
export function wantsLogScale(values: readonly number[]): boolean {
  if (values.length === 0 || values.some((v) => v <= 0)) return false;
  return Math.max(...values) / Math.min(...values) > LOG_RANGE_RATIO;
}

/** Tick values of a log axis over [lo, hi]: powers of ten, with 2x and 5x steps when the range spans fewer than `fineBelowDecades` decades. */
export function logTicks(lo: number, hi: number, fineBelowDecades = 3): number[] {
  const ticks: number[] = [];
  const first = Math.floor(Math.log10(lo));
  const last = Math.ceil(Math.log10(hi));
  const steps = last - first < fineBelowDecades ? [1, 2, 5] : [1];
  for (let e = first; e <= last; e++) for (const m of steps) ticks.push(m * 10 ** e);
  return ticks.filter((t) => t >= lo && t <= hi);
}

/** Vega expression labelling an axis value in SI units for its kind. */
export function labelExpr(axis: AxisKind): string {
  if (axis === 'time')
    return (
      "datum.value == 0 ? '0' : datum.value >= 1e9 ? format(datum.value / 1e9, '~r') + ' s' : datum.value >= 1e6 ? format(datum.value / 1e6, '~r') + ' ms' : " +
      "datum.value >= 1e3 ? format(datum.value / 1e3, '~r') + ' µs' : format(datum.value, '~r') + ' ns'"
    );
  if (axis === 'rate') return "format(datum.value, '~r') + ' GiB/s'";
  return "format(datum.value, '~s')";
}

/** Title lines: `what:` and the comparison on the lines after it, wrapped to fit a panel's width (about 72 characters a line). */
export function titleLines(title: string): string[] {
  const at = title.indexOf(': ');
  if (title.length <= 70 || at < 0) return [title];
  return [title.slice(0, at + 1), ...wrapText(title.slice(at + 2), 72)];
}
