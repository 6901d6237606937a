/**
 * Key findings: the ratios that matter between mechanisms, advices, target states, memory
 * layouts and the no-hint baseline, each with its confidence interval, as plain sentences.
 *
 * Which pairs: every two scenarios of the run that differ in exactly one dimension of the
 * matrix (mechanism, advice, target state, or one attribute of the memory layout), plus each
 * hinted scenario against the baseline with the same memory and target state. Which figure:
 * the ratio of the two scenarios' values of a headline metric (hint latency, re-touch time,
 * target stall), estimated by relativeShift (core/stats: Hodges–Lehmann shift of the logs,
 * exponentiated, with its rank-inversion interval) over the measured samples (warm-up
 * samples left out). A pair is stated only when its interval excludes 1 (a clear
 * difference); findings are ranked by the size of the effect, |log ratio|, at most
 * MAX_PER_DIMENSION per dimension and MAX_FINDINGS in all. Pure, no I/O.
 */
import type { SampleFieldName } from '../core/metrics.ts';
import { median } from '../core/stats/quantiles.ts';
import { relativeShift } from '../core/stats/relative-shift.ts';
import type { RunResult, Scenario, ScenarioResult } from '../core/types.ts';
import { isHintScenario } from './families.ts';
import { fieldValues, measuredSamples, REPORT_CONFIDENCE } from './sample-stats.ts';
import { formatBytes, formatDurationNs, formatRatio } from './units.ts';

/** Dimension two compared scenarios differ in. */
export type FindingDimension = 'mechanism' | 'advice' | 'target state' | 'memory' | 'hint vs no hint';

/** One key finding. */
export interface Finding {
  /** The dimension the two scenarios differ in. */
  dimension: FindingDimension;
  /** The metric compared. */
  field: SampleFieldName;
  /** Scenario id of the larger side (numerator). */
  numeratorId: string;
  /** Scenario id of the smaller side (denominator). */
  denominatorId: string;
  /** Medians of both sides, in the metric's unit. */
  numeratorMedian: number;
  denominatorMedian: number;
  /** Estimated ratio numerator / denominator (>= 1). */
  ratio: number;
  /** Confidence interval of the ratio. */
  lower: number;
  upper: number;
  /** Confidence the interval achieves (fraction): below 0.95 when the samples are too few. */
  confidence: number;
  /** Samples on each side. */
  nNumerator: number;
  nDenominator: number;
  /** The finding as one plain sentence. */
  sentence: string;
}

/** Key findings and how many clear-cut pairs were left out by the caps. */
export interface Findings {
  /** Stated findings, largest effect first. */
  findings: Finding[];
  /** Pairs whose interval excludes 1 but that the caps left out. */
  omitted: number;
  /** Pairs compared whose interval includes 1 (no clear difference). */
  unclear: number;
}

/** At most this many findings are stated. */
export const MAX_FINDINGS = 8;
/** At most this many findings of one dimension. */
export const MAX_PER_DIMENSION = 3;

/** The headline metrics findings compare, with how a larger value reads. */
const FINDING_METRICS: readonly { field: SampleFieldName; noun: string; larger: string }[] = [
  { field: 'userLatencyNs', noun: 'hint', larger: 'slower' },
  { field: 'retouchNs', noun: 're-touch', larger: 'slower' },
  { field: 'stallNs', noun: 'target stall', larger: 'longer' },
];

/** Advice as mm engineers write it. */
function adviceName(advice: string): string {
  return advice.toUpperCase();
}

/** A workload size in MiB as people read it: `256 MiB`, `4 KiB` for a one-page workload. */
function sizeWords(sizeMiB: number): string {
  return Number.isInteger(sizeMiB) ? `${sizeMiB} MiB` : formatBytes(sizeMiB * 2 ** 20);
}

