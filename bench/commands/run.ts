import { readResultsJsonIn } from '../../reports/json.ts';
import { writeReports } from '../../reports/write.ts';
import { formatSummaryTable } from '../../reports/summary-table.ts';
import { HintbenchError } from '../../core/errors.ts';
import { formatDoctor, runDoctor } from '../host/doctor.ts';
import { releaseHost, setupHost } from '../host/setup.ts';
import { DEFAULT_MAX_SAMPLES, checkMemoryPlan, checkSampleCap, readMemoryBudget, suiteSamples } from '../runner/plan.ts';
import { claimResultsDir, releaseResultsDir } from '../runner/results-dir.ts';
import { runSuite } from '../runner/run.ts';
import type { OutputDir } from '../../reports/output-dir.ts';
import type { RunResult, Suite } from '../../core/types.ts';
import { resolveSuite } from '../scenarios/builtin.ts';
import { MAX_REPETITIONS } from '../scenarios/suite-file.ts';
import { intOpt, noPositionals, requireRootFor, stringOpt, usageError } from './args.ts';
import { withInterrupt } from './interrupt.ts';
import { FOLLOW_UP_OPTIONS, checkFollowUps, runFollowUps } from './run-follow-ups.ts';
import type { Command, OptionValues } from './types.ts';

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/**
 * Exit codes of `hintbench run` (README "Commands"): 0 every scenario ok; 1 an error, or a
 * scenario failed; 3 the run finished but some scenario is partial (samples with errors);
 * 130 interrupted (what was measured is kept).
 */
export const RUN_EXIT = { ok: 0, failed: 1, partial: 3, interrupted: 130 } as const;

/** The exit code for a finished run. */
export function runExitCode(run: RunResult): number {
  if (run.scenarios.some((s) => s.status === 'failed')) return RUN_EXIT.failed;
  if (run.scenarios.some((s) => s.status !== 'ok')) return RUN_EXIT.partial;
  return RUN_EXIT.ok;
}

/** --reps, bounded like a suite file's repetitions. */
function repsOption(values: OptionValues): number | undefined {
  const raw = stringOpt(values, 'reps');
  if (raw === undefined) return undefined;
  if (/^\d+$/.test(raw) && BigInt(raw) > BigInt(MAX_REPETITIONS)) {
    throw usageError(`--reps must be at most ${MAX_REPETITIONS}, got '${raw}'`, `pass e.g. --reps 5 (a suite of N scenarios takes N x reps samples, about 1 s each)`);
  }
  return intOpt(values, 'reps', 5, 1, MAX_REPETITIONS);
}

/** What the stages of a run share, and what the error handling needs to know afterwards. */
interface RunState {
  /** The results directory, once claimed. */
  dirPath: string | null;
  /** runSuite() has started: results.json exists. */
  suiteStarted: boolean;
}

/** Stages after the host is ready: doctor, the suite, the reports. Returns the exit code. */
async function measure(suite: Suite, dir: OutputDir, hostChanges: string[], values: OptionValues, signal: AbortSignal, state: RunState): Promise<number> {
  const doctor = await runDoctor();
  if (!doctor.canRun) {
    process.stderr.write(`${formatDoctor(doctor)}\n`);
    throw new HintbenchError('the host cannot run the suite (see the failed checks above)', 'apply the fixes listed, or run hintbench setup');
  }
  signal.throwIfAborted();
  log(`Running suite '${suite.name}': ${suite.scenarios.length} scenarios, ${suiteSamples(suite)} samples`);
  log(`Results: ${dir.path}`);
  state.suiteStarted = true;
  let result: RunResult;
  try {
    result = await runSuite(suite, { out: dir, hostChanges, signal, progress: log });
  } catch (err) {
    // Interrupted or failed part-way: give what was measured a report too.
    try {
      const files = await writeReports(dir, readResultsJsonIn(dir), { png: values.png === true });
      log(`Partial report: ${files.find((f) => f.endsWith('report.html')) ?? dir.path}`);
    } catch {
      // no results.json yet, or it cannot be rendered: the error thrown says what happened
    }
    throw err;
  }
  const files = await writeReports(dir, result, { png: values.png === true });
  log('');
  log(formatSummaryTable(result));
  log('');
  log(`Results: ${dir.path}`);
  log(`Report:  ${files.find((f) => f.endsWith('report.html')) ?? dir.path}`);
  return runFollowUps(values, dir, result, runExitCode(result), log);
}

