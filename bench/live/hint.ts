import { startProbeSession, type ProbeSession } from '../../bpf/session.ts';
import { HintbenchError } from '../errors.ts';
import { createMechanism } from '../mechanisms/index.ts';
import { summarize } from '../stats/summary.ts';
import { readMaps, readStatus } from '../sys/proc.ts';
import type { Advice, MechanismName } from '../types.ts';
import { selectRanges, type RangeSelector } from './ranges.ts';
import { checkLiveTarget } from './target.ts';

/** What `hintbench hint` was asked to do. */
export interface LiveHintRequest {
  pid: number;
  tid?: number;
  advice: Advice;
  via: Exclude<MechanismName, 'none'>;
  ranges: RangeSelector;
  /** Number of hints to deliver (latency statistics over all). */
  repeat: number;
  /** Run a bpftrace session for kernel-side latency and reclaimed pages. */
  probe: boolean;
  /** Stops the repetitions after the hint in progress (Ctrl-C); what was measured is returned. */
  signal?: AbortSignal;
}

/** The result `hintbench hint` prints (its --json form has exactly these keys). */
export interface LiveHintResult {
  pid: number;
  tid: number;
  mechanism: Exclude<MechanismName, 'none'>;
  advice: Advice;
  /** Number of address ranges hinted per repetition. */
  ranges: number;
  /** Bytes requested per repetition. */
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
  /** Median time the target spent stopped by the injector, in ns (ptrace only). */
  injectorStopNs: number | null;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  swapBeforeBytes: number;
  swapAfterBytes: number;
  /** Skipped ranges of the first repetition (`START-END: ERRNO`). */
  skipped: string[];
  /** First error met, or null. */
  error: string | null;
}

/**
 * Hints a live process as a system manager would: the ranges come from its
 * /proc/PID/maps (read once, before the first hint), then `repeat` hints are delivered with
 * the chosen mechanism. Refuses pid 1, kernel threads and hintbench itself. A hint error
 * (vanished pid, EPERM) ends the repetitions and is returned in `error`.
 */
export async function hintLiveProcess(req: LiveHintRequest): Promise<LiveHintResult> {
  checkLiveTarget(req.pid, req.tid);
  const ranges = selectRanges(req.ranges, readMaps(req.pid));
  if (ranges.length === 0) throw new HintbenchError(`pid ${req.pid} has no ${req.ranges.kind} mappings to hint`, 'choose other --ranges (anon, file, all or START-END)');
  const mechanism = await createMechanism(req.via);
  let session: ProbeSession | null = null;
  if (req.probe) session = await startProbeSession({ scripts: ['hint-latency-batch'] });
  const before = readStatus(req.pid);
  const samplesNs: number[] = [];
  const windows: { fromNs: number; toNs: number; tid: number }[] = [];
  const stops: number[] = [];
  const result: LiveHintResult = {
    pid: req.pid,
    tid: req.tid ?? req.pid,
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
    injectorStopNs: null,
    rssBeforeBytes: before.rssBytes,
    rssAfterBytes: before.rssBytes,
    swapBeforeBytes: before.swapBytes,
    swapAfterBytes: before.swapBytes,
    skipped: [],
    error: null,
  };
  try {
    await mechanism.open({ pid: req.pid, ...(req.tid !== undefined ? { tid: req.tid } : {}) });
    for (let i = 0; i < req.repeat; i++) {
      if (req.signal?.aborted) {
        result.error = `${req.signal.reason instanceof Error ? req.signal.reason.message : 'interrupted'} after ${i} of ${req.repeat} hints`;
        break;
      }
      const fromNs = Number(process.hrtime.bigint());
      const outcome = await mechanism.hint({ target: { pid: req.pid, ...(req.tid !== undefined ? { tid: req.tid } : {}) }, advice: req.advice, ranges });
      const toNs = Number(process.hrtime.bigint());
      if (i === 0) {
        result.bytesAdvised = outcome.bytesAdvised;
        result.skipped = outcome.skipped.map((s) => `0x${s.startAddr.toString(16)}-0x${(s.startAddr + s.lengthBytes).toString(16)}: ${s.reason}`);
      }
      if (outcome.error !== null) {
        result.error = outcome.error;
        break;
      }
      samplesNs.push(outcome.userLatencyNs);
      stops.push(outcome.injectorStopNs);
      windows.push({ fromNs, toNs, tid: outcome.syscallTid });
    }
  } finally {
    await mechanism.close();
    await mechanism.dispose();
    if (session !== null) {
      const facts = await session.stop();
      const perRep = windows.map((w) => facts.hints.filter((h) => h.tid === w.tid && h.enterNs >= w.fromNs && h.enterNs <= w.toNs));
      if (perRep.length > 0 && perRep.every((hs) => hs.length > 0)) {
        result.reclaimedPages = perRep[0]!.reduce((s, h) => s + h.reclaimedPages, 0);
        result.kernelLatencyNs = summarize(perRep.map((hs) => hs.reduce((s, h) => s + h.latencyNs, 0)))?.median ?? null;
      }
    }
  }
  try {
    const after = readStatus(req.pid);
    result.rssAfterBytes = after.rssBytes;
    result.swapAfterBytes = after.swapBytes;
  } catch (err) {
    result.error ??= `pid ${req.pid} exited during the hint: ${err instanceof Error ? err.message : String(err)}`;
  }
  const stats = summarize(samplesNs);
  result.latencyNs = stats?.median ?? null;
  result.latencyP99Ns = stats?.p99 ?? null;
  if (req.via === 'ptrace') result.injectorStopNs = summarize(stops)?.median ?? null;
  return result;
}
