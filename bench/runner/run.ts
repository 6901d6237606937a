import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeResultsJson } from '../../reports/json.ts';
import { samplesCsv } from '../../reports/csv.ts';
import { collectEnvironment } from '../host/fingerprint.ts';
import type { RunResult, Suite } from '../types.ts';
import { runScenario, type ProgressFn } from './scenario.ts';

/** Options of runSuite(). */
export interface RunOptions {
  /** Parent directory of results directories; default `results` under the working directory. */
  resultsRoot?: string;
  /** Exact output directory (overrides resultsRoot). */
  outDir?: string;
  /** What host preparation changed, recorded in results.json. */
  hostChanges?: string[];
  signal?: AbortSignal;
  progress?: ProgressFn;
}

/** `2026-11-25T17-40-12Z`: a UTC time usable in a directory name. */
export function utcStamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');
}

/** Results directory for a run of `suite` started at `date`. */
export function resultsDirFor(root: string, suite: string, date: Date): string {
  return resolve(root, `${utcStamp(date)}-${suite}`);
}

/** Writes results.json and samples.csv of the run so far. */
function saveProgress(dir: string, run: RunResult): void {
  writeResultsJson(dir, run);
  const csvPath = join(dir, 'samples.csv');
  writeFileSync(`${csvPath}.tmp`, samplesCsv(run));
  renameSync(`${csvPath}.tmp`, csvPath);
}

/**
 * Runs every scenario of a suite in order and writes results.json and samples.csv after
 * each one, so that a failure or Ctrl-C late in the matrix loses nothing already measured.
 * On abort the partial run is saved (finishedAt stays null) and the abort is rethrown.
 * Returns the run and its directory; rendering reports is the caller's next stage.
 */
export async function runSuite(suite: Suite, opts: RunOptions = {}): Promise<{ run: RunResult; dir: string }> {
  const started = new Date();
  const environment = await collectEnvironment();
  const dir = opts.outDir !== undefined ? resolve(opts.outDir) : resultsDirFor(opts.resultsRoot ?? 'results', suite.name, started);
  mkdirSync(dir, { recursive: true });
  const run: RunResult = {
    schemaVersion: 1,
    suite: suite.name,
    startedAt: started.toISOString(),
    finishedAt: null,
    environment,
    hostChanges: opts.hostChanges ?? [],
    scenarios: [],
  };
  saveProgress(dir, run);
  const total = suite.scenarios.length;
  try {
    for (const [i, scenario] of suite.scenarios.entries()) {
      opts.signal?.throwIfAborted();
      const result = await runScenario(scenario, {
        label: `[${i + 1}/${total}]`,
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.progress ? { progress: opts.progress } : {}),
      });
      run.scenarios.push(result);
      if (result.status === 'failed') opts.progress?.(`[${i + 1}/${total}] ${scenario.id} FAILED: ${result.error}`);
      saveProgress(dir, run);
    }
  } catch (err) {
    saveProgress(dir, run);
    throw err;
  }
  run.finishedAt = new Date().toISOString();
  saveProgress(dir, run);
  return { run, dir };
}
