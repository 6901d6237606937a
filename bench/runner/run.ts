import { writeResultsJson } from '../../reports/json.ts';
import { samplesCsv } from '../../reports/csv.ts';
import type { OutputDir } from '../../reports/output-dir.ts';
import { HOST_ROOT } from '../../core/proc/hostfs.ts';
import { SCHEMA_VERSION } from '../../core/schema/results.ts';
import { DEFAULT_CI_CONFIDENCE } from '../../core/stats/summary.ts';
import { collectEnvironment, readLoadAverage } from '../host/fingerprint.ts';
import type { Environment, RunResult, ScenarioResult, ScenarioStatus, Suite } from '../../core/types.ts';
import type { Mechanism } from '../mechanisms/mechanism.ts';
import { BLOCK_PROBES, MechanismPool, optionalBlockProbes, runBlock } from './block.ts';
import { availableScripts } from '../../bpf/session.ts';
import { BlockOrder, freshSeed, type RunOrder } from './order.ts';
import { keyHalfWidths, widest } from './precision.ts';
import { ScenarioState, describeSample, oneLine, type ProgressFn } from './scenario.ts';
import { etaMs, isAdaptive, stopReason, type StopReason, type StoppingRule } from './stopping.ts';
import { blockReclaimWarning, reclaimerWarnings, stoppingWarning, type BlockReclaimRecord } from './warnings.ts';
import { pressureOwnComms } from './pressure.ts';

/** Options of runSuite(). */
export interface RunOptions {
  /** The results directory, claimed with claimResultsDir(); without one nothing is written. */
  out?: OutputDir;
  /** What host preparation changed, recorded in results.json. */
  hostChanges?: string[];
  signal?: AbortSignal;
  progress?: ProgressFn;
  /** Makes the mechanisms; default createMechanism (tests pass a fake). */
  createMechanism?: (name: Scenario['mechanism']) => Promise<Mechanism>;
  /** bpftrace binary for the probes and the fingerprint; default `bpftrace` from PATH. */
  bpftracePath?: string;
  /** Scenario order within a block; default interleaved. */
  order?: RunOrder;
  /** Seed of the block orders; default a fresh random one (recorded either way). */
  seed?: number;
  /** When to stop; default a fixed run of each scenario's `repetitions`. */
  stopping?: StoppingRule;
  /** Run one warm-up repetition per scenario first; default true. */
  warmUp?: boolean;
  /** Attach the explanation probes to every block (`--explain on`); default false: they slow the figures they explain. */
  explain?: boolean;
  /** Run-level warnings known before the run (the host doctor's). */
  warnings?: string[];
  /** Environment fingerprint; default collected from the host. */
  environment?: Environment;
}

type Scenario = Suite['scenarios'][number];

/** `1 min 05 s`, `42.1 s`. */
export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
}

/** Why an abort happened, as text (`interrupted by SIGINT`). */
function abortText(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : 'interrupted';
}

/** The fixed rule of a suite: every scenario's repetitions (the largest, when they differ). */
export function fixedRule(suite: Suite): StoppingRule {
  const reps = Math.max(1, ...suite.scenarios.map((s) => s.repetitions));
  return { minReps: reps, maxReps: reps, timeBudgetMs: null, targetHalfWidth: null };
}

/**
 * Runs a suite in blocks: an optional warm-up block (one repetition of every scenario,
 * recorded with `warmUp: true` and left out of summaries), then measured blocks until the
 * stopping rule says so. Within each block the scenarios run in a seeded random order
 * (`interleaved`) or in suite order. results.json is rewritten atomically after every
 * repetition (scenarios have status `interrupted` until the run ends, the block in progress
 * without probe figures) and samples.csv after every block, so a run killed at any instant
 * keeps every repetition it reported as finished. On abort the finished repetitions keep
 * their probe figures, the run is saved (finishedAt null, stopping reason `interrupted`) and
 * the abort is rethrown. Rendering reports is the caller's next stage.
 */
