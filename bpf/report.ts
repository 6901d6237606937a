/**
 * What a probe session saw, built from bpftrace's parsed output, and the lookups the runner
 * uses to attribute it to one hint or one workload phase. Pure: no I/O.
 */
import type { HintSchedRecord, ProbeFacts, ProbeHint, RefaultLatency } from '../core/types.ts';
import { parseHintLine, parseReclaimLine, parseReclaimThrottleLine, parseStallLine } from './events.ts';
import { splitMapKey, type BpftraceEvent, type HistBucket } from './ndjson.ts';

/** Pages reclaimed during the session by one thread name (reclaim-bg.bt): noise next to the hints. */
export interface BackgroundReclaim {
  /** Thread name (kdamond.0, kswapd0, a process doing direct reclaim, ...). */
  comm: string;
  /** Pages reclaimed through reclaim_pages() (MADV_PAGEOUT, DAMON). */
  reclaimPages: number;
  /** Pages reclaimed by LRU shrinking (kswapd, direct and memcg reclaim). */
  lruPages: number;
}

/** A script whose lines are printed one per event while the session runs, and counted per thread at exit. */
export type LineScript = 'hint-latency' | 'stall' | 'reclaim-events';

/** Lines a script printed for one thread (its final count map) that never reached the reader. */
export interface UndeliveredLines {
  /** The script that printed them. */
  script: LineScript;
  /** Thread the lines were about (the hinting thread, or the stopped thread). */
  tid: number;
  /** Lines counted by the script minus lines received. */
  count: number;
}

/** Everything one probe session collected: the facts attribution needs and what else the scripts report. */
export interface ProbeReport extends ProbeFacts {
  /**
   * Records of hint-latency-batch.bt not yet merged into `hints`: finishReport() merges them,
   * dropping those hint-latency.bt also reported (same thread, overlapping [enter, exit]).
   */
  batchRecords?: ProbeHint[];
  /** Per script and thread, the lines the script counted in its final map (absent until bpftrace exits cleanly). */
  printedLines?: { script: LineScript; tid: number; count: number }[];
  /**
   * Lines a script printed but the reader never received (e.g. still in bpftrace's buffers
   * when it stopped): the hints or stalls of those threads are incomplete. Empty when
   * everything arrived, or when the counts are unknown (bpftrace did not exit cleanly).
   */
  undeliveredLines: UndeliveredLines[];
  /** Background reclaim per comm, when reclaim-bg.bt was selected and bpftrace exited cleanly. */
  background?: BackgroundReclaim[];
  /** Events bpftrace reported lost (perf buffer full). */
  lostEvents: number;
  /** Things a reader should know: lost events, unclean exit, unparsed lines. */
  warnings: string[];
}

/** An empty report. */
export function emptyReport(): ProbeReport {
  return { hints: [], majorFaults: [], eintr: [], stalls: [], undeliveredLines: [], lostEvents: 0, warnings: [] };
}

/** Final count maps of the line-printing scripts, by map name. */
const LINE_COUNT_MAPS: Readonly<Record<string, LineScript>> = { '@hb_hint_lines': 'hint-latency', '@hb_stall_lines': 'stall', '@hb_rcl_lines': 'reclaim-events' };

