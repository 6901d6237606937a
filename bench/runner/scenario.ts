import { startProbeSession, type ProbeSession } from '../../bpf/session.ts';
import { RETOUCH_COMM } from '../../workloads/protocol.ts';
import { createMechanism } from '../mechanisms/index.ts';
import type { Mechanism } from '../mechanisms/mechanism.ts';
import { summarizeFields } from '../stats/summary.ts';
import type { Sample, Scenario, ScenarioResult } from '../types.ts';
import { attribute } from './attribute.ts';
import { runRepetition, type SampleDraft } from './repetition.ts';

/** Sample fields that get summary statistics. */
export const SUMMARIZED_FIELDS = [
  'userLatencyNs',
  'kernelLatencyNs',
  'bytesAdvised',
  'reclaimedPages',
  'rssBeforeBytes',
  'rssAfterBytes',
  'swapBeforeBytes',
  'swapAfterBytes',
  'pswpoutDeltaPages',
  'pswpinDeltaPages',
  'retouchNs',
  'retouchMajorFaults',
  'retouchMajorFaultsProbe',
  'stallNs',
  'injectorStopNs',
  'callerCpuNs',
  'targetCpuNs',
  'targetEintr',
] as const satisfies readonly (keyof Sample)[];

/** Progress callback: one line per finished repetition. */
export type ProgressFn = (line: string) => void;

/** Options of runScenario(). */
export interface ScenarioOptions {
  signal?: AbortSignal;
  progress?: ProgressFn;
  /** Prefix of progress lines, e.g. `[3/10]`. */
  label?: string;
}

function describeSample(s: Sample): string {
  const parts: string[] = [];
  if (s.userLatencyNs !== null) parts.push(`hint ${(s.userLatencyNs / 1e6).toFixed(2)} ms`);
  parts.push(`re-touch ${(s.retouchNs / 1e6).toFixed(1)} ms, ${s.retouchMajorFaults} major faults`);
  if (s.errors.length > 0) parts.push(`ERROR ${s.errors[0]}`);
  return parts.join(', ');
}

/**
 * Runs every repetition of one scenario inside one probe session, then attributes the
 * probes' figures to the samples and summarises them. A scenario that cannot start (no
 * mechanism, probes fail) becomes a `failed` result with the reason, not an exception;
 * an abort (Ctrl-C) rethrows after the probe session is stopped.
 */
export async function runScenario(scenario: Scenario, opts: ScenarioOptions = {}): Promise<ScenarioResult> {
  const result: ScenarioResult = { scenario, status: 'ok', error: null, samples: [], summary: {}, warnings: [] };
  let session: ProbeSession | null = null;
  let mechanism: Mechanism | null = null;
  const drafts: SampleDraft[] = [];
  try {
    mechanism = await createMechanism(scenario.mechanism);
    session = await startProbeSession({ scripts: ['hint-latency-batch', 'refaults', 'stall', 'eintr'], ...(opts.signal ? { signal: opts.signal } : {}) });
    for (let rep = 0; rep < scenario.repetitions; rep++) {
      opts.signal?.throwIfAborted();
      const draft = await runRepetition(scenario, mechanism, rep, opts.signal);
      drafts.push(draft);
      opts.progress?.(`${opts.label ?? ''} ${scenario.id} rep ${rep + 1}/${scenario.repetitions}: ${describeSample(draft.sample)}`.trim());
    }
  } catch (err) {
    if (opts.signal?.aborted) {
      await mechanism?.dispose().catch(() => undefined);
      await session?.stop().catch(() => undefined);
      throw opts.signal.reason ?? err;
    }
    result.status = 'failed';
    result.error = err instanceof Error ? err.message : String(err);
  }
  await mechanism?.dispose().catch((err: unknown) => result.warnings.push(`mechanism did not shut down cleanly: ${err instanceof Error ? err.message : String(err)}`));
  if (session !== null) {
    try {
      const facts = await session.stop();
      result.warnings.push(...facts.warnings);
      for (const draft of drafts) {
        const { sample, warnings } = attribute(draft, facts, { retouchComm: RETOUCH_COMM, measureStall: scenario.mechanism === 'ptrace' });
        result.samples.push(sample);
        result.warnings.push(...warnings);
      }
    } catch (err) {
      result.samples.push(...drafts.map((d) => d.sample));
      result.warnings.push(`probe session failed to stop cleanly: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (result.status === 'ok' && result.samples.some((s) => s.errors.length > 0)) result.status = 'partial';
  result.summary = summarizeFields(result.samples, SUMMARIZED_FIELDS);
  return result;
}
