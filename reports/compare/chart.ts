/**
 * Vega-Lite chart of one scenario of a comparison (pure, no I/O): on top, both runs'
 * samples overlaid per key metric (one panel each, its own y scale, a tick at each median);
 * below, the relative shift of each metric with its interval, the threshold band and the
 * verdict as the colour.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { RunResult } from '../../core/types.ts';
import type { Comparison, ComparisonCell } from './compare.ts';
import { metricUnit, reasonText } from './format.ts';
import { fieldValues } from './samples.ts';

/** One dot (a sample) or tick (a median) of the samples panel. */
export interface OverlayRow {
  kind: 'sample' | 'median';
  /** `base` or `new`. */
  run: string;
  /** Panel: metric field and display unit. */
  metric: string;
  /** Value in the display unit. */
  value: number;
}

/** One metric's shift in percent with its interval and threshold. */
export interface ShiftRow {
  metric: string;
  estimatePct: number;
  lowerPct: number;
  upperPct: number;
  thresholdPct: number;
  verdict: string;
  reason: string;
}

const VERDICT_COLOURS = { domain: ['regressed', 'improved', 'unchanged', 'inconclusive'], range: ['#c0392b', '#27ae60', '#7f8c8d', '#e69f00'] };

function panelName(cell: ComparisonCell): string {
  const { unit } = metricUnit(cell.field);
  return unit === '' ? cell.field : `${cell.field} (${unit})`;
}

/** Rows of the samples panel: every measured sample of both runs plus each median. */
export function overlayRows(cells: readonly ComparisonCell[], base: RunResult, next: RunResult): OverlayRow[] {
  const rows: OverlayRow[] = [];
  for (const cell of cells) {
    const { divisor } = metricUnit(cell.field);
    const metric = panelName(cell);
    for (const [run, result] of [
      ['base', base.scenarios.find((r) => r.scenario.id === cell.scenarioId)],
      ['new', next.scenarios.find((r) => r.scenario.id === cell.scenarioId)],
    ] as const) {
      if (result === undefined) continue;
      for (const v of fieldValues(result, cell.field)) rows.push({ kind: 'sample', run, metric, value: v / divisor });
    }
    if (cell.baseMedian !== null) rows.push({ kind: 'median', run: 'base', metric, value: cell.baseMedian / divisor });
    if (cell.newMedian !== null) rows.push({ kind: 'median', run: 'new', metric, value: cell.newMedian / divisor });
  }
  return rows;
}

/** Rows of the shift panel: metrics with a relative shift. */
export function shiftRows(cells: readonly ComparisonCell[], minN: number): ShiftRow[] {
  return cells.flatMap((cell) =>
    cell.shift === null
      ? []
      : [
          {
            metric: panelName(cell),
            estimatePct: cell.shift.estimate * 100,
            lowerPct: cell.shift.lower * 100,
            upperPct: cell.shift.upper * 100,
            thresholdPct: cell.thresholdFraction * 100,
            verdict: cell.verdict,
            reason: reasonText(cell, minN),
          },
        ],
  );
}

/** The chart of one scenario of one new run. */
export function scenarioChart(c: Comparison, newIndex: number, scenarioId: string, base: RunResult, next: RunResult): TopLevelSpec {
  const cells = c.cells.filter((x) => x.newIndex === newIndex && x.scenarioId === scenarioId);
  const overlay = overlayRows(cells, base, next);
  const shifts = shiftRows(cells, c.options.minN);
  const pct = Math.round(c.options.confidence * 100);
  const samplesPanel = {
    data: { values: overlay },
    facet: { column: { field: 'metric', type: 'nominal', title: null, header: { labelFontSize: 11 } } },
    spec: {
      width: 90,
      height: 200,
      encoding: {
        x: { field: 'run', type: 'nominal', title: null, sort: ['base', 'new'] },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        color: { field: 'run', type: 'nominal', title: 'run', scale: { domain: ['base', 'new'], range: ['#4c78a8', '#f58518'] } },
        tooltip: [
          { field: 'run', type: 'nominal' },
          { field: 'kind', type: 'nominal' },
          { field: 'value', type: 'quantitative', format: ',.4~f' },
        ],
      },
      layer: [
        { transform: [{ filter: "datum.kind === 'sample'" }], mark: { type: 'point', filled: true, size: 40, opacity: 0.6 } },
        { transform: [{ filter: "datum.kind === 'median'" }], mark: { type: 'tick', thickness: 3, size: 36, color: '#222' } },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
  const shiftPanel = {
    data: { values: shifts },
    width: 560,
    height: { step: 26 },
    encoding: { y: { field: 'metric', type: 'nominal', title: null } },
    layer: [
      {
        mark: { type: 'bar', opacity: 0.12, color: '#555', height: 18 },
        encoding: { x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' } },
        transform: [
          { calculate: '-datum.thresholdPct', as: 'lo' },
          { calculate: 'datum.thresholdPct', as: 'hi' },
        ],
      },
      {
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: {
          x: { field: 'lowerPct', type: 'quantitative', title: `shift of new against base (%), ${pct}% interval; grey band: threshold` },
          x2: { field: 'upperPct' },
          color: { field: 'verdict', type: 'nominal', scale: VERDICT_COLOURS, title: 'verdict' },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          x: { field: 'estimatePct', type: 'quantitative' },
          color: { field: 'verdict', type: 'nominal', scale: VERDICT_COLOURS },
          tooltip: [
            { field: 'metric', type: 'nominal' },
            { field: 'estimatePct', type: 'quantitative', title: 'shift %', format: '+.1f' },
            { field: 'lowerPct', type: 'quantitative', title: 'lower %', format: '+.1f' },
            { field: 'upperPct', type: 'quantitative', title: 'upper %', format: '+.1f' },
            { field: 'verdict', type: 'nominal' },
            { field: 'reason', type: 'nominal' },
          ],
        },
      },
      { mark: { type: 'rule', color: '#222', strokeDash: [3, 3] }, encoding: { x: { datum: 0 } } },
    ],
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: scenarioId, subtitle: 'dots: samples of each run · ticks: medians · below: shift with its interval', anchor: 'start', fontSize: 13 },
    config: { font: 'DejaVu Sans, Helvetica, Arial, sans-serif' },
    vconcat: shifts.length > 0 ? [samplesPanel, shiftPanel] : [samplesPanel],
    resolve: { scale: { color: 'independent' } },
  } as unknown as TopLevelSpec;
}