/**
 * Folds one parsed event into a report (mutating it). printf lines become hints and stalls;
 * the final maps become major-fault, background and printed-line counts and batch records;
 * internal maps are ignored.
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
        const reclaim = parseReclaimLine(line);
        if (reclaim !== null) {
          report.reclaims ??= [];
          report.reclaims.push(reclaim);
          continue;
        }
        const throttle = parseReclaimThrottleLine(line);
        if (throttle !== null) {
          report.reclaimThrottles ??= [];
          report.reclaimThrottles.push(throttle);
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
        report.batchRecords ??= [];
        const records = report.batchRecords;
        for (const e of ev.entries) {
          const hint = hintFromRecord(e.key, e.value);
          if (hint === null) report.warnings.push(`unreadable hint record ${e.key}`);
          else records.push(hint);
        }
      } else if (LINE_COUNT_MAPS[ev.name] !== undefined) {
        const script = LINE_COUNT_MAPS[ev.name]!;
        report.printedLines ??= [];
        const printed = report.printedLines;
        for (const e of ev.entries) printed.push({ script, tid: Number(e.key), count: Number(e.value) });
      } else if (ev.name === '@hb_hbat_calls') {
        report.hintCalls = (report.hintCalls ?? 0) + Number(ev.entries[0]?.value ?? 0);
      } else if (ev.name === '@hb_tlb_n' || ev.name === '@hb_ipi_n') {
        report.hintEvents ??= [];
        const source = ev.name === '@hb_tlb_n' ? 'tlb' : 'ipi';
        for (const e of ev.entries) {
          const [tid, enterNs, kind] = splitMapKey(e.key, 3).map(Number);
          if (tid === undefined || enterNs === undefined || kind === undefined || ![tid, enterNs, kind].every(Number.isFinite)) {
            report.warnings.push(`unreadable ${ev.name} key ${e.key}`);
            continue;
          }
          report.hintEvents.push({ source, tid, enterNs, kind, count: Number(e.value) });
        }
      } else if (ev.name === '@hb_hsch_rec') {
        report.hintSched ??= [];
        for (const e of ev.entries) {
          const rec = schedFromRecord(e.key, e.value);
          if (rec === null) report.warnings.push(`unreadable hint-sched record ${e.key}`);
          else report.hintSched.push(rec);
        }
      } else if (ev.name === '@hb_hsch_calls') {
        report.hintSchedCalls = (report.hintSchedCalls ?? 0) + Number(ev.entries[0]?.value ?? 0);
      } else if (ev.name === '@hb_rfl_sum' || ev.name === '@hb_rfl_n') {
        for (const e of ev.entries) {
          const row = refaultRow(report, Number(e.key));
          if (ev.name === '@hb_rfl_sum') row.sumNs += Number(e.value);
          else row.count += Number(e.value);
        }
      } else if (ev.name === '@hb_bg_reclaim_pages' || ev.name === '@hb_bg_lru_pages') {
        report.background ??= [];
        const bg = report.background;
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
    case 'hist':
      if (ev.name === '@hb_rfl_hist') {
        for (const e of ev.entries) {
          const row = refaultRow(report, Number(e.key));
          row.log2Buckets = addBuckets(row.log2Buckets, log2Buckets(e.value));
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
 * A hint-sched.bt record: key `tid,enter_ns`, value
 * `[cpu_enter, cpu_exit, migrations, switches, preemptions, off_cpu_ns]`.
 */
export function schedFromRecord(key: string, value: unknown): HintSchedRecord | null {
  const [tid, enterNs] = splitMapKey(key, 2).map(Number);
  if (!Array.isArray(value) || value.length < 6 || tid === undefined || enterNs === undefined || !Number.isFinite(tid) || !Number.isFinite(enterNs)) return null;
  const v = value.map(Number);
  if (!v.every(Number.isFinite)) return null;
  const [cpuEnter, cpuExit, migrations, switches, preemptions, offCpuNs] = v as [number, number, number, number, number, number];
  return { tid, enterNs, cpuEnter, cpuExit, migrations, switches, preemptions, offCpuNs };
}

/**
 * A bpftrace hist() as counts per log2 bucket: index i holds [2^i, 2^(i+1)) (index 0 also
 * holds 0, and the underflow bucket of negative values, which latencies never have).
 */
export function log2Buckets(buckets: readonly HistBucket[]): number[] {
  const out: number[] = [];
  for (const b of buckets) {
    const min = b.minValue ?? 0;
    const i = min <= 1 ? 0 : Math.round(Math.log2(min));
    while (out.length <= i) out.push(0);
    out[i]! += b.count;
  }
  return out;
}

/** Bucket-wise sum of two log2 histograms. */
function addBuckets(a: readonly number[], b: readonly number[]): number[] {
  return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => (a[i] ?? 0) + (b[i] ?? 0));
}

/** The refault-latency row of process `pid`, created empty when absent. */
function refaultRow(report: ProbeReport, pid: number): RefaultLatency {
  report.refaultLatency ??= [];
  let row = report.refaultLatency.find((r) => r.pid === pid);
  if (row === undefined) {
    row = { pid, log2Buckets: [], count: 0, sumNs: 0 };
    report.refaultLatency.push(row);
  }
  return row;
}

/** Sorts hints by enter time (ties by tid), without mutating the input. */
function byEnterTime(hints: readonly ProbeHint[]): ProbeHint[] {
  return [...hints].sort((a, b) => a.enterNs - b.enterNs || a.tid - b.tid);
}

