/**
 * What a probe session saw, built from bpftrace's parsed output, and the lookups the runner
 * uses to attribute it to one hint or one workload phase. Pure: no I/O.
 */
import type { ProbeHint } from '../bench/types.ts';
import { parseHintLine, parseStallLine, type ProbeStall } from './events.ts';
import { splitMapKey, type BpftraceEvent } from './ndjson.ts';

/** Major faults of one process while its faulting thread had one name. */
export interface MajorFaultCount {
  /** Process id (tgid). */
  pid: number;
  /** Thread name at fault time (e.g. `hbw-retouch`). */
  comm: string;
  /** Major faults counted. */
  count: number;
}

/** Pages reclaimed during the session by one thread name (reclaim-bg.bt): noise next to the hints. */
export interface BackgroundReclaim {
  /** Thread name (kdamond.0, kswapd0, a process doing direct reclaim, ...). */
  comm: string;
  /** Pages reclaimed through reclaim_pages() (MADV_PAGEOUT, DAMON). */
  reclaimPages: number;
  /** Pages reclaimed by LRU shrinking (kswapd, direct and memcg reclaim). */
  lruPages: number;
}

/** Everything one probe session collected. */
export interface ProbeReport {
  /** One record per COLD/PAGEOUT madvise or process_madvise call, by enter time (from hint-latency or hint-latency-batch). */
  hints: ProbeHint[];
  /** Major faults per (pid, comm); empty when refaults.bt was not selected or bpftrace did not exit cleanly. */
  majorFaults: MajorFaultCount[];
  /** System calls that returned EINTR, per process (eintr.bt); empty when not selected or bpftrace did not exit cleanly. */
  eintr: { pid: number; count: number }[];
  /** One record per ptrace or job-control stop that ended during the session. */
  stalls: ProbeStall[];
  /** Background reclaim per comm, when reclaim-bg.bt was selected and bpftrace exited cleanly. */
  background?: BackgroundReclaim[];
  /** Hint calls hint-latency-batch.bt counted (records beyond its map size are missing from `hints`). */
  batchHintCalls?: number;
  /** Events bpftrace reported lost (perf buffer full). */
  lostEvents: number;
  /** Things a reader should know: lost events, unclean exit, unparsed lines. */
  warnings: string[];
}

/** An empty report. */
export function emptyReport(): ProbeReport {
  return { hints: [], majorFaults: [], eintr: [], stalls: [], lostEvents: 0, warnings: [] };
}

/**
 * Folds one parsed event into a report (mutating it). printf lines become hints and stalls;
 * the final maps become major-fault and background counts; internal maps are ignored.
 */
export function applyEvent(report: ProbeReport, ev: BpftraceEvent): void {
  switch (ev.type) {
    case 'printf': {
      for (const line of ev.text.split('\n')) {
        if (line.trim() === '') continue;
        const hint = parseHintLine(line);
        if (hint !== null) {
          report.hints.push(hint);
          continue;
        }
        const stall = parseStallLine(line);
        if (stall !== null) {
          report.stalls.push(stall);
          continue;
        }
        report.warnings.push(`unrecognised probe line: ${line.slice(0, 200)}`);
      }
      return;
    }
    case 'lost_events':
      report.lostEvents += ev.events;
      return;
    case 'map':
      if (ev.name === '@hb_majflt') {
        for (const e of ev.entries) {
          const [pid, comm] = splitMapKey(e.key, 2);
          report.majorFaults.push({ pid: Number(pid), comm: comm ?? '', count: Number(e.value) });
        }
      } else if (ev.name === '@hb_eintr') {
        for (const e of ev.entries) report.eintr.push({ pid: Number(e.key), count: Number(e.value) });
      } else if (ev.name === '@hb_hbat_rec') {
        for (const e of ev.entries) {
          const hint = hintFromRecord(e.key, e.value);
          if (hint === null) report.warnings.push(`unreadable hint record ${e.key}`);
          else report.hints.push(hint);
        }
      } else if (ev.name === '@hb_hbat_calls') {
        report.batchHintCalls = (report.batchHintCalls ?? 0) + Number(ev.entries[0]?.value ?? 0);
      } else if (ev.name === '@hb_bg_reclaim_pages' || ev.name === '@hb_bg_lru_pages') {
        const bg = (report.background ??= []);
        for (const e of ev.entries) {
          let row = bg.find((b) => b.comm === e.key);
          if (row === undefined) {
            row = { comm: e.key, reclaimPages: 0, lruPages: 0 };
            bg.push(row);
          }
          if (ev.name === '@hb_bg_reclaim_pages') row.reclaimPages += Number(e.value);
          else row.lruPages += Number(e.value);
        }
      }
      return;
    case 'unparsed':
      report.warnings.push(`unparsed bpftrace output: ${ev.line.slice(0, 200)}`);
      return;
    default:
      return;
  }
}

