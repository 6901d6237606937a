/**
 * One block: one repetition of each scenario, in the order given, inside one probe session
 * (bpftrace starts once per block, not once per scenario: ~0.5 s each here). When the block
 * ends its probe figures are attributed to the repetitions, scenario by scenario. An abort
 * (Ctrl-C) ends the block after the step in progress; the repetitions that finished still get
 * their probe figures when the session stops cleanly, and the abort is rethrown.
 */
import { EXPLAIN_SCRIPTS, PRESSURE_SCRIPT, type ProbeScriptName } from '../../bpf/scripts.ts';
import { availableScripts, startProbeSession, type ProbeSession } from '../../bpf/session.ts';
import { attribute } from '../../core/attribution.ts';
import type { MechanismName } from '../../core/types.ts';
import { createMechanism } from '../mechanisms/index.ts';
import type { Mechanism } from '../mechanisms/mechanism.ts';
import { runRepetition } from './repetition.ts';
import { oneLine, type ScenarioState } from './scenario.ts';
import type { BlockReclaim } from './warnings.ts';

/** The probes every block runs. */
export const BLOCK_PROBES = ['hint-latency-batch', 'refaults', 'stall', 'eintr', 'reclaim-bg'] as const;

/** The optional probes of a block: the explanation scripts, and reclaim-events.bt when a scenario it runs has a pressure spec. */
export function optionalBlockProbes(states: readonly Pick<ScenarioState, 'scenario'>[], order: readonly number[], explain: boolean): ProbeScriptName[] {
  const pressure = order.some((i) => states[i]?.scenario.pressure !== undefined);
  return [...(explain ? Object.values(EXPLAIN_SCRIPTS) : []), ...(pressure ? [PRESSURE_SCRIPT] : [])];
}

/** One mechanism per name for the whole run (a ptrace mechanism keeps its tracer process across targets). */
export class MechanismPool {
  private readonly made = new Map<MechanismName, Promise<Mechanism>>();

  constructor(private readonly create: (name: MechanismName) => Promise<Mechanism> = createMechanism) {}

  /** The mechanism called `name`, made on first use; a failure to make it is remembered. */
  get(name: MechanismName): Promise<Mechanism> {
    let m = this.made.get(name);
    if (m === undefined) {
      m = this.create(name);
      this.made.set(name, m);
    }
    return m;
  }

  /** Disposes every mechanism made; returns a warning per one that did not shut down cleanly. */
  async dispose(): Promise<string[]> {
    const warnings: string[] = [];
    for (const [name, m] of this.made) {
      const mechanism = await m.catch(() => null);
      await mechanism?.dispose().catch((err: unknown) => warnings.push(`mechanism ${name} did not shut down cleanly: ${oneLine(err)}`));
    }
    this.made.clear();
    return warnings;
  }
}

/** Options of runBlock(). */
export interface BlockOptions {
  /** Block index; -1 for the warm-up block. */
  block: number;
  mechanisms: MechanismPool;
  signal?: AbortSignal;
  /** bpftrace binary; default `bpftrace` from PATH. */
  bpftracePath?: string;
  /** Attach the explanation probes (EXPLAIN_SCRIPTS); default false. They cost the measured figures time (docs/explanations.md). */
  explain?: boolean;
  /** Called after every finished repetition (the caller saves results.json); an error it throws ends the run. */
  onRepetition: (state: ScenarioState, position: number) => void;
}

/** What a block reports besides the samples it adds to the scenarios. */
export interface BlockOutcome {
  /** Reclaim per thread name during the block (reclaim-bg.bt); empty when the session did not exit cleanly. */
  reclaim: BlockReclaim[];
}

/**
 * Runs one repetition of `states[i]` for each i of `order` (failed scenarios and those that
 * have their `repetitions` are skipped),
 * then attributes the probe figures. Throws when the probe session cannot start (nothing of
 * the block ran) and rethrows an abort or an error of onRepetition after clean-up.
 */
export async function runBlock(states: readonly ScenarioState[], order: readonly number[], opts: BlockOptions): Promise<BlockOutcome> {
  // The explanation probes (with --explain on), and the reclaim probe in a block with pressure
  // scenarios, run where this kernel has their tracepoints; a missing one is named in each
  // scenario's warnings.
  const explain = availableScripts(optionalBlockProbes(states, order, opts.explain ?? false));
  const skipped = explain.skipped.map((s) => `probe ${s.name}.bt not run: this kernel lacks tracepoint(s) ${s.missing.join(', ')}; its figures are null`);
  for (const state of states) for (const w of skipped) if (!state.probeWarnings.includes(w)) state.probeWarnings.push(w);
  const session: ProbeSession = await startProbeSession({
    scripts: [...BLOCK_PROBES, ...explain.scripts],
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.bpftracePath === undefined ? {} : { bpftracePath: opts.bpftracePath }),
  });
  const touched: ScenarioState[] = [];
  let reclaim: BlockReclaim[] = [];
  try {
    for (const [position, index] of order.entries()) {
      const state = states[index]!;
      // A failed scenario is skipped, and so is one that has all the measured repetitions it asked for.
      if (state.failure !== null || (opts.block >= 0 && state.measuredCount() >= state.scenario.repetitions)) continue;
      opts.signal?.throwIfAborted();
      let mechanism: Mechanism;
      try {
        mechanism = await opts.mechanisms.get(state.scenario.mechanism);
      } catch (err) {
        state.failure = oneLine(err);
        continue;
      }
      const warmUp = opts.block < 0;
      const draft = await runRepetition(state.scenario, mechanism, { repetition: state.nextIndex(), warmUp, block: opts.block }, opts.signal);
      state.addPending(draft);
      touched.push(state);
      opts.onRepetition(state, position);
    }
  } finally {
    reclaim = await settle(session, touched);
  }
  return { reclaim };
}

/** Stops the session and attributes its figures to each scenario's pending repetitions; returns the background reclaim it saw. */
async function settle(session: ProbeSession, touched: readonly ScenarioState[]): Promise<BlockReclaim[]> {
  try {
    const facts = await session.stop();
    for (const state of touched) {
      if (state.pending.length === 0) continue;
      const attributed = attribute(facts, state.pendingWindows());
      // One probe session per block: the same session-wide warning is kept once per scenario.
      for (const w of [...facts.warnings, ...attributed.warnings]) if (!state.probeWarnings.includes(w)) state.probeWarnings.push(w);
      state.settle(attributed.figures, facts);
    }
    return (facts.background ?? []).map((b) => ({ comm: b.comm, reclaimPages: b.reclaimPages, lruPages: b.lruPages }));
  } catch (err) {
    for (const state of touched) {
      if (state.pending.length === 0) continue;
      state.probeWarnings.push(`probe session failed to stop cleanly: ${oneLine(err)}; probe figures of ${state.pending.length} repetitions are not attributed`);
      state.settle(null);
    }
    return [];
  }
}