/**
 * The batch records that hint-latency.bt did not report as well. A thread makes one syscall
 * at a time, so a batch record whose [enter, exit] overlaps a printed hint of the same thread
 * is that same call (each script reads the clock itself, a few microseconds apart). Records
 * of one script are never compared with each other: each is a distinct call, even when two
 * of them seem to overlap because the thread changed CPU between two calls.
 */
function batchOnly(printed: readonly ProbeHint[], batch: readonly ProbeHint[]): ProbeHint[] {
  const byTid = new Map<number, ProbeHint[]>();
  for (const h of printed) {
    const list = byTid.get(h.tid);
    if (list === undefined) byTid.set(h.tid, [h]);
    else list.push(h);
  }
  const overlaps = (a: ProbeHint, b: ProbeHint): boolean => a.enterNs <= b.enterNs + b.latencyNs && b.enterNs <= a.enterNs + a.latencyNs;
  return batch.filter((r) => !(byTid.get(r.tid) ?? []).some((h) => overlaps(h, r)));
}

/** Per (script, tid), lines counted by the script minus lines received; only positive differences. */
function undelivered(
  printed: readonly { script: LineScript; tid: number; count: number }[],
  received: Readonly<Record<LineScript, ReadonlyMap<number, number>>>,
): UndeliveredLines[] {
  const out: UndeliveredLines[] = [];
  for (const p of printed) {
    const missing = p.count - (received[p.script].get(p.tid) ?? 0);
    if (missing > 0) out.push({ script: p.script, tid: p.tid, count: missing });
  }
  return out.sort((a, b) => a.script.localeCompare(b.script) || a.tid - b.tid);
}

/** Number of items per tid. */
function countByTid(items: readonly { tid: number }[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const x of items) m.set(x.tid, (m.get(x.tid) ?? 0) + 1);
  return m;
}

/**
 * Completes a report after the last event: printed hints and batch records merged by enter
 * time, each call once (see batchOnly()); lines the scripts counted but the reader never
 * received listed in `undeliveredLines`; and warnings for lost events, undelivered lines and
 * batch records that did not fit in the map. Returns a new report; the input is not changed.
 */
export function finishReport(r: ProbeReport): ProbeReport {
  const { batchRecords, ...rest } = r;
  const printedHints = r.hints;
  const hints = byEnterTime([...printedHints, ...batchOnly(printedHints, batchRecords ?? [])]);
  const undeliveredLines = undelivered(r.printedLines ?? [], {
    'hint-latency': countByTid(printedHints),
    stall: countByTid(r.stalls),
    'reclaim-events': countByTid([...(r.reclaims ?? []), ...(r.reclaimThrottles ?? [])]),
  });
  const warnings = [...r.warnings];
  if (r.lostEvents > 0) warnings.push(`bpftrace lost ${r.lostEvents} events: per-hint and per-stall figures may be missing`);
  const what: Readonly<Record<LineScript, string>> = { 'hint-latency': 'hints', stall: 'stalls', 'reclaim-events': 'reclaim passes' };
  for (const script of ['hint-latency', 'stall', 'reclaim-events'] as const) {
    const missing = undeliveredLines.filter((u) => u.script === script);
    if (missing.length === 0) continue;
    const total = missing.reduce((s, u) => s + u.count, 0);
    const tids = missing.map((u) => `${u.tid} (${u.count})`).join(', ');
    warnings.push(`${script}.bt printed ${total} line(s) that never arrived, for tid(s) ${tids}: the ${what[script]} of those threads are incomplete`);
  }
  if (r.hintSchedCalls !== undefined && r.hintSchedCalls > (r.hintSched?.length ?? 0)) {
    warnings.push(`hint-sched saw ${r.hintSchedCalls} hint calls but its map kept ${r.hintSched?.length ?? 0}: raise mapKeysMax`);
  }
  if (r.hintCalls !== undefined) {
    const recorded = batchRecords?.length ?? 0;
    if (r.hintCalls > recorded) warnings.push(`hint-latency-batch saw ${r.hintCalls} hint calls but its map kept ${recorded}: raise mapKeysMax`);
  }
  return { ...rest, hints, undeliveredLines, warnings };
}

/** Builds a report from a list of parsed events (e.g. a captured output). */
export function reportFromEvents(events: readonly BpftraceEvent[]): ProbeReport {
  const r = emptyReport();
  for (const ev of events) applyEvent(r, ev);
  return finishReport(r);
}