/** Memory layout in words: `256 MiB random` (`, 4 VMAs` when split). */
export function memoryWords(s: Scenario): string {
  const vmas = s.memory.vmas > 1 ? `, ${s.memory.vmas} VMAs` : '';
  const kind = s.memory.kind === 'anon' ? '' : ` ${s.memory.kind}`;
  return `${sizeWords(s.memory.sizeMiB)}${kind} ${s.memory.content}${vmas}`;
}

/** The memory attributes two scenarios differ in. */
function memoryDifferences(a: Scenario, b: Scenario): string[] {
  return (['kind', 'content', 'sizeMiB', 'vmas'] as const).filter((k) => a.memory[k] !== b.memory[k]);
}

/** How two scenarios relate: the one dimension they differ in, or null. */
function pairDimension(a: Scenario, b: Scenario): FindingDimension | null {
  const aBase = a.mechanism === 'none';
  const bBase = b.mechanism === 'none';
  const mem = memoryDifferences(a, b);
  const sameState = a.targetState === b.targetState;
  if (aBase || bBase) return aBase !== bBase && mem.length === 0 && sameState ? 'hint vs no hint' : null;
  const diffs = [a.mechanism !== b.mechanism, a.advice !== b.advice, !sameState, mem.length > 0].filter(Boolean).length;
  if (diffs !== 1 || mem.length > 1) return null;
  if (a.mechanism !== b.mechanism) return 'mechanism';
  if (a.advice !== b.advice) return 'advice';
  if (!sameState) return 'target state';
  return 'memory';
}

/** What the pair has in common, leading the sentence. */
function context(dim: FindingDimension, s: Scenario): string {
  const state = `${s.targetState} target`;
  switch (dim) {
    case 'mechanism':
      return `${adviceName(s.advice)}, ${memoryWords(s)}, ${state}`;
    case 'advice':
      return `${s.mechanism}, ${memoryWords(s)}, ${state}`;
    case 'target state':
      return `${s.mechanism} ${adviceName(s.advice)}, ${memoryWords(s)}`;
    case 'memory':
      return `${s.mechanism} ${adviceName(s.advice)}, ${state}`;
    case 'hint vs no hint':
      return `${memoryWords(s)}, ${state}`;
  }
}

/** What distinguishes one side, as a phrase after the comparison word. */
function sidePhrase(dim: FindingDimension, s: Scenario, other: Scenario): string {
  switch (dim) {
    case 'mechanism':
      return `via ${s.mechanism}`;
    case 'advice':
      return `with ${adviceName(s.advice)}`;
    case 'target state':
      return `with a ${s.targetState} target`;
    case 'memory': {
      const k = memoryDifferences(s, other)[0];
      if (k === 'sizeMiB') return `on ${sizeWords(s.memory.sizeMiB)}`;
      if (k === 'vmas') return `over ${s.memory.vmas} VMA${s.memory.vmas === 1 ? '' : 's'}`;
      if (k === 'content') return `on ${s.memory.content} pages`;
      return `on ${s.memory.kind} memory`;
    }
    case 'hint vs no hint':
      return s.mechanism === 'none' ? 'with no hint' : `after ${s.mechanism} ${adviceName(s.advice)}`;
  }
}

/** A confidence as the sentence gives it: `95 %`, or the lower achieved figure. */
function confidenceWords(confidence: number): string {
  return confidence >= REPORT_CONFIDENCE - 1e-12 ? `${REPORT_CONFIDENCE * 100} %` : `${Math.floor(confidence * 1000) / 10} %`;
}

