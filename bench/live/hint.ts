import { startProbeSession, type ProbeSession } from '../../bpf/session.ts';
import { attribute, type AttributionWindow } from '../../core/attribution.ts';
import { createMechanism } from '../mechanisms/index.ts';
import type { HintTarget } from '../mechanisms/mechanism.ts';
import { nearestRankPercentile, summarize } from '../../core/stats/summary.ts';
import { pageSizeBytes } from '../../core/sys/mman.ts';
import { readMapsExact } from '../../core/proc/maps.ts';
import { readTaskStatus } from '../../core/proc/status.ts';
import { countBatches, hostLimits } from '../../core/sys/process-madvise.ts';
import type { Advice, MechanismName } from '../../core/types.ts';
import { readCpuFlags, userAddressLimit } from './address-space.ts';
import { probeMapKeys } from './probe-capacity.ts';
import { formatRange, planRanges, type RangeSelector } from './ranges.ts';
import { describeExit, resolveLiveTarget } from './target.ts';

/** Most repetitions `hintbench hint` accepts (the samples of each are kept and printed). */
export const MAX_REPEAT = 1_000_000;

/** What `hintbench hint` was asked to do. */
export interface LiveHintRequest {
  /** Process to hint; a thread id stands for its process. */
  pid: number;
  /** Thread to inject into (ptrace). */
  tid?: number;
  advice: Advice;
  via: Exclude<MechanismName, 'none'>;
  ranges: RangeSelector;
  /** Number of hints to deliver (latency statistics over all), 1..MAX_REPEAT. */
  repeat: number;
  /** Run a bpftrace session for kernel-side latency and reclaimed pages. */
  probe: boolean;
  /** Stops the repetitions after the hint in progress (Ctrl-C); what was measured is returned. */
  signal?: AbortSignal;
}

/** The result `hintbench hint` prints (its --json form has exactly these keys). */
export interface LiveHintResult {
  /** The process hinted (the thread group of a thread id given as --pid). */
  pid: number;
  /** The thread injected into (ptrace), or the pid (process_madvise). */
  tid: number;
  mechanism: Exclude<MechanismName, 'none'>;
  advice: Advice;
  /** Number of address ranges hinted per repetition (one per VMA or part of a VMA). */
  ranges: number;
  /** Bytes requested per repetition (the mapped parts of the ranges). */
  bytesRequested: number;
  /** Bytes advised by the first repetition (later ones advise the same ranges again). */
  bytesAdvised: number;
  /** Pages reclaimed by the first repetition's syscalls (probe), or null without probes. */
  reclaimedPages: number | null;
  /** Median caller-side latency over the repetitions, in ns. */
  latencyNs: number | null;
  /** 99th percentile (nearest rank) of the caller-side latency, in ns. */
  latencyP99Ns: number | null;
  /** Caller-side latency of every repetition, in ns. */
  samplesNs: number[];
  /** Median kernel-side latency (probe), in ns, or null without probes. */
  kernelLatencyNs: number | null;
  /** Repetitions whose kernel-side figures the probe recorded completely, or null without probes. */
  kernelSamples: number | null;
  /** Median time the target spent stopped by the injector, in ns (ptrace only). */
  injectorStopNs: number | null;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  swapBeforeBytes: number;
  swapAfterBytes: number;
  /** Parts not advised (`0xSTART-0xEND: reason`): left out before the first hint (unmapped, kernel mappings), then the first repetition's errors. */
  skipped: string[];
  /** What the figures rest on, in words: a thread resolved to its process. */
  notes: string[];
  /** What a reader must know about the figures: hints whose system calls the probe did not all record, probe trouble. */
  warnings: string[];
  /** First error met, or null. */
  error: string | null;
}

/** Lets pending signal handlers and I/O run: a loop of synchronous hints would otherwise never see Ctrl-C. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Starts the probe session; `signal` aborts the start only. Once the probes are attached the
 * session runs until stop(), so the hint in progress when a signal arrives is still recorded.
 */
