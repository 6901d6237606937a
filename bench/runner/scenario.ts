import type { Attribution, AttributionWindow } from '../../core/attribution.ts';
import { reclaimInWindow } from '../../core/reclaim-attribution.ts';
import { summariesOf } from '../../core/schema/migrate.ts';
import { RETOUCH_COMM } from '../../workloads/protocol.ts';
import type { ProbeFacts, Sample, Scenario, ScenarioResult, ScenarioStatus } from '../../core/types.ts';
import type { SampleDraft } from './sample-draft.ts';
import { scenarioWarnings, type SampleReclaim } from './warnings.ts';

/** Progress callback: `step` lines describe the sample just finished (a terminal shows them as one live line), `block` lines end a block, `note` lines stand alone. */
export type ProgressFn = (line: string, kind: 'step' | 'block' | 'note') => void;

/** What one scenario has gathered so far in a run. */
export class ScenarioState {
  /** Samples with their probe figures, warm-up first, in the order they ran. */
  readonly samples: Sample[] = [];
  /** Samples of the block in progress, not yet attributed. */
  readonly pending: SampleDraft[] = [];
  /** Warnings of the probe sessions and attribution (already worded). */
  readonly probeWarnings: string[] = [];
  /** Reclaim by others during each sample. */
  readonly reclaim: SampleReclaim[] = [];
  /** Why the scenario could not go on (its mechanism could not be made, ...); null while it can. */
  failure: string | null = null;

  constructor(readonly scenario: Scenario) {}

  /** Index the next sample will have. */
  nextIndex(): number {
    return this.samples.length + this.pending.length;
  }

  /** Measured (not warm-up) samples, attributed or pending. */
  measuredCount(): number {
    return this.samples.filter((s) => !s.warmUp).length + this.pending.filter((d) => !d.sample.warmUp).length;
  }

  /** Adds a finished repetition of the block in progress. */
  addPending(draft: SampleDraft): void {
    if (draft.backgroundReclaimPages > 0) this.reclaim.push({ index: this.nextIndex(), pages: draft.backgroundReclaimPages });
    this.pending.push(draft);
  }

  /**
   * Moves the block's repetitions into `samples`, with their probe figures when attributed
   * (one per pending draft, in order); a sample with a pressure window also gets the reclaim
   * passes of that window from `facts` (core/reclaim-attribution.ts).
   */
  settle(figures: readonly Attribution[] | null, facts: Pick<ProbeFacts, 'reclaims' | 'reclaimThrottles'> | null = null): void {
    for (const [i, d] of this.pending.entries()) {
      const a = figures?.[i];
      let sample = a === undefined ? d.sample : withProbeFigures(d.sample, a);
      if (facts !== null && d.pressureWindow !== null) sample = { ...sample, ...reclaimInWindow(facts, d.pressureWindow, sample.pressureTimeline) };
      this.samples.push(sample);
    }
    this.pending.length = 0;
  }

  /** The attribution windows of the pending repetitions. */
  pendingWindows(): AttributionWindow[] {
    return this.pending.map((d) => windowOf(d, this.scenario));
  }

  /** The result as results.json holds it: samples so far (pending ones without probe figures), summaries and warnings. */
  result(status: ScenarioStatus, error: string | null, extraWarnings: readonly string[] = []): ScenarioResult {
    const samples = [...this.samples, ...this.pending.map((d) => d.sample)];
    const summary = summariesOf(samples);
    const warnings = [...extraWarnings, ...this.probeWarnings, ...scenarioWarnings({ samples, summary }, { reclaim: this.reclaim, scenario: this.scenario })];
    return { scenario: this.scenario, status, error, samples, summary, warnings };
  }
}

/** The attribution window of one repetition: its hint, and its target for stalls, re-touch faults and EINTRs. */
function windowOf(draft: SampleDraft, scenario: Scenario): AttributionWindow {
  return {
    label: draft.sample.warmUp ? 'warm-up' : `repetition ${draft.sample.repetition}`,
    ...draft.hintWindow,
    tid: draft.syscallTid,
    syscalls: draft.attributedSyscalls ?? draft.sample.syscalls,
    target: { pid: draft.sample.pid, tids: draft.targetTids, retouchComm: RETOUCH_COMM, measureStall: scenario.mechanism === 'ptrace' },
  };
}

/** A sample with its probe figures filled in (the draft is not changed). */
function withProbeFigures(sample: Sample, a: Attribution): Sample {
  return {
    ...sample,
    errors: [...sample.errors],
    probeSyscalls: a.probeSyscalls,
    kernelLatencyNs: a.kernelLatencyNs,
    reclaimedPages: a.reclaimedPages,
    stallNs: a.stallNs,
    retouchMajorFaultsProbe: a.retouchMajorFaultsProbe,
    targetEintr: a.targetEintr ?? 0,
    ...a.explain,
  };
}

/** One line on a finished sample, for progress. */
export function describeSample(s: Sample): string {
  const parts: string[] = [];
  if (s.userLatencyNs !== null) parts.push(`hint ${(s.userLatencyNs / 1e6).toFixed(2)} ms`);
  // Families without a re-touch (the race, the fleet) leave it at 0.
  if (s.retouchNs > 0) parts.push(`re-touch ${(s.retouchNs / 1e6).toFixed(1)} ms`);
  if (s.errors.length > 0) parts.push(`ERROR ${s.errors[0]}`);
  return parts.join(', ');
}

/** An error's message on one line. */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' | ');
}
