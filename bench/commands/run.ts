import { readResultsJsonIn } from '../../reports/json.ts';
import { writeReports } from '../../reports/write.ts';
import { formatSummaryTable } from '../../reports/summary-table.ts';
import { HintbenchError } from '../../core/errors.ts';
import { formatDoctor, runDoctor } from '../host/doctor.ts';
import { releaseHost, setupHost } from '../host/setup.ts';
import { omitUnavailable } from '../runner/pressure.ts';
import { DEFAULT_MAX_SAMPLES, checkMemoryPlan, checkSampleCap, readMemoryBudget, suiteSamples } from '../runner/plan.ts';
import { claimResultsDir, releaseResultsDir } from '../runner/results-dir.ts';
import { fixedRule, formatSeconds, runSuite } from '../runner/run.ts';
import type { OutputDir } from '../../reports/output-dir.ts';
import { join } from 'node:path';
import type { RunResult, Suite } from '../../core/types.ts';
import { resolveSuite } from '../scenarios/builtin.ts';
import { MAX_SEED, RUN_ORDERS, type RunOrder } from '../runner/order.ts';
import { DEFAULT_MIN_REPS, isAdaptive, parseDurationMs, parsePercent, type StoppingRule } from '../runner/stopping.ts';
import { doctorWarnings } from '../runner/warnings.ts';
import { RECOMMENDED_TARGET_HALF_WIDTH } from '../../core/stats/verdict.ts';
import { ProgressPrinter } from './progress.ts';
import { MAX_REPETITIONS } from '../scenarios/suite-file.ts';
import { intOpt, noPositionals, requireRootFor, stringOpt, usageError } from './args.ts';
import { withInterrupt } from './interrupt.ts';
import { FOLLOW_UP_OPTIONS, checkFollowUps, runFollowUps } from './run-follow-ups.ts';
import type { Command, OptionValues } from './types.ts';

