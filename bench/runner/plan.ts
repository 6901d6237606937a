/**
 * Checks of a suite's plan made before anything starts: every scenario's workload must fit
 * in the memory the host can give it, and the suite must stay under a sample cap. Both are
 * refused with a one-line error naming the scenario or the count, and the flag that
 * overrides the check.
 */
import { HOST_ROOT, hostPath, readHostText } from '../../core/proc/hostfs.ts';
import { readMeminfo } from '../../core/proc/meminfo.ts';
import { parseProcSwaps, zramIndex } from '../host/swap.ts';
import { HintbenchError } from '../../core/errors.ts';
import type { Content, Scenario, Suite } from '../../core/types.ts';

const MIB = 2 ** 20;

/** Resident memory of a workload process besides its mapped data (Node and tsx: ~80 MiB measured), bytes. */
export const WORKLOAD_BASE_BYTES = 128 * MIB;
/** Per-byte overhead of a workload's data: page tables (8 B per 4 KiB page), checksums (4 B per page) and slack. */
export const WORKLOAD_OVERHEAD_PER_BYTE = 4 / 1024;
/** Memory kept for the probe session (bpftrace) and the ptrace tracer that run beside a workload, bytes. */
export const RUN_RESERVE_BYTES = 256 * MIB;
/** Default cap on the samples of one run (`--max-samples` raises it). */
export const DEFAULT_MAX_SAMPLES = 10_000;
/** Seconds one sample takes at least here (a fresh workload process each), for the estimate in the cap's error. */
const SECONDS_PER_SAMPLE = 1;

/**
 * Fraction of a page's size that moving it into zram frees: zero-filled pages are stored as
 * one word, `mixed` pages compress about 2:1, random pages do not compress at all (zram then
 * holds them in RAM at full size).
 */
const ZRAM_SAVING: Readonly<Record<Content, number>> = { zero: 1, mixed: 0.5, random: 0 };

/** The memory the host offers a workload. */
export interface MemoryBudget {
  /** MemAvailable of /proc/meminfo, bytes. */
  memAvailableBytes: number;
  /** Free space of every active swap device. */
  swap: { name: string; freeBytes: number; zram: boolean }[];
}

/** Workload processes a scenario runs at once: a fleet's apps, else one. */
export function scenarioWorkloads(scenario: Scenario): number {
  return scenario.fleet?.apps ?? 1;
}

/**
 * Memory a scenario's workloads need while they run, bytes (data plus overhead of each
 * workload, plus the reserve). A pressure scenario's memory is its working set (both sets);
 * in balloon mode the balloon, a second workload process of `balloonMiB`, comes on top. The
 * cgroup limit does not lower the need: what it pushes out goes to swap, which zram keeps in RAM.
 */
export function scenarioNeedBytes(scenario: Scenario): number {
  const workload = (dataMiB: number): number => {
    const dataBytes = dataMiB * MIB;
    return dataBytes + Math.ceil(dataBytes * WORKLOAD_OVERHEAD_PER_BYTE) + WORKLOAD_BASE_BYTES;
  };
  const balloonMiB = scenario.pressure?.mode === 'balloon' ? (scenario.pressure.balloonMiB ?? 0) : null;
  return scenarioWorkloads(scenario) * workload(scenario.memory.sizeMiB) + (balloonMiB === null ? 0 : workload(balloonMiB)) + RUN_RESERVE_BYTES;
}

/** The content a scenario's plan counts swap for: a fleet's least compressible one. */
export function planContent(scenario: Scenario): Content {
  const contents = scenario.fleet?.contents ?? [scenario.memory.content];
  return contents.reduce((worst, c) => (ZRAM_SAVING[c] < ZRAM_SAVING[worst] ? c : worst), contents[0]!);
}

/**
 * Memory a workload with pages of `content` can use: MemAvailable plus free swap, where a
 * zram device counts only for what compression saves (it keeps the pages in RAM).
 */
export function usableBytes(budget: MemoryBudget, content: Content): { totalBytes: number; swapBytes: number } {
  const swapBytes = budget.swap.reduce((sum, d) => sum + Math.floor(d.freeBytes * (d.zram ? ZRAM_SAVING[content] : 1)), 0);
  return { totalBytes: budget.memAvailableBytes + swapBytes, swapBytes };
}