async function startProbe(mapKeysMax: number, signal: AbortSignal | undefined): Promise<ProbeSession> {
  const startAbort = new AbortController();
  const onAbort = (): void => startAbort.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  try {
    return await startProbeSession({ scripts: ['hint-latency-batch'], mapKeysMax, signal: startAbort.signal });
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Hints a live process as a system manager would. Before any work: the target is resolved
 * (a thread id stands for its process; zombies, exiting processes, pid 1, kernel threads and
 * hintbench itself are refused), its VMAs are read once (through a live thread), the ranges
 * are checked against its address-space limit and clipped to its VMAs, and the probe's map
 * is sized for `repeat` hints. Then `repeat` hints are delivered with the chosen mechanism,
 * yielding to the event loop between hints so that a signal stops them after the hint in
 * progress. A hint error (vanished pid, EPERM) ends the repetitions and is returned in `error`.
 */
export async function hintLiveProcess(req: LiveHintRequest): Promise<LiveHintResult> {
  const target = resolveLiveTarget(req.pid, req.tid, req.via);
  const maps = readMapsExact(target.pid, target.viewTid);
  const limit = userAddressLimit(maps, { arch: process.arch, cpuFlags: readCpuFlags(), pageSizeBytes: pageSizeBytes() });
  const plan = planRanges(req.ranges, maps, limit, target.pid);
  const ranges = plan.ranges;
  const callsPerHint = req.via === 'ptrace' ? ranges.length : countBatches(ranges, hostLimits());
  const mapKeysMax = req.probe ? probeMapKeys(req.repeat, callsPerHint) : 0;

  const mechanism = await createMechanism(req.via);
  // ptrace pins the process (a pidfd of its thread-group id, valid while any thread lives)
  // and reads its memory and /proc entries through the thread it injects into.
  const mechTarget: HintTarget = req.via === 'ptrace' ? { pid: target.pid, tid: target.tid } : { pid: target.pid };
  let session: ProbeSession | null = null;
  const samplesNs: number[] = [];
  const stops: number[] = [];
  const windows: AttributionWindow[] = [];
  const before = readTaskStatus(target.pid, target.viewTid);
  const result: LiveHintResult = {
    pid: target.pid,
    tid: req.via === 'ptrace' ? target.tid : target.pid,
    mechanism: req.via,
    advice: req.advice,
    ranges: ranges.length,
    bytesRequested: ranges.reduce((s, r) => s + r.lengthBytes, 0),
    bytesAdvised: 0,
    reclaimedPages: null,
    latencyNs: null,
    latencyP99Ns: null,
    samplesNs,
    kernelLatencyNs: null,
    kernelSamples: null,
    injectorStopNs: null,
    rssBeforeBytes: before.rssBytes,
    rssAfterBytes: before.rssBytes,
    swapBeforeBytes: before.swapBytes,
    swapAfterBytes: before.swapBytes,
    skipped: plan.skipped.map((s) => `${formatRange(s)}: ${s.reason}`),
    notes: [...target.notes],
    warnings: [],
    error: null,
  };
  let interrupted = false;
  try {
    if (req.probe) session = await startProbe(mapKeysMax, req.signal);
    await mechanism.open(mechTarget);
    for (let i = 0; i < req.repeat; i++) {
      await yieldToEventLoop();
      if (req.signal?.aborted) {
        interrupted = true;
        result.error = `${req.signal.reason instanceof Error ? req.signal.reason.message : 'interrupted'} after ${i} of ${req.repeat} hints`;
        break;
      }
      const fromNs = Number(process.hrtime.bigint());
      const outcome = await mechanism.hint({ target: mechTarget, advice: req.advice, ranges });
      const toNs = Number(process.hrtime.bigint());
      if (i === 0) {
        result.bytesAdvised = outcome.bytesAdvised;
        for (const s of outcome.skipped)
          result.skipped.push(`${formatRange({ startAddr: BigInt(s.startAddr), endAddr: BigInt(s.startAddr) + BigInt(s.lengthBytes) })}: ${s.reason}`);
      }
      if (outcome.error !== null) {
        result.error = outcome.error;
        break;
      }
      samplesNs.push(outcome.userLatencyNs);
      stops.push(outcome.injectorStopNs);
      if (req.probe) windows.push({ label: `hint ${i}`, fromNs, toNs, tid: outcome.syscallTid, syscalls: outcome.syscalls });
    }
  } finally {
    await mechanism.close();
    await mechanism.dispose();
    if (session !== null) {
      const facts = await session.stop();
      const { figures, warnings } = attribute(facts, windows);
      const latenciesNs = figures.flatMap((f) => (f.kernelLatencyNs === null ? [] : [f.kernelLatencyNs]));
      result.reclaimedPages = figures[0]?.reclaimedPages ?? null;
      result.kernelLatencyNs = summarize(latenciesNs)?.median ?? null;
      result.kernelSamples = latenciesNs.length;
      result.warnings.push(...warnings, ...facts.warnings.map((w) => `probe: ${w}`));
    }
  }
  if (result.error !== null && !interrupted) {
    const exit = describeExit(target.pid);
    if (exit !== null) result.error = `${exit} (${result.error})`;
  }
  try {
    const after = readTaskStatus(target.pid, target.viewTid);
    result.rssAfterBytes = after.rssBytes;
    result.swapAfterBytes = after.swapBytes;
  } catch (err) {
    result.error ??= `pid ${target.pid} exited during the hint: ${err instanceof Error ? err.message : String(err)}`;
  }
  const stats = summarize(samplesNs);
  result.latencyNs = stats?.median ?? null;
  result.latencyP99Ns = nearestRankPercentile(samplesNs, 99);
  if (req.via === 'ptrace') result.injectorStopNs = summarize(stops)?.median ?? null;
  return result;
}