/** Claims the results directory, prepares the host, measures, and undoes both whatever happens. */
async function claimPrepareMeasure(suite: Suite, values: OptionValues, signal: AbortSignal, state: RunState): Promise<number> {
  const out = stringOpt(values, 'out');
  const claimed = claimResultsDir({ ...(out === undefined ? {} : { out }), force: values.force === true, suite: suite.name, date: new Date() });
  state.dirPath = claimed.dir.path;
  const keepHost = values['keep-host'] === true;
  let setUp = false;
  try {
    let hostChanges: string[] = [];
    if (values['no-setup'] !== true) {
      log('Preparing the host...');
      const changes = await setupHost({ log: (l) => log(`  ${l}`), userLabel: 'hintbench run' });
      hostChanges = changes.lines;
      setUp = true;
      if (changes.lines.length === 0) log('  nothing to change');
    }
    signal.throwIfAborted();
    return await measure(suite, claimed.dir, hostChanges, values, signal, state);
  } catch (err) {
    // A Ctrl-C reaches the whole process group: a check or a set-up step whose child process
    // it killed fails as a consequence. Report the interruption, not that failure.
    signal.throwIfAborted();
    throw err;
  } finally {
    releaseResultsDir(claimed);
    // Undoes the preparation only when no other run uses it and nobody kept it.
    if (setUp) {
      const released = await releaseHost({ log: (l) => log(`  ${l}`), keep: keepHost });
      if (released.undone.length > 0) log('Restored the host');
      else if (keepHost && released.kept) log('Host preparation kept (--keep-host); undo it with hintbench teardown');
    }
  }
}

async function run(values: OptionValues, positionals: string[]): Promise<number> {
  noPositionals('run', positionals);
  const suiteName = stringOpt(values, 'suite') ?? 'default';
  const reps = repsOption(values);
  const suite = resolveSuite(suiteName, reps === undefined ? undefined : { repetitions: reps });
  const maxSamples = stringOpt(values, 'max-samples') === undefined ? DEFAULT_MAX_SAMPLES : intOpt(values, 'max-samples', DEFAULT_MAX_SAMPLES);
  checkSampleCap(suite, maxSamples);
  checkFollowUps(values);
  requireRootFor('hintbench run');
  if (values['ignore-memory-check'] !== true) checkMemoryPlan(suite, readMemoryBudget());
  const state: RunState = { dirPath: null, suiteStarted: false };
  try {
    // Ctrl-C and SIGTERM are handled from here to the end: the host is restored and what was
    // measured is kept, whichever stage is interrupted.
    return await withInterrupt((signal) => claimPrepareMeasure(suite, values, signal, state));
  } catch (err) {
    if (err instanceof HintbenchError && err.exitCode === RUN_EXIT.interrupted) {
      throw state.suiteStarted && state.dirPath !== null
        ? new HintbenchError(err.message, `rerun when ready; what was measured is in ${state.dirPath} (hintbench report ${state.dirPath} rebuilds its report)`, {
            exitCode: RUN_EXIT.interrupted,
          })
        : new HintbenchError(`${err.message} before the suite started`, 'rerun when ready; nothing was measured', { exitCode: RUN_EXIT.interrupted });
    }
    throw err;
  }
}

/** `hintbench run`: check the plan, claim the results directory, prepare the host, run a suite, write results and reports, restore the host. */
export const runCommand: Command = {
  name: 'run',
  aliases: ['bench'],
  usage: 'run [--suite NAME] [--reps N] [--out DIR]',
  summary: 'run a suite (default: the built-in default suite) and write results + report',
  options: {
    suite: { type: 'string', valueName: 'NAME|FILE', help: 'built-in suite (hintbench suites lists them) or a suite file (.json, docs/suites.md); default: default' },
    reps: { type: 'string', valueName: 'N', help: `repetitions per scenario, 1 to ${MAX_REPETITIONS} (overrides the suite)` },
    out: { type: 'string', valueName: 'DIR', help: 'results directory: new, or empty and yours (default: results/<UTC time>-<suite>)' },
    force: { type: 'boolean', help: 'write into an existing --out directory that is not empty or not yours (files are replaced, links in it never followed)' },
    'max-samples': { type: 'string', valueName: 'N', help: `refuse suites with more samples than N (default ${DEFAULT_MAX_SAMPLES})` },
    'ignore-memory-check': { type: 'boolean', help: 'run even when a workload does not fit in MemAvailable plus usable swap' },
    'no-setup': { type: 'boolean', help: 'do not prepare the host (swap, bpftrace, tracefs)' },
    'keep-host': { type: 'boolean', help: 'keep what host preparation created (undo later with hintbench teardown)' },
    png: { type: 'boolean', help: 'also render each chart as PNG' },
    ...FOLLOW_UP_OPTIONS,
  },
  run,
};