/** Reads MemAvailable and the active swap devices of the host below `root`. */
export function readMemoryBudget(root: string = HOST_ROOT): MemoryBudget {
  const memAvailableBytes = readMeminfo(root)?.MemAvailable;
  if (memAvailableBytes === undefined)
    throw new HintbenchError(`${hostPath(root, '/proc/meminfo')} has no MemAvailable line`, 'run on Linux 3.14 or later, or pass --ignore-memory-check');
  const swap = parseProcSwaps(readHostText(root, '/proc/swaps') ?? '').map((d) => ({
    name: d.name,
    freeBytes: Math.max(0, d.sizeBytes - d.usedBytes),
    zram: zramIndex(d.name) !== null,
  }));
  return { memAvailableBytes, swap };
}

/** `1,234 MiB`. */
function mib(bytes: number): string {
  return `${Math.floor(bytes / MIB).toLocaleString('en-US')} MiB`;
}

/**
 * Throws when a scenario's workload would not fit (scenarioNeedBytes > usableBytes): names the
 * first such scenario, how much it needs and how much there is, how many scenarios are
 * affected, the largest size that fits, and the override.
 */
export function checkMemoryPlan(suite: Suite, budget: MemoryBudget): void {
  const tooBig = suite.scenarios.filter((s) => scenarioNeedBytes(s) > usableBytes(budget, planContent(s)).totalBytes);
  const first = tooBig[0];
  if (first === undefined) return;
  const need = scenarioNeedBytes(first);
  const content = planContent(first);
  const usable = usableBytes(budget, content);
  const zram = budget.swap.some((d) => d.zram) && ZRAM_SAVING[content] < 1 ? `; zram swap counts for what ${content} pages compress to` : '';
  const workloads = scenarioWorkloads(first);
  const fitsMiB = Math.floor(((usable.totalBytes - RUN_RESERVE_BYTES) / workloads - WORKLOAD_BASE_BYTES) / (1 + WORKLOAD_OVERHEAD_PER_BYTE) / MIB);
  const others = tooBig.length > 1 ? ` (and ${tooBig.length - 1} more of the suite's scenarios)` : '';
  throw new HintbenchError(
    `scenario ${first.id}${others} needs about ${mib(need)} of memory (${workloads > 1 ? `${workloads} workloads of ` : ''}${first.memory.sizeMiB.toLocaleString('en-US')} MiB of workload data${first.pressure?.mode === 'balloon' ? ` and a ${first.pressure.balloonMiB} MiB balloon` : ''} plus overhead) but this host has ${mib(usable.totalBytes)} (MemAvailable ${mib(budget.memAvailableBytes)} + ${mib(usable.swapBytes)} of usable swap${zram})`,
    fitsMiB > 0
      ? `use at most ${fitsMiB.toLocaleString('en-US')} MiB per workload (sizeMiB in the suite), free memory or add swap; --ignore-memory-check runs it anyway (the OOM killer may end the run)`
      : 'free memory or add swap; --ignore-memory-check runs it anyway (the OOM killer may end the run)',
  );
}

/** `3 h`, `2 days`: a rough duration. */
function roughDuration(seconds: number): string {
  if (seconds < 3600) return `${Math.ceil(seconds / 60)} min`;
  if (seconds < 2 * 86400) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400).toLocaleString('en-US')} days`;
}

/** Total samples of a suite (repetitions summed over its scenarios). */
export function suiteSamples(suite: Suite): number {
  return suite.scenarios.reduce((n, s) => n + s.repetitions, 0);
}

/** Throws when the suite has more samples than `maxSamples`, with an estimate of its duration. */
export function checkSampleCap(suite: Suite, maxSamples: number): void {
  const samples = suiteSamples(suite);
  if (samples <= maxSamples) return;
  throw new HintbenchError(
    `suite '${suite.name}' has ${samples.toLocaleString('en-US')} samples (${suite.scenarios.length} scenarios), more than the cap of ${maxSamples.toLocaleString('en-US')}; at about ${SECONDS_PER_SAMPLE} s per sample it would run ${roughDuration(samples * SECONDS_PER_SAMPLE)}`,
    `lower --reps or the suite's repetitions and matrix, or raise the cap with --max-samples ${samples}`,
  );
}