/** Where a run's messages go: stdout normally, stderr with --json (stdout then carries only the JSON), nowhere with --quiet. */
let log = (line: string): void => {
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

/** --order. */
function orderOption(values: OptionValues): RunOrder {
  const raw = stringOpt(values, 'order') ?? 'interleaved';
  if (!(RUN_ORDERS as readonly string[]).includes(raw))
    throw usageError(`--order must be one of ${RUN_ORDERS.join(', ')}, got '${raw}'`, 'pass --order interleaved (default) or --order sequential');
  return raw as RunOrder;
}

/** --seed, or undefined for a fresh one. */
function seedOption(values: OptionValues): number | undefined {
  return stringOpt(values, 'seed') === undefined ? undefined : intOpt(values, 'seed', 0, 0, MAX_SEED);
}

/**
 * The stopping rule from --reps, --time-budget, --target-ci and --min-reps. With neither a budget nor a target the run is fixed (the suite's repetitions or
 * --reps); a budget or a target makes it adaptive, with --reps as its cap and a target of
 * RECOMMENDED_TARGET_HALF_WIDTH unless --target-ci says otherwise. A target needs a bound.
 */
export function stoppingOption(values: OptionValues, suite: Suite, reps: number | undefined): StoppingRule {
  const budgetText = stringOpt(values, 'time-budget');
  const targetText = stringOpt(values, 'target-ci');
  let timeBudgetMs: number | null = null;
  if (budgetText !== undefined) {
    timeBudgetMs = parseDurationMs(budgetText);
    if (timeBudgetMs === null) throw usageError(`--time-budget must be a duration such as 90s, 2m or 1m30s, got '${budgetText}'`, 'pass e.g. --time-budget 2m');
  }
  let targetHalfWidth: number | null = null;
  if (targetText !== undefined) {
    targetHalfWidth = parsePercent(targetText);
    if (targetHalfWidth === null) throw usageError(`--target-ci must be a percentage above 0 and below 100, got '${targetText}'`, 'pass e.g. --target-ci 2.5%');
  }
  const minText = stringOpt(values, 'min-reps');
  // A suite with a default budget runs under it unless the command line says how long to run.
  if (timeBudgetMs === null && targetHalfWidth === null && reps === undefined && suite.defaultTimeBudgetMs !== undefined) timeBudgetMs = suite.defaultTimeBudgetMs;
  if (timeBudgetMs === null && targetHalfWidth === null) {
    if (minText !== undefined) throw usageError('--min-reps applies only with --time-budget or --target-ci', 'add --time-budget DURATION, or use --reps N for a fixed count');
    return fixedRule(suite);
  }
  if (timeBudgetMs === null && reps === undefined) {
    throw usageError('--target-ci needs a bound: a run might never reach it', 'add --time-budget DURATION or --reps N (a cap)');
  }
  const minReps = intOpt(values, 'min-reps', DEFAULT_MIN_REPS, 1, MAX_REPETITIONS);
  return { minReps, maxReps: reps ?? null, timeBudgetMs, targetHalfWidth: targetHalfWidth ?? RECOMMENDED_TARGET_HALF_WIDTH };
}

/** How the suite is run: stopping rule, order, seed, explanation probes. */
interface RunPlan {
  rule: StoppingRule;
  order: RunOrder;
  seed: number | undefined;
  explain: boolean;
  /** Run warnings known before the run (scenarios left out). */
  warnings: string[];
}

/** --explain on|off. */
function explainOption(values: OptionValues): boolean {
  const raw = stringOpt(values, 'explain') ?? 'off';
  if (raw !== 'on' && raw !== 'off') throw usageError(`--explain must be on or off, got '${raw}'`, 'pass --explain on or --explain off (default)');
  return raw === 'on';
}

/** What the stages of a run share, and what the error handling needs to know afterwards. */
interface RunState {
  /** The results directory, once claimed. */
  dirPath: string | null;
  /** runSuite() has started: results.json exists. */
  suiteStarted: boolean;
}

/** Stages after the host is ready: doctor, the suite, the reports. Returns the exit code. */
async function measure(suite: Suite, dir: OutputDir, hostChanges: string[], values: OptionValues, signal: AbortSignal, state: RunState, plan: RunPlan): Promise<number> {
  const doctor = await runDoctor();
  if (!doctor.canRun) {
    process.stderr.write(`${formatDoctor(doctor)}\n`);
    throw new HintbenchError('the host cannot run the suite (see the failed checks above)', 'apply the fixes listed, or run hintbench setup');
  }
  signal.throwIfAborted();
  const { rule } = plan;
  const how = isAdaptive(rule)
    ? `blocks until every key metric's median interval is within +/- ${((rule.targetHalfWidth ?? 0) * 100).toFixed(1)} % (at least ${rule.minReps}${rule.maxReps === null ? '' : `, at most ${rule.maxReps}`} repetitions${rule.timeBudgetMs === null ? '' : `, time budget ${formatSeconds(rule.timeBudgetMs)}`})`
    : `${suiteSamples(suite)} samples`;
  log(
    `Running suite '${suite.name}': ${suite.scenarios.length} scenarios, ${how}; ${values['no-warm-up'] === true ? 'no warm-up' : 'one warm-up repetition each'}, order ${plan.order}, explanation probes ${plan.explain ? 'on' : 'off'}`,
  );
  log(`Results: ${dir.path}`);
  state.suiteStarted = true;
  let result: RunResult;
  const printer = new ProgressPrinter(process.stderr, { quiet: values.quiet === true });
  try {
    result = await runSuite(suite, {
      out: dir,
      hostChanges,
      signal,
      progress: (line, kind) => printer.line(line, kind),
      order: plan.order,
      ...(plan.seed === undefined ? {} : { seed: plan.seed }),
      explain: plan.explain,
      stopping: rule,
      warmUp: values['no-warm-up'] !== true,
      // The run words the background reclaimers itself, from the environment fingerprint.
      warnings: [...plan.warnings, ...doctorWarnings(doctor.checks.filter((c) => c.status === 'warn' && c.id !== 'reclaimers'))],
    });
    printer.end();
  } catch (err) {
    printer.end();
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
  const report = files.find((f) => f.endsWith('report.html')) ?? dir.path;
  log('');
  log(formatSummaryTable(result));
  log('');
  const stop = result.stopping;
  if (stop !== null) log(`Stopped: ${stop.reason} after ${stop.blocks} blocks (seed ${result.seed}, order ${result.order}; --seed ${result.seed} replays the order)`);
  const warningCount = result.warnings.length + result.scenarios.reduce((n, s) => n + s.warnings.length, 0);
  if (warningCount > 0) log(`Warnings: ${warningCount} (results.json: warnings, scenarios[].warnings)`);
  log(`Results: ${dir.path}`);
  log(`Report:  ${report}`);
  const exitCode = await runFollowUps(values, dir, result, runExitCode(result), log);
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify({ results: join(dir.path, 'results.json'), report, exitCode })}\n`);
  }
  return exitCode;
}

/** Claims the results directory, prepares the host, measures, and undoes both whatever happens. */
async function claimPrepareMeasure(suite: Suite, values: OptionValues, signal: AbortSignal, state: RunState, plan: RunPlan): Promise<number> {
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
    return await measure(suite, claimed.dir, hostChanges, values, signal, state, plan);
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
  if (values.quiet === true) log = () => {};
  else if (values.json === true) log = (line) => process.stderr.write(`${line}\n`);
  // Scenarios this host cannot run (proactive reclaim without cgroup v2) are left out with a run warning saying why.
  const { suite: base, warnings: omitted } = omitUnavailable(resolveSuite(suiteName, reps === undefined ? undefined : { repetitions: reps }));
  const rule = stoppingOption(values, base, reps);
  // An adaptive run's scenarios record its cap (or the largest count allowed) as their repetitions.
  const suite = isAdaptive(rule) ? { ...base, scenarios: base.scenarios.map((s) => ({ ...s, repetitions: rule.maxReps ?? MAX_REPETITIONS })) } : base;
  const plan: RunPlan = { rule, order: orderOption(values), seed: seedOption(values), explain: explainOption(values), warnings: omitted };
  const maxSamples = stringOpt(values, 'max-samples') === undefined ? DEFAULT_MAX_SAMPLES : intOpt(values, 'max-samples', DEFAULT_MAX_SAMPLES);
  // A time budget bounds a run by itself; otherwise the samples asked for are capped.
  if (rule.timeBudgetMs === null) checkSampleCap(suite, maxSamples);
  checkFollowUps(values);
  requireRootFor('hintbench run');
  if (values['ignore-memory-check'] !== true) checkMemoryPlan(suite, readMemoryBudget());
  const state: RunState = { dirPath: null, suiteStarted: false };
  try {
    // Ctrl-C and SIGTERM are handled from here to the end: the host is restored and what was
    // measured is kept, whichever stage is interrupted.
    return await withInterrupt((signal) => claimPrepareMeasure(suite, values, signal, state, plan));
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
  usage: 'run [--suite NAME] [--reps N] [--time-budget D] [--out DIR]',
  summary: 'run a suite (default: the built-in default suite) and write results + report',
  options: {
    suite: { type: 'string', valueName: 'NAME|FILE', help: 'built-in suite (hintbench suites lists them) or a suite file (.json, docs/suites.md); default: default' },
    reps: { type: 'string', valueName: 'N', help: `measured repetitions per scenario, 1 to ${MAX_REPETITIONS} (overrides the suite; the cap with --time-budget)` },
    'time-budget': { type: 'string', valueName: 'DURATION', help: 'add blocks until the target interval or this wall time (e.g. 90s, 2m; set-up excluded)' },
    'target-ci': {
      type: 'string',
      valueName: 'PCT',
      help: `stop once every key metric's median interval is within +/- PCT of its median (default ${RECOMMENDED_TARGET_HALF_WIDTH * 100}% with --time-budget)`,
    },
    'min-reps': { type: 'string', valueName: 'N', help: `measured repetitions before the target may stop a budgeted run (default ${DEFAULT_MIN_REPS})` },
    order: { type: 'string', valueName: 'ORDER', help: 'interleaved (default: each block in a seeded random order) or sequential (suite order)' },
    seed: { type: 'string', valueName: 'N', help: 'seed of the block order (recorded in results.json; the same seed replays the order)' },
    'no-warm-up': { type: 'boolean', help: 'skip the warm-up repetition of each scenario' },
    explain: {
      type: 'string',
      valueName: 'on|off',
      help: 'on: also attach the explanation probes (TLB, IPI, scheduling, refault latency) to every block, for the explanations chart; they slow re-touch and PAGEOUT figures by 10-40 %, so the default is off',
    },
    quiet: { type: 'boolean', help: 'print no progress and no summary (errors still go to stderr)' },
    json: { type: 'boolean', help: 'print one JSON object on stdout: the results and report paths and the exit code (messages go to stderr)' },
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