export async function runSuite(suite: Suite, opts: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const explain = opts.explain ?? false;
  const environment = {
    ...(opts.environment ?? (await collectEnvironment(HOST_ROOT, opts.bpftracePath, { suite }))),
    probes: [
      ...BLOCK_PROBES,
      ...availableScripts(
        optionalBlockProbes(
          suite.scenarios.map((scenario) => ({ scenario })),
          suite.scenarios.map((_, i) => i),
          explain,
        ),
      ).scripts,
    ],
  };
  const rule = opts.stopping ?? fixedRule(suite);
  const order = opts.order ?? 'interleaved';
  const seed = opts.seed ?? freshSeed();
  const states = suite.scenarios.map((s) => new ScenarioState(s));
  /** The clock of the time budget: from the first block (the environment fingerprint is not counted). */
  const blocksStarted = Date.now();
  const runWarnings = [...(opts.warnings ?? []), ...reclaimerWarnings(environment.backgroundReclaimers)];
  const blockDurationsMs: number[] = [];
  const blockReclaims: BlockReclaimRecord[] = [];
  // Every block runs every scenario: with a pressure scenario, each block has its own reclaim.
  const ownComms = suite.scenarios.some((s) => s.pressure !== undefined) ? pressureOwnComms() : [];
  let blocksDone = 0;
  let reason: StopReason | null = null;
  let runError: string | null = null;
  const run: RunResult = {
    schemaVersion: SCHEMA_VERSION,
    suite: suite.name,
    startedAt: new Date(started).toISOString(),
    finishedAt: null,
    environment,
    hostChanges: opts.hostChanges ?? [],
    order,
    seed,
    stopping: null,
    warnings: runWarnings,
    scenarios: [],
  };

  /** Each scenario's result now: while running every one is `interrupted` (the run may end at any instant). */
  const results = (final: boolean): ScenarioResult[] =>
    states.map((st) => {
      const measured = st.measuredCount();
      const planned = isAdaptive(rule) ? rule.maxReps : st.scenario.repetitions;
      const ofPlanned = planned === null ? `${measured} measured repetitions` : `${measured} of ${planned} repetitions`;
      let status: ScenarioStatus;
      let error: string | null = null;
      if (st.failure !== null) {
        status = 'failed';
        error = st.failure;
      } else if (!final) {
        status = 'interrupted';
        error = `the run ended after ${ofPlanned}`;
      } else if (reason === 'interrupted' || reason === 'failed') {
        status = reason === 'failed' ? 'failed' : 'interrupted';
        error = `${runError ?? 'interrupted'} after ${ofPlanned}`;
      } else {
        // An error in the warm-up counts too: a corrupted page must not hide behind the summaries.
        status = st.samples.some((s) => s.errors.length > 0) ? 'partial' : 'ok';
      }
      const extra =
        st.pending.length > 0
          ? [
              'written while the run went on: the samples of the block in progress have no probe figures yet (kernelLatencyNs, reclaimedPages, retouchMajorFaultsProbe, stallNs, targetEintr)',
            ]
          : [];
      return st.result(status, error, extra);
    });

  const snapshot = (final: boolean): RunResult => {
    const scenarios = results(final);
    const halfWidths = keyHalfWidths(scenarios);
    const worst = widest(halfWidths);
    const reclaim = blockReclaimWarning(blockReclaims);
    const late = final
      ? stoppingWarning(reason, rule.targetHalfWidth, worst === null ? null : { label: `${worst.scenarioId} ${worst.field}`, halfWidth: worst.relativeHalfWidth })
      : null;
    return {
      ...run,
      warnings: [...runWarnings, ...(reclaim === null ? [] : [reclaim]), ...(late === null ? [] : [late])],
      stopping: {
        mode: isAdaptive(rule) ? 'adaptive' : 'fixed',
        minRepetitions: rule.minReps,
        maxRepetitions: rule.maxReps,
        timeBudgetMs: rule.timeBudgetMs,
        targetHalfWidth: rule.targetHalfWidth,
        confidence: DEFAULT_CI_CONFIDENCE,
        blocks: blocksDone,
        reason,
        halfWidths,
      },
      scenarios,
    };
  };
  /** Set when results.json could not be written: that ends the run with the error, not with a result. */
  let saveError: unknown = null;
  const save = (final = false): RunResult => {
    const r = snapshot(final);
    try {
      if (opts.out !== undefined) writeResultsJson(opts.out, r);
    } catch (err) {
      saveError ??= err;
      throw err;
    }
    return r;
  };
  const saveCsv = (r: RunResult): void => {
    opts.out?.write('samples.csv', samplesCsv(r));
  };
  saveCsv(save());

  const mechanisms = new MechanismPool(opts.createMechanism);
  const blockOrder = new BlockOrder(states.length, seed, order);
  const progressOf = () => ({ blocksDone, elapsedMs: Date.now() - blocksStarted, blockDurationsMs, halfWidths: [] as (number | null)[] });
  const blockLabel = (block: number): string => {
    if (block < 0) return 'warm-up';
    if (!isAdaptive(rule)) return `block ${block + 1}/${rule.maxReps}`;
    return `block ${block + 1}${rule.maxReps === null ? '' : ` of at most ${rule.maxReps}`}`;
  };
  const timing = (): string => {
    const eta = etaMs(rule, progressOf());
    return `${formatSeconds(Date.now() - blocksStarted)} elapsed${eta === null ? '' : `, ETA ${formatSeconds(eta)}`}`;
  };

  const runOne = async (block: number): Promise<void> => {
    const t0 = Date.now();
    const outcome = await runBlock(states, blockOrder.next(), {
      block,
      mechanisms,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.bpftracePath === undefined ? {} : { bpftracePath: opts.bpftracePath }),
      explain,
      onRepetition: (state, position) => {
        save();
        const last = state.pending.at(-1)!.sample;
        opts.progress?.(`${blockLabel(block)} [${position + 1}/${states.length}] ${state.scenario.id} rep ${last.repetition}: ${describeSample(last)}; ${timing()}`, 'step');
      },
    });
    blockDurationsMs.push(Date.now() - t0);
    if (block >= 0) blocksDone++;
    blockReclaims.push({ block, reclaim: outcome.reclaim, ownComms });
    for (const st of states) {
      if (st.failure !== null && !failedNoted.has(st)) {
        failedNoted.add(st);
        opts.progress?.(`${st.scenario.id} FAILED: ${st.failure}`, 'note');
      }
    }
    const r = save();
    saveCsv(r);
    const worst = widest(r.stopping?.halfWidths ?? []);
    const widestText =
      worst === null
        ? ''
        : `; widest interval ${worst.relativeHalfWidth === null ? 'not yet known' : `+/- ${(worst.relativeHalfWidth * 100).toFixed(1)} %`} (${worst.scenarioId} ${worst.field})`;
    opts.progress?.(`${blockLabel(block)} done in ${formatSeconds(Date.now() - t0)}; ${timing()}${block >= 0 ? widestText : ''}`, 'block');
  };
  const failedNoted = new Set<ScenarioState>();

  try {
    if (opts.warmUp !== false) await runOne(-1);
    for (;;) {
      const halfWidths = keyHalfWidths(results(false)).map((h) => h.relativeHalfWidth);
      reason = stopReason(rule, { ...progressOf(), halfWidths });
      if (reason !== null) break;
      if (states.every((s) => s.failure !== null)) {
        reason = 'failed';
        runError = 'every scenario failed';
        break;
      }
      opts.signal?.throwIfAborted();
      await runOne(blocksDone);
    }
  } catch (err) {
    if (opts.signal?.aborted) {
      reason = 'interrupted';
      runError = abortText(opts.signal);
    } else {
      reason = 'failed';
      runError = oneLine(err);
      // A block that could not start its probes: every scenario fails with the reason.
      for (const st of states) st.failure ??= runError;
    }
    runWarnings.push(...(await mechanisms.dispose()));
    if (saveError !== null) throw saveError;
    const saved = save(true);
    saveCsv(saved);
    // Whatever step noticed the abort first (a workload start, a /proc read), the run ends with the abort itself.
    opts.signal?.throwIfAborted();
    return saved;
  }
  runWarnings.push(...(await mechanisms.dispose()));
  run.environment.loadAverageEnd = readLoadAverage();
  run.finishedAt = new Date().toISOString();
  const finished = save(true);
  saveCsv(finished);
  return finished;
}

/**
 * Runs one scenario on its own: its `repetitions` measured blocks without a warm-up, nothing
 * written (tests and tools that want one result).
 */
export async function runScenario(scenario: Scenario, opts: Omit<RunOptions, 'out'> = {}): Promise<ScenarioResult> {
  const run = await runSuite({ name: 'scenario', description: scenario.id, scenarios: [scenario] }, { warmUp: false, ...opts });
  return run.scenarios[0]!;
}
