import { writeResultsJson } from '../../reports/json.ts';
import { samplesCsv } from '../../reports/csv.ts';
import type { OutputDir } from '../../reports/output-dir.ts';
import { HOST_ROOT } from '../../core/proc/hostfs.ts';
import { SCHEMA_VERSION } from '../../core/schema/results.ts';
import { collectEnvironment, readLoadAverage } from '../host/fingerprint.ts';
import type { RunResult, ScenarioResult, Suite } from '../../core/types.ts';
import { runScenario, type ProgressFn, type ScenarioOptions } from './scenario.ts';

/** Options of runSuite(). */
export interface RunOptions {
  /** The results directory, claimed with claimResultsDir(). */
  out: OutputDir;
  /** What host preparation changed, recorded in results.json. */
  hostChanges?: string[];
  signal?: AbortSignal;
  progress?: ProgressFn;
  /** Makes each scenario's mechanism; default createMechanism (tests pass a fake). */
  createMechanism?: ScenarioOptions['createMechanism'];
  /** bpftrace binary for the probes and the fingerprint; default `bpftrace` from PATH. */
  bpftracePath?: string;
}

/** Writes results.json with the scenarios so far (plus the one running, if given). */
function saveResults(out: OutputDir, run: RunResult, running?: ScenarioResult): void {
  writeResultsJson(out, running === undefined ? run : { ...run, scenarios: [...run.scenarios, running] });
}

/** Writes samples.csv of the finished scenarios (`hintbench report` rebuilds it from results.json). */
function saveCsv(out: OutputDir, run: RunResult): void {
  out.write('samples.csv', samplesCsv(run));
}

/**
 * Runs every scenario of a suite in order. results.json is rewritten atomically after every
 * repetition (the scenario in progress has status `interrupted` until it ends) and after
 * every scenario, so a run killed at any instant keeps every repetition it reported as
 * finished; samples.csv is rewritten after every scenario. On abort the interrupted
 * scenario is kept with its finished repetitions, the run is saved (finishedAt stays null)
 * and the abort is rethrown. Rendering reports is the caller's next stage.
 */
export async function runSuite(suite: Suite, opts: RunOptions): Promise<RunResult> {
  const { out } = opts;
  const started = new Date();
  const environment = await collectEnvironment(HOST_ROOT, opts.bpftracePath, { suite });
  const run: RunResult = {
    schemaVersion: SCHEMA_VERSION,
    suite: suite.name,
    startedAt: started.toISOString(),
    finishedAt: null,
    environment,
    hostChanges: opts.hostChanges ?? [],
    scenarios: [],
  };
  saveResults(out, run);
  saveCsv(out, run);
  const total = suite.scenarios.length;
  for (const [i, scenario] of suite.scenarios.entries()) {
    if (opts.signal?.aborted) break;
    const label = `[${i + 1}/${total}]`;
    const result = await runScenario(scenario, {
      label,
      onRepetition: (soFar) => saveResults(out, run, soFar),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.progress ? { progress: opts.progress } : {}),
      ...(opts.createMechanism ? { createMechanism: opts.createMechanism } : {}),
      ...(opts.bpftracePath === undefined ? {} : { bpftracePath: opts.bpftracePath }),
    });
    run.scenarios.push(result);
    saveResults(out, run);
    saveCsv(out, run);
    if (result.status === 'failed') opts.progress?.(`${label} ${scenario.id} FAILED: ${result.error}`);
    if (result.status === 'interrupted') opts.progress?.(`${label} ${scenario.id} interrupted: ${result.samples.length} of ${scenario.repetitions} repetitions kept`);
  }
  opts.signal?.throwIfAborted();
  run.environment.loadAverageEnd = readLoadAverage();
  run.finishedAt = new Date().toISOString();
  saveResults(out, run);
  return run;
}
