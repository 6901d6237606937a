import { EXPLAIN_SCRIPTS } from '../../bpf/scripts.ts';
import { availableScripts, startProbeSession, type ProbeSession } from '../../bpf/session.ts';
import { RETOUCH_COMM } from '../../workloads/protocol.ts';
import { createMechanism } from '../mechanisms/index.ts';
import type { Mechanism } from '../mechanisms/mechanism.ts';
import { attribute, type Attribution, type AttributionWindow } from '../../core/attribution.ts';
import { SUMMARISED_FIELDS } from '../../core/metrics.ts';
import { summarizeFields } from '../../core/stats/summary.ts';
import type { MechanismName, Sample, Scenario, ScenarioResult, ScenarioStatus } from '../../core/types.ts';
import { runRepetition, type SampleDraft } from './repetition.ts';

/** Progress callback: one line per finished repetition. */
export type ProgressFn = (line: string) => void;

/** Options of runScenario(). */
export interface ScenarioOptions {
  signal?: AbortSignal;
  progress?: ProgressFn;
  /** Prefix of progress lines, e.g. `[3/10]`. */
  label?: string;
  /**
   * Called after every finished repetition, before its progress line, with the scenario's
   * result so far (status `interrupted`, probe figures not yet attributed): the caller writes
   * it, so that a run killed at any instant keeps every repetition it reported.
   */
  onRepetition?: (soFar: ScenarioResult) => void;
  /** Makes the scenario's mechanism; default createMechanism (tests pass a fake). */
  createMechanism?: (name: MechanismName) => Promise<Mechanism>;
  /** bpftrace binary of the probe session; default `bpftrace` from PATH (tests pass a stand-in). */
  bpftracePath?: string;
}

function describeSample(s: Sample): string {
  const parts: string[] = [];
  if (s.userLatencyNs !== null) parts.push(`hint ${(s.userLatencyNs / 1e6).toFixed(2)} ms`);
  parts.push(`re-touch ${(s.retouchNs / 1e6).toFixed(1)} ms, ${s.retouchMajorFaults} major faults`);
  if (s.errors.length > 0) parts.push(`ERROR ${s.errors[0]}`);
  return parts.join(', ');
}

/** The attribution window of one repetition: its hint, and its target for stalls, re-touch faults and EINTRs. */
function windowOf(draft: SampleDraft, scenario: Scenario): AttributionWindow {
  return {
    label: `repetition ${draft.sample.repetition}`,
    ...draft.hintWindow,
    tid: draft.syscallTid,
    syscalls: draft.sample.syscalls,
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

/** An error's message on one line (a scenario's error is printed as one progress line). */
function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' | ');
}

/** Why an abort happened, as text (`interrupted by SIGINT`). */
function abortText(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : 'interrupted';
}

/** The result of a scenario whose samples are `samples`, with summaries. */
function resultOf(scenario: Scenario, status: ScenarioStatus, error: string | null, samples: Sample[], warnings: string[]): ScenarioResult {
  return { scenario, status, error, samples, summary: summarizeFields(samples, SUMMARISED_FIELDS), warnings };
}

/** The scenario as written while it runs: finished repetitions without probe figures. */
function inProgress(scenario: Scenario, drafts: readonly SampleDraft[]): ScenarioResult {
  return resultOf(
    scenario,
    'interrupted',
    `the run ended during this scenario after ${drafts.length} of ${scenario.repetitions} repetitions`,
    drafts.map((d) => d.sample),
    ['written while the scenario ran: probe figures (kernelLatencyNs, reclaimedPages, retouchMajorFaultsProbe, stallNs, targetEintr) are not attributed'],
  );
}

/**
 * Runs every repetition of one scenario inside one probe session, then attributes the
 * probes' figures to the samples and summarises them. A scenario that cannot start (no
 * mechanism, probes fail) becomes a `failed` result with the reason, not an exception.
 * An abort (Ctrl-C) ends it after the step in progress: the mechanism and the probe session
 * are stopped, the finished repetitions get their probe figures when the session stopped
 * cleanly, and the result comes back with status `interrupted` (the caller rethrows the abort).
 * An error thrown by `onRepetition` (results could not be saved) is rethrown after clean-up.
 */
export async function runScenario(scenario: Scenario, opts: ScenarioOptions = {}): Promise<ScenarioResult> {
  let status: ScenarioStatus = 'ok';
  let error: string | null = null;
  const warnings: string[] = [];
  const samples: Sample[] = [];
  let session: ProbeSession | null = null;
  let mechanism: Mechanism | null = null;
  const drafts: SampleDraft[] = [];
  /** A failure to save a finished repetition: it ends the run, not just the scenario. */
  let saveError: unknown = null;
  try {
    mechanism = await (opts.createMechanism ?? createMechanism)(scenario.mechanism);
    const explain = availableScripts(Object.values(EXPLAIN_SCRIPTS));
    for (const s of explain.skipped) warnings.push(`probe ${s.name}.bt not run: this kernel lacks tracepoint(s) ${s.missing.join(', ')}; its figures are null`);
    session = await startProbeSession({
      scripts: ['hint-latency-batch', 'refaults', 'stall', 'eintr', ...explain.scripts],
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.bpftracePath === undefined ? {} : { bpftracePath: opts.bpftracePath }),
    });
    for (let rep = 0; rep < scenario.repetitions; rep++) {
      opts.signal?.throwIfAborted();
      const draft = await runRepetition(scenario, mechanism, rep, opts.signal);
      drafts.push(draft);
      try {
        opts.onRepetition?.(inProgress(scenario, drafts));
      } catch (err) {
        saveError = err;
        throw err;
      }
      opts.progress?.(`${opts.label ?? ''} ${scenario.id} rep ${rep + 1}/${scenario.repetitions}: ${describeSample(draft.sample)}`.trim());
    }
  } catch (err) {
    if (saveError !== null) {
      status = 'failed';
      error = oneLine(err);
    } else if (opts.signal?.aborted) {
      if (drafts.length < scenario.repetitions) {
        status = 'interrupted';
        error = `${abortText(opts.signal)} after ${drafts.length} of ${scenario.repetitions} repetitions`;
      }
    } else {
      status = 'failed';
      error = oneLine(err);
    }
  }
  await mechanism?.dispose().catch((err: unknown) => warnings.push(`mechanism did not shut down cleanly: ${err instanceof Error ? err.message : String(err)}`));
  if (session !== null) {
    try {
      const facts = await session.stop();
      warnings.push(...facts.warnings);
      const attributed = attribute(
        facts,
        drafts.map((d) => windowOf(d, scenario)),
      );
      for (const [i, d] of drafts.entries()) samples.push(withProbeFigures(d.sample, attributed.figures[i]!));
      warnings.push(...attributed.warnings);
    } catch (err) {
      samples.push(...drafts.map((d) => d.sample));
      warnings.push(`probe session failed to stop cleanly: ${err instanceof Error ? err.message : String(err)}; probe figures are not attributed`);
    }
  }
  if (saveError !== null) throw saveError;
  if (status === 'ok' && samples.some((s) => s.errors.length > 0)) status = 'partial';
  return resultOf(scenario, status, error, samples, warnings);
}
