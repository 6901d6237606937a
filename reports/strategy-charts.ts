/**
 * The charts of the strategy view (pressure runs, docs/lab.md), Vega-Lite like the others:
 *
 * - strategy cost: memory freed by the hint (x) against what it cost under pressure (y: hot-set
 *   refaults, target stall, hot access p99), one panel per cost, one dot per measured sample,
 *   and each strategy's medians as a cross whose arms are the two 95 % median CIs;
 * - pressure timeline: per strategy, every sample's series through the pressure phase:
 *   workload RSS, swap and the cgroup's usage (MiB, left axis), refaults and reclaim passes
 *   since the phase began (right axis).
 *
 * A panel or series with no value in any sample is left out (hint-only runs get neither chart).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { SampleFieldName } from '../core/metrics.ts';
import { medianCi } from '../core/stats/median-ci.ts';
import type { ScenarioResult, RunResult } from '../core/types.ts';
// charts.ts lists these charts in buildCharts(): only types and functions are imported from it, used at call time.
import { type AxisKind, type ChartSpec, labelExpr, PANEL_WIDTH_PX, titleLines, wantsLogScale, logTicks } from './chart-kit.ts';
import { pressureResults } from './families.ts';
import { measuredSamples, REPORT_CONFIDENCE } from './sample-stats.ts';
import { pressureConfig, strategyLabel } from './strategy.ts';

/** One mark of the strategy cost chart: a sample, or a strategy's medians with both CIs. */
export interface StrategyCostRow {
  kind: 'sample' | 'median';
  /** Colour: the strategy. */
  strategy: string;
  /** Panel: the cost. */
  panel: string;
  /** Memory freed by the hint, MiB. */
  freedMiB: number;
  /** The cost, in its panel's unit (ns for times). */
  cost: number;
  /** CI of the freed median (medians only). */
  freedLower: number | null;
  freedUpper: number | null;
  /** CI of the cost median (medians only). */
  costLower: number | null;
  costUpper: number | null;
  scenario: string;
  repetition: number | null;
}

/** The costs the chart plots against memory freed, one panel each. */
export const COST_PANELS: readonly { field: SampleFieldName; panel: string; axis: AxisKind; axisTitle: string }[] = [
  { field: 'hotRefaultPages', panel: 'hot-set pages refaulted under pressure (the strategy took memory the workload still needed)', axis: 'count', axisTitle: 'hot-set refaults' },
  { field: 'stallNs', panel: 'target stall: time the hint kept the target in ptrace stops', axis: 'time', axisTitle: 'target stall' },
  { field: 'accessP99Ns', panel: 'hot-set page read latency under pressure, 99th percentile', axis: 'time', axisTitle: 'hot access p99' },
];

const MiB = 2 ** 20;

/** Colours of the strategies, in order of appearance (Okabe–Ito, colour-blind safe). */
const STRATEGY_COLOURS = ['#555555', '#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#F0E442', '#000000'];

/** Per-sample (freed, cost) pairs of a scenario: samples with both values. */
function pairs(r: ScenarioResult, field: SampleFieldName): { freedMiB: number; cost: number; repetition: number }[] {
  return measuredSamples(r).flatMap((s) => {
    const cost = (s as Record<string, unknown>)[field];
    if (s.hintFreedBytes === null || typeof cost !== 'number' || !Number.isFinite(cost)) return [];
    return [{ freedMiB: s.hintFreedBytes / MiB, cost, repetition: s.repetition }];
  });
}

/** Colour scale over the strategies present. */
function strategyColour(strategies: readonly string[]): object {
  return {
    field: 'strategy',
    type: 'nominal',
    title: 'strategy',
    scale: { domain: [...strategies], range: strategies.map((_, i) => STRATEGY_COLOURS[i % STRATEGY_COLOURS.length]!) },
    legend: { orient: 'bottom', direction: 'vertical', labelLimit: 400 },
  };
}

/** Shared chart furniture. */
function frame(title: string, subtitle: string, values: readonly object[]): object {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: titleLines(title), subtitle, anchor: 'start', fontSize: 14, subtitleFontSize: 11 },
    data: { values },
    config: { font: 'DejaVu Sans, Helvetica, Arial, sans-serif', axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11 } },
  };
}

/** Subtitle of the strategy cost chart. */
export const COST_SUBTITLE = `dots: one per sample · cross: the strategy's medians, arms their ${REPORT_CONFIDENCE * 100} % CIs`;