/**
 * A hint from a hint-latency-batch.bt record: key `tid,enter_ns`, value
 * `[pid, syscall (1 = process_madvise, 2 = madvise), behavior, latency_ns, reclaimed_pages, ret]`.
 */
export function hintFromRecord(key: string, value: unknown): ProbeHint | null {
  const [tid, enterNs] = splitMapKey(key, 2).map(Number);
  if (!Array.isArray(value) || value.length < 6 || tid === undefined || enterNs === undefined || !Number.isFinite(tid) || !Number.isFinite(enterNs)) return null;
  const [pid, sys, behavior, latencyNs, reclaimedPages, ret] = value.map(Number) as [number, number, number, number, number, number];
  if (sys !== 1 && sys !== 2) return null;
  return { pid, tid, syscall: sys === 1 ? 'process_madvise' : 'madvise', behavior, enterNs, latencyNs, reclaimedPages, ret };
}

/**
 * Completes a report after the last event: hints sorted by enter time with duplicates (the
 * same call seen by hint-latency.bt and hint-latency-batch.bt: same tid, overlapping times) removed, and warnings for lost
 * events and for batch records that did not fit in the map.
 */
export function finishReport(r: ProbeReport): ProbeReport {
  // A thread makes one syscall at a time, so two records of one tid whose [enter, exit]
  // intervals overlap are the same call seen by both hint scripts (each reads the clock itself).
  const lastEndByTid = new Map<number, number>();
  r.hints = [...r.hints]
    .sort((a, b) => a.enterNs - b.enterNs)
    .filter((h) => {
      const end = lastEndByTid.get(h.tid);
      if (end !== undefined && h.enterNs <= end) return false;
      lastEndByTid.set(h.tid, h.enterNs + h.latencyNs);
      return true;
    });
  if (r.lostEvents > 0) r.warnings.push(`bpftrace lost ${r.lostEvents} events: per-hint and per-stall figures may be missing`);
  if (r.batchHintCalls !== undefined) {
    const recorded = r.hints.length;
    if (r.batchHintCalls > recorded) r.warnings.push(`hint-latency-batch saw ${r.batchHintCalls} hint calls but its map kept ${recorded}: raise mapKeysMax`);
  }
  return r;
}

/** Builds a report from a list of parsed events (e.g. a captured output). */
export function reportFromEvents(events: readonly BpftraceEvent[]): ProbeReport {
  const r = emptyReport();
  for (const ev of events) applyEvent(r, ev);
  return finishReport(r);
}

/** A CLOCK_MONOTONIC time as Node gives it (process.hrtime.bigint()) or as a number of ns. */
export type MonotonicNs = number | bigint;

/** The hints of thread `tid` that entered the kernel within [fromNs, toNs] (inclusive). */
export function hintsFor(report: Pick<ProbeReport, 'hints'>, tid: number, fromNs: MonotonicNs, toNs: MonotonicNs): ProbeHint[] {
  const from = Number(fromNs);
  const to = Number(toNs);
  return report.hints.filter((h) => h.tid === tid && h.enterNs >= from && h.enterNs <= to);
}

/** Major faults of process `pid` under thread name `comm`, or under every name when comm is omitted. */
export function majorFaultsFor(report: Pick<ProbeReport, 'majorFaults'>, pid: number, comm?: string): number {
  return report.majorFaults.filter((f) => f.pid === pid && (comm === undefined || f.comm === comm)).reduce((s, f) => s + f.count, 0);
}

/**
 * Time the threads `tids` spent stopped within [fromNs, toNs], in ns: each stop is clipped
 * to the window, so a stop that began before the window counts only its part inside it.
 */
export function stallNsFor(report: Pick<ProbeReport, 'stalls'>, tids: Iterable<number>, fromNs: MonotonicNs, toNs: MonotonicNs): number {
  const want = new Set(tids);
  const from = Number(fromNs);
  const to = Number(toNs);
  let total = 0;
  for (const s of report.stalls) {
    if (!want.has(s.tid)) continue;
    const a = Math.max(from, s.startNs);
    const b = Math.min(to, s.startNs + s.durationNs);
    if (b > a) total += b - a;
  }
  return total;
}
