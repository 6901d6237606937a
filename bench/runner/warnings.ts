/**
 * Warnings that reach the user, each with what to do about it, computed from what a run
 * measured. Per scenario (ScenarioResult.warnings): a key metric whose robust CV is above a
 * threshold, outliers, too few samples for the confidence interval asked for, background
 * reclaim during a sample, EINTRs the target saw, hints whose system calls the probe did not
 * all see. Per run (RunResult.warnings): the host doctor's warnings, background reclaimers,
 * reclaim by others during a block, a budget that ended before the target. Warm-up samples
 * are left out of all of them. Pure: no I/O.
 */
import { SAMPLE_FIELDS, SUMMARISED_FIELDS, type SampleFieldName } from '../../core/metrics.ts';
import type { Sample, Scenario, ScenarioResult } from '../../core/types.ts';
import type { StopReason } from './stopping.ts';

/** Robust CV above which a key metric is called noisy (fraction). */
export const NOISY_ROBUST_CV = 0.1;

/** The key metrics (judged by compare): the ones warned about. */
export const KEY_METRICS: readonly SampleFieldName[] = SUMMARISED_FIELDS.filter((f) => SAMPLE_FIELDS[f].compared);

/** Reclaim by others (kswapd, direct reclaim) the runner saw during one measured sample. */
export interface SampleReclaim {
  /** Index of the sample in the scenario's samples. */
  index: number;
  /** Pages stolen by kswapd and direct reclaim across the sample (/proc/vmstat pgsteal_kswapd + pgsteal_direct). */
  pages: number;
}

/** `12.3 %`. */
const pct = (fraction: number): string => `${(fraction * 100).toFixed(1)} %`;

/** `repetitions 3, 7` of the given sample indices (their `repetition` fields). */
function repetitionsText(samples: readonly Sample[], indices: readonly number[]): string {
  const reps = indices.map((i) => samples[i]?.repetition ?? i);
  return `${reps.length === 1 ? 'repetition' : 'repetitions'} ${reps.join(', ')}`;
}

/** Options of scenarioWarnings(). */
export interface ScenarioWarningOptions {
  /** Robust CV above which a key metric is noisy; default NOISY_ROBUST_CV. */
  noisyRobustCv?: number;
  /** Reclaim by others seen during samples. */
  reclaim?: readonly SampleReclaim[];
  /** The scenario: its mechanism and target state say what interrupted the target's system calls. */
  scenario?: Pick<Scenario, 'mechanism' | 'targetState'>;
}

/** What makes a target's sleeping system calls return EINTR in a scenario, in words. */
export function eintrCauses(scenario: Pick<Scenario, 'mechanism' | 'targetState'> | undefined): string {
  const causes: string[] = [];
  if (scenario === undefined || scenario.mechanism === 'ptrace') causes.push('ptrace interrupts epoll_wait and sleeps');
  if (scenario?.targetState === 'frozen') causes.push('the cgroup freezer interrupts epoll_wait too');
  if (scenario?.targetState === 'stopped') causes.push('SIGSTOP and SIGCONT interrupt epoll_wait too');
  if (scenario?.targetState === 'traced') causes.push('the foreign tracer interrupts it too');
  return causes.length > 0 ? causes.join('; ') : "something outside the hint interrupted the target's waits";
}