/** Memory freed against cost, per strategy (see the module doc); null when no pressure sample has a freed figure and a cost. */
export function strategyCostChart(run: RunResult): ChartSpec | null {
  const results = pressureResults(run);
  const rows: StrategyCostRow[] = [];
  for (const p of COST_PANELS) {
    for (const r of results) {
      const strategy = strategyLabel(r.scenario);
      const xs = pairs(r, p.field);
      const base = { strategy, panel: p.panel, scenario: r.scenario.id };
      for (const x of xs)
        rows.push({ ...base, kind: 'sample', freedMiB: x.freedMiB, cost: x.cost, freedLower: null, freedUpper: null, costLower: null, costUpper: null, repetition: x.repetition });
      const fx = medianCi(
        xs.map((x) => x.freedMiB),
        REPORT_CONFIDENCE,
      );
      const cy = medianCi(
        xs.map((x) => x.cost),
        REPORT_CONFIDENCE,
      );
      if (fx !== null && cy !== null)
        rows.push({
          ...base,
          kind: 'median',
          freedMiB: fx.median,
          cost: cy.median,
          freedLower: fx.lower,
          freedUpper: fx.upper,
          costLower: cy.lower,
          costUpper: cy.upper,
          repetition: null,
        });
    }
  }
  if (rows.length === 0) return null;
  const strategies = [...new Set(rows.map((r) => r.strategy))];
  const colour = strategyColour(strategies);
  const tooltip = [
    { field: 'strategy', type: 'nominal' },
    { field: 'kind', type: 'nominal', title: 'mark' },
    { field: 'repetition', type: 'quantitative' },
    { field: 'freedMiB', type: 'quantitative', title: 'freed (MiB)', format: '.1f' },
    { field: 'cost', type: 'quantitative', format: '~r' },
  ];
  const panels = COST_PANELS.filter((p) => rows.some((r) => r.panel === p.panel)).map((p) => {
    const mine = rows.filter((r) => r.panel === p.panel);
    const ys = mine.flatMap((r) => [r.cost, ...(r.costLower === null ? [] : [r.costLower, r.costUpper!])]);
    const log = wantsLogScale(ys);
    const yAxis = { title: `${p.axisTitle}${log ? ' (log scale)' : ''}`, labelExpr: labelExpr(p.axis), grid: true };
    const y = log
      ? {
          scale: { type: 'log', domain: [Math.min(...ys) / 1.3, Math.max(...ys) * 1.3], nice: false },
          axis: { ...yAxis, values: logTicks(Math.min(...ys) / 1.3, Math.max(...ys) * 1.3) },
        }
      : { scale: { zero: true }, axis: { ...yAxis, tickCount: 6 } };
    return {
      title: { text: titleLines(p.panel), fontSize: 12, anchor: 'start' },
      width: PANEL_WIDTH_PX,
      height: 200,
      transform: [{ filter: { field: 'panel', equal: p.panel } }],
      layer: [
        {
          transform: [{ filter: "datum.kind === 'sample'" }],
          mark: { type: 'point', filled: true, size: 42, opacity: 0.7 },
          encoding: {
            x: { field: 'freedMiB', type: 'quantitative', title: 'memory freed by the hint (MiB)', scale: { zero: true } },
            y: { field: 'cost', type: 'quantitative', ...y },
            color: colour,
            tooltip,
          },
        },
        {
          transform: [{ filter: "datum.kind === 'median'" }],
          mark: { type: 'rule', strokeWidth: 2 },
          encoding: { x: { field: 'freedLower', type: 'quantitative' }, x2: { field: 'freedUpper' }, y: { field: 'cost', type: 'quantitative' }, color: colour },
        },
        {
          transform: [{ filter: "datum.kind === 'median'" }],
          mark: { type: 'rule', strokeWidth: 2 },
          encoding: { x: { field: 'freedMiB', type: 'quantitative' }, y: { field: 'costLower', type: 'quantitative' }, y2: { field: 'costUpper' }, color: colour },
        },
        {
          transform: [{ filter: "datum.kind === 'median'" }],
          mark: { type: 'point', shape: 'cross', size: 120, filled: true },
          encoding: { x: { field: 'freedMiB', type: 'quantitative' }, y: { field: 'cost', type: 'quantitative' }, color: colour, tooltip },
        },
      ],
    };
  });
  const configs = [...new Set(results.map((r) => pressureConfig(r.scenario.pressure!)))];
  const title = `Strategies: memory freed against cost under pressure: ${configs.join('; ')}`;
  const spec = { ...frame(title, COST_SUBTITLE, rows), vconcat: panels, resolve: { scale: { color: 'shared', x: 'shared', y: 'independent' } } };
  return { name: 'strategy-cost', title, spec: spec as TopLevelSpec };
}

