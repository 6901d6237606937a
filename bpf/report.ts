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
  /** One record per COLD/PAGEOUT madvise or process_madvise call, in arrival order. */
  hints: ProbeHint[];
  /** Major faults per (pid, comm); empty when refaults.bt was not selected or bpftrace did not exit cleanly. */
  majorFaults: MajorFaultCount[];
  /** One record per ptrace or job-control stop that ended during the session. */
  stalls: ProbeStall[];
  /** Background reclaim per comm, when reclaim-bg.bt was selected and bpftrace exited cleanly. */
  background?: BackgroundReclaim[];
  /** Events bpftrace reported lost (perf buffer full). */
  lostEvents: number;
  /** Things a reader should know: lost events, unclean exit, unparsed lines. */
  warnings: string[];
}

/** An empty report. */
export function emptyReport(): ProbeReport {
  return { hints: [], majorFaults: [], stalls: [], lostEvents: 0, warnings: [] };
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

/** Builds a report from a list of parsed events (e.g. a captured output). */
export function reportFromEvents(events: readonly BpftraceEvent[]): ProbeReport {
  const r = emptyReport();
  for (const ev of events) applyEvent(r, ev);
  if (r.lostEvents > 0) r.warnings.push(`bpftrace lost ${r.lostEvents} events: per-hint figures may be missing`);
  return r;
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