/** The warnings a scenario's measured samples and summaries call for. */
export function scenarioWarnings(result: Pick<ScenarioResult, 'samples' | 'summary'>, opts: ScenarioWarningOptions = {}): string[] {
  const out: string[] = [];
  const samples = result.samples;
  const measured = samples.filter((s) => !s.warmUp);
  if (measured.length === 0) return out;
  const noisy = opts.noisyRobustCv ?? NOISY_ROBUST_CV;
  const short: string[] = [];
  for (const field of KEY_METRICS) {
    const s = result.summary[field];
    if (s === undefined) continue;
    if (s.robustCv !== null && s.robustCv > noisy) {
      out.push(
        `${field}: robust CV ${pct(s.robustCv)} (n = ${s.n}) is above ${pct(noisy)}: this figure is noisy and only a large change would show. Fix: quiet the host (hintbench doctor lists noise sources) and add samples (--time-budget, --target-ci)`,
      );
    }
    if (s.outliers.length > 0) {
      out.push(
        `${field}: ${s.outliers.length} of ${s.n} values are outliers (${repetitionsText(samples, s.outliers)}; modified z-score above 3.5); the median and its interval resist them, the mean does not. Fix: look at those samples' errors and at the background reclaim warnings; rerun if they coincide with other load`,
      );
    }
    if (s.ci !== null && !s.ci.meetsConfidence) short.push(field);
  }
  const first = short[0];
  if (first !== undefined) {
    const ci = result.summary[first]!.ci!;
    const needed = Math.ceil(Math.log2(2 / (1 - ci.confidence)) - 1e-9);
    out.push(
      `n = ${result.summary[first]!.n} is too small for a ${pct(ci.confidence)} median interval of ${short.join(', ')}: [min, max] covers only ${pct(ci.coverage)}. Fix: run at least ${needed} measured repetitions (--reps ${needed}, or --time-budget)`,
    );
  }
  const reclaim = (opts.reclaim ?? []).filter((r) => r.pages > 0 && samples[r.index]?.warmUp === false);
  if (reclaim.length > 0) {
    const pages = reclaim.reduce((sum, r) => sum + r.pages, 0);
    out.push(
      `kswapd or direct reclaim took ${pages} pages system-wide during ${reclaim.length} of ${measured.length} samples (${repetitionsText(
        samples,
        reclaim.map((r) => r.index),
      )}): memory pressure from outside the hint competes with it. Fix: free memory or stop other memory-hungry work, then rerun`,
    );
  }
  const eintr = measured.reduce((sum, s) => sum + s.targetEintr, 0);
  if (eintr > 0) {
    const hit = measured.filter((s) => s.targetEintr > 0).length;
    out.push(
      `the target saw ${eintr} system calls return EINTR in ${hit} of ${measured.length} samples: a target that does not retry them would misbehave (${eintrCauses(opts.scenario)}). Fix: none needed for hintbench's workload; before hinting a real process this way, check it retries on EINTR`,
    );
  }
  const missed = measured.filter((s) => s.probeSyscalls !== null && s.probeSyscalls < s.syscalls);
  if (missed.length > 0) {
    out.push(
      `the probe saw fewer hint system calls than were made in ${missed.length} of ${measured.length} samples: their kernelLatencyNs and reclaimedPages are null, not understated. Fix: rerun on a less loaded host (lost perf events), or with fewer VMAs per workload`,
    );
  }
  return out;
}

/** A doctor check as the run-level warnings need it. */
export interface DoctorWarning {
  title: string;
  detail: string;
  fix?: string;
}

/** Run-level warnings from the host doctor's checks with status `warn`. */
export function doctorWarnings(checks: readonly DoctorWarning[]): string[] {
  return checks.map((c) => `host: ${c.title}: ${c.detail}${c.fix === undefined ? '' : `. Fix: ${c.fix}`}`);
}

/** Run-level warning for background reclaimers found on the host (environment.backgroundReclaimers). */
export function reclaimerWarnings(reclaimers: readonly string[]): string[] {
  if (reclaimers.length === 0) return [];
  return [
    `background reclaimers run on this host (${reclaimers.join(', ')}): they page memory out on their own schedule and add noise to every figure (hint figures are filtered by thread, system-wide counters are not). Fix: stop them for the run if you can (DAMON: echo off > /sys/kernel/mm/damon/admin/kdamonds/0/state), or compare only runs made on the same host`,
  ];
}

/** Pages reclaimed by one thread name during one block (bpf/reclaim-bg.bt). */
export interface BlockReclaim {
  /** Thread name. */
  comm: string;
  /** Pages reclaimed through reclaim_pages() (DAMON, MADV_PAGEOUT). */
  reclaimPages: number;
  /** Pages reclaimed by LRU shrinking (kswapd, direct, memcg reclaim). */
  lruPages: number;
}