/** One point of one series of one sample's pressure timeline. */
export interface TimelineRow {
  /** Panel: the strategy (and its configuration when the run has several). */
  panel: string;
  /** Which line: `RSS`, `swap`, `cgroup usage`, `refaults`, `reclaim passes`. */
  series: string;
  /** `memory` (MiB, left axis) or `events` (count, right axis). */
  measure: 'memory' | 'events';
  /** The sample (one line per sample and series). */
  repetition: number;
  tMs: number;
  value: number;
  scenario: string;
}

/** The series of the timeline chart, in legend order. */
export const TIMELINE_SERIES = ['RSS', 'swap', 'cgroup usage', 'refaults', 'reclaim passes'] as const;

/** The subtitle of the timeline chart. */
export const TIMELINE_SUBTITLE = 'one line per sample and series · solid: memory (MiB, left axis) · dashed: events since the pressure began (right axis)';

/** The pressure timeline per strategy (see the module doc); null when no pressure sample has a timeline. */
export function pressureTimelineChart(run: RunResult): ChartSpec | null {
  const results = pressureResults(run);
  const configs = new Set(results.map((r) => pressureConfig(r.scenario.pressure!)));
  const rows: TimelineRow[] = [];
  for (const r of results) {
    const panel = configs.size > 1 ? `${strategyLabel(r.scenario)}, ${pressureConfig(r.scenario.pressure!)}` : strategyLabel(r.scenario);
    for (const s of measuredSamples(r)) {
      for (const p of s.pressureTimeline ?? []) {
        const base = { panel, repetition: s.repetition, tMs: p.tMs, scenario: r.scenario.id };
        rows.push({ ...base, series: 'RSS', measure: 'memory', value: p.rssBytes / MiB });
        rows.push({ ...base, series: 'swap', measure: 'memory', value: p.swapBytes / MiB });
        rows.push({ ...base, series: 'cgroup usage', measure: 'memory', value: p.cgroupUsageBytes / MiB });
        if (p.refaultPages !== null) rows.push({ ...base, series: 'refaults', measure: 'events', value: p.refaultPages });
        if (p.reclaimEvents !== null) rows.push({ ...base, series: 'reclaim passes', measure: 'events', value: p.reclaimEvents });
      }
    }
  }
  if (rows.length === 0) return null;
  const present = TIMELINE_SERIES.filter((x) => rows.some((r) => r.series === x));
  const colour = {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: { domain: present, range: present.map((x) => ({ RSS: '#0072B2', swap: '#D55E00', 'cgroup usage': '#009E73', refaults: '#CC79A7', 'reclaim passes': '#E69F00' })[x]) },
    legend: { orient: 'bottom', direction: 'horizontal' },
  };
  const tooltip = [
    { field: 'scenario', type: 'nominal' },
    { field: 'repetition', type: 'quantitative' },
    { field: 'series', type: 'nominal' },
    { field: 'tMs', type: 'quantitative', title: 'ms', format: '.0f' },
    { field: 'value', type: 'quantitative', format: ',.1f' },
  ];
  const x = { field: 'tMs', type: 'quantitative', title: 'time since the pressure began (ms)' };
  const hasEvents = rows.some((r) => r.measure === 'events');
  const panels = [...new Set(rows.map((r) => r.panel))].map((panel) => ({
    title: { text: titleLines(panel), fontSize: 12, anchor: 'start' },
    width: PANEL_WIDTH_PX,
    height: 160,
    transform: [{ filter: { field: 'panel', equal: panel } }],
    layer: [
      {
        transform: [{ filter: "datum.measure === 'memory'" }],
        mark: { type: 'line', strokeWidth: 1.5, opacity: 0.7 },
        encoding: { x, y: { field: 'value', type: 'quantitative', title: 'MiB', axis: { grid: true } }, color: colour, detail: { field: 'repetition', type: 'nominal' }, tooltip },
      },
      ...(hasEvents
        ? [
            {
              transform: [{ filter: "datum.measure === 'events'" }],
              mark: { type: 'line', strokeWidth: 1.5, strokeDash: [4, 3], opacity: 0.7 },
              encoding: {
                x,
                y: { field: 'value', type: 'quantitative', title: 'events since the pressure began', axis: { orient: 'right', grid: false, labelExpr: labelExpr('count') } },
                color: colour,
                detail: { field: 'repetition', type: 'nominal' },
                tooltip,
              },
            },
          ]
        : []),
    ],
    resolve: { scale: { y: 'independent' } },
  }));
  const title = `Pressure timeline per strategy: ${[...configs].join('; ')}`;
  const spec = { ...frame(title, TIMELINE_SUBTITLE, rows), vconcat: panels, resolve: { scale: { color: 'shared' } } };
  return { name: 'pressure-timeline', title, spec: spec as TopLevelSpec };
}