/** Compares one metric between two scenarios; null when either side has no positive values or the interval includes 1. */
function compare(dim: FindingDimension, metric: (typeof FINDING_METRICS)[number], a: ScenarioResult, b: ScenarioResult): { finding: Finding | null; clear: boolean } | null {
  const va = fieldValues(measuredSamples(a), metric.field);
  const vb = fieldValues(measuredSamples(b), metric.field);
  if (va.length < 2 || vb.length < 2 || ![...va, ...vb].every((v) => v > 0)) return null;
  let shift = relativeShift(vb, va, REPORT_CONFIDENCE);
  let [num, den, vNum, vDen] = [a, b, va, vb];
  if ((shift.estimate ?? 0) < 0) {
    shift = relativeShift(va, vb, REPORT_CONFIDENCE);
    [num, den, vNum, vDen] = [b, a, vb, va];
  }
  if (shift.estimate === null || shift.lower === null || shift.upper === null) return null;
  const ratio = 1 + shift.estimate;
  const lower = 1 + shift.lower;
  const upper = 1 + shift.upper;
  if (lower <= 1) return { finding: null, clear: false };
  const medNum = median(vNum);
  const medDen = median(vDen);
  const sentence =
    `${context(dim, num.scenario)}: ${metric.noun} ${formatRatio(ratio)} ${metric.larger} ${sidePhrase(dim, num.scenario, den.scenario)} ` +
    `than ${sidePhrase(dim, den.scenario, num.scenario)} (median ${formatDurationNs(medNum)} vs ${formatDurationNs(medDen)}; ` +
    `${confidenceWords(shift.interval.achievedConfidence)} CI ${formatRatio(lower)}–${formatRatio(upper)}; n = ${vNum.length} and ${vDen.length})`;
  return {
    clear: true,
    finding: {
      dimension: dim,
      field: metric.field,
      numeratorId: num.scenario.id,
      denominatorId: den.scenario.id,
      numeratorMedian: medNum,
      denominatorMedian: medDen,
      ratio,
      lower,
      upper,
      confidence: shift.interval.achievedConfidence,
      nNumerator: vNum.length,
      nDenominator: vDen.length,
      sentence,
    },
  };
}

/** Every finding of a run, ranked and capped (see the module doc). */
export function keyFindings(run: RunResult, maxFindings = MAX_FINDINGS, maxPerDimension = MAX_PER_DIMENSION): Findings {
  // Pressure scenarios have findings of their own (strategy.ts).
  const results = run.scenarios.filter((r) => isHintScenario(r.scenario) && measuredSamples(r).length > 0);
  const clear: Finding[] = [];
  let unclear = 0;
  for (let i = 0; i < results.length; i++) {
    for (let j = i + 1; j < results.length; j++) {
      const a = results[i]!;
      const b = results[j]!;
      const dim = pairDimension(a.scenario, b.scenario);
      if (dim === null) continue;
      for (const metric of FINDING_METRICS) {
        const c = compare(dim, metric, a, b);
        if (c === null) continue;
        if (c.finding !== null) clear.push(c.finding);
        else unclear++;
      }
    }
  }
  clear.sort((x, y) => Math.log(y.ratio) - Math.log(x.ratio) || x.sentence.localeCompare(y.sentence));
  // Largest effects first, but every dimension gets up to two findings before any gets a third.
  const findings: Finding[] = [];
  for (const cap of [Math.min(2, maxPerDimension), maxPerDimension]) {
    for (const f of clear) {
      if (findings.length >= maxFindings) break;
      if (findings.includes(f) || findings.filter((x) => x.dimension === f.dimension).length >= cap) continue;
      findings.push(f);
    }
  }
  findings.sort((x, y) => clear.indexOf(x) - clear.indexOf(y));
  return { findings, omitted: clear.length - findings.length, unclear };
}

/** One line under the findings saying what was left out, or null when nothing was. */
export function findingsFootnote(f: Findings): string | null {
  const parts: string[] = [];
  if (f.omitted > 0) parts.push(`${f.omitted} further clear difference${f.omitted === 1 ? '' : 's'} not listed (smaller effects)`);
  if (f.unclear > 0) parts.push(`${f.unclear} compared pair${f.unclear === 1 ? '' : 's'} with no clear difference (interval includes 1×)`);
  return parts.length === 0 ? null : `${parts.join('; ')}.`;
}