/**
 * Pages others reclaimed per thread name in one block: DAMON's reclaim_pages() (kdamond
 * threads) and any LRU shrinking (kswapd, direct reclaim; the hints themselves never shrink
 * LRUs), except the LRU shrinking of `ownComms`, which is added to `own`.
 */
function othersReclaim(reclaim: readonly BlockReclaim[], ownComms: readonly string[], own: Map<string, number>): Map<string, number> {
  const pages = new Map<string, number>();
  for (const r of reclaim) {
    if (ownComms.includes(r.comm)) {
      if (r.lruPages > 0) own.set(r.comm, (own.get(r.comm) ?? 0) + r.lruPages);
      continue;
    }
    const n = (r.comm.startsWith('kdamond') ? r.reclaimPages : 0) + r.lruPages;
    if (n > 0) pages.set(r.comm, (pages.get(r.comm) ?? 0) + n);
  }
  return pages;
}

/** What one block's reclaim is judged with. */
export interface BlockReclaimRecord {
  /** Block index (negative: the warm-up). */
  block: number;
  reclaim: readonly BlockReclaim[];
  /**
   * Thread names whose LRU reclaim is the block's own doing, not background: in a block with
   * pressure scenarios, the workload's and the balloon's threads (memcg limit reclaim) and the
   * runner's (lowering the limit reclaims in the writer's context). Empty otherwise.
   */
  ownComms: readonly string[];
}

/**
 * One run-level warning for the reclaim others did during the blocks (bpf/reclaim-bg.bt per
 * block session): pages per thread name over the run and per block, and what was left out as
 * the pressure phases' own. Null when others reclaimed nothing.
 */
export function blockReclaimWarning(blocks: readonly BlockReclaimRecord[]): string | null {
  const total = new Map<string, number>();
  const own = new Map<string, number>();
  const perBlock: string[] = [];
  for (const b of blocks) {
    const pages = othersReclaim(b.reclaim, b.ownComms, own);
    if (pages.size === 0) continue;
    let sum = 0;
    for (const [comm, n] of pages) {
      total.set(comm, (total.get(comm) ?? 0) + n);
      sum += n;
    }
    perBlock.push(`${b.block < 0 ? 'warm-up' : `block ${b.block}`} ${sum}`);
  }
  if (perBlock.length === 0) return null;
  const byThread = [...total].map(([comm, n]) => `${comm} ${n}`).join(', ');
  const ownText = own.size === 0 ? '' : `; not counted: the pressure phases' own memcg reclaim, ${[...own].map(([comm, n]) => `${comm} ${n}`).join(', ')}`;
  return `background reclaim during ${perBlock.length} of ${blocks.length} blocks (pages by thread: ${byThread}; per block: ${perBlock.join(', ')}${ownText}): system-wide counters of those samples (pswpout, pswpin) include it. Fix: see the background reclaimers warning; compare with runs where this did not happen`;
}

/** Run-level warning when an adaptive run stopped before every key metric reached the target. */
export function stoppingWarning(reason: StopReason | null, target: number | null, worst: { label: string; halfWidth: number | null } | null): string | null {
  if (target === null || reason === null || reason === 'target-reached') return null;
  if (worst !== null && worst.halfWidth !== null && worst.halfWidth <= target) return null;
  const what = reason === 'time-budget' ? 'the time budget ended' : reason === 'reps-cap' ? 'the --reps cap was reached' : `the run stopped (${reason})`;
  const widest = worst === null ? 'no key metric has a value yet' : `${worst.label} ${worst.halfWidth === null ? 'has no interval yet' : `is at +/- ${pct(worst.halfWidth)}`}`;
  return `${what} before every key metric reached +/- ${pct(target)}: ${widest}. Fix: raise --time-budget or --reps, or accept a wider --target-ci`;
}
