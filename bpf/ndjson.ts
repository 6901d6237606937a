/**
 * A pure parser for bpftrace's `-f json` output (written against bpftrace 0.17; later
 * versions use the same envelope).
 *
 * bpftrace prints one `{"type": ..., "data": ...}` object per line, with stray blank lines
 * between the run and the final map dump. What each type carries:
 *   attached_probes  {"probes": N}                          once, when every probe is attached
 *   printf           "text\n"                               one per printf() call
 *   time             "12:00:00\n"                           one per time() call
 *   map              {"@name": value | {"k1,k2": value}}    count/sum/min/max, plain and tuple-valued maps
 *   stats            {"@name": avg | {"key": avg}}          avg(); stats() gives {count, average, total}
 *   hist             {"@name": [bucket] | {"key": [bucket]}} hist() and lhist()
 *   lost_events      {"events": N}                          perf buffer overflow
 * A hist bucket is {min, max, count}; the underflow bucket has no `min` and the overflow
 * bucket (lhist) has no `max`. Multi-key maps join their keys with commas, and string keys
 * are not escaped: `@m[pid, comm]` prints "1234,hbw-retouch", and a comm containing a comma
 * prints "1234,a,b". splitMapKey() therefore takes the number of keys and gives every comma
 * after the first (arity - 1) to the last key, which is right whenever only the last key is a
 * string (hintbench's scripts put the numeric keys first for that reason).
 *
 * bpftrace's stderr carries a harmless "couldn't set RLIMIT_MEMLOCK" line on most systems and
 * compiler warnings; classifyStderrLine() separates those from real errors.
 */

/** One bucket of a hist() or lhist(): values in [minValue, maxValue]; null bounds mark under/overflow. */
export interface HistBucket {
  /** Smallest value in the bucket, or null for the underflow bucket. */
  minValue: number | null;
  /** Largest value in the bucket, or null for the overflow bucket (lhist). */
  maxValue: number | null;
  /** Number of values that fell in the bucket. */
  count: number;
}

/** The three figures of a stats() aggregation. */
export interface StatsValue {
  count: number;
  average: number;
  total: number;
}

/** One entry of a printed map: `key` is the raw (comma-joined) key, '' for a map without keys. */
export interface MapEntry<V> {
  key: string;
  value: V;
}

/** One parsed line of bpftrace's JSON output. */
export type BpftraceEvent =
  | { type: 'attached_probes'; probes: number }
  | { type: 'printf'; text: string }
  | { type: 'time'; text: string }
  | { type: 'map'; name: string; entries: MapEntry<MapValue>[] }
  | { type: 'stats'; name: string; entries: MapEntry<number | StatsValue>[] }
  | { type: 'hist'; name: string; entries: MapEntry<HistBucket[]>[] }
  | { type: 'lost_events'; events: number }
  | { type: 'unknown'; rawType: string; data: unknown }
  | { type: 'unparsed'; line: string };

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function toNumber(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

function parseBucket(v: unknown): HistBucket {
  const b = isObject(v) ? v : {};
  return {
    minValue: 'min' in b ? toNumber(b.min) : null,
    maxValue: 'max' in b ? toNumber(b.max) : null,
    count: toNumber(b.count ?? 0),
  };
}

function parseStats(v: unknown): number | StatsValue {
  if (isObject(v)) return { count: toNumber(v.count), average: toNumber(v.average), total: toNumber(v.total) };
  return toNumber(v);
}

/** A map value: a number, a string, or a tuple of them. */
export type MapValue = number | string | (number | string)[];

function parseScalar(v: unknown): MapValue {
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'number' ? x : String(x)));
  return typeof v === 'number' ? v : String(v);
}

/**
 * Entries of one printed map value: a keyed map is an object of key -> value, a map without
 * keys is the value itself (a number, a stats object or, for hist, a bucket array).
 */
function entriesOf<V>(value: unknown, keyed: (v: unknown) => boolean, parse: (v: unknown) => V): MapEntry<V>[] {
  if (keyed(value)) return Object.entries(value as JsonObject).map(([key, v]) => ({ key, value: parse(v) }));
  return [{ key: '', value: parse(value) }];
}

/** A stats value is keyed unless it is the {count, average, total} of a key-less stats(). */
function statsKeyed(v: unknown): boolean {
  return isObject(v) && !('average' in v && 'count' in v && 'total' in v && Object.keys(v).length === 3);
}

/**
 * Parses one line. Returns null for a blank line, `unparsed` for a line that is not a JSON
 * envelope (it is kept, not thrown, so a stray line never kills a session), `unknown` for a
 * type this parser does not know. A map/stats/hist line naming several maps yields the first;
 * use parseMapLines() to get all of them.
 */
export function parseLine(line: string): BpftraceEvent | null {
  const all = parseLineAll(line);
  return all === null ? null : (all[0] ?? null);
}

/** Like parseLine(), but a map/stats/hist line that names several maps yields one event each. */
export function parseLineAll(line: string): BpftraceEvent[] | null {
  const trimmed = line.trim();
  if (trimmed === '') return null;
  let obj: unknown;
  try {
    obj = JSON.parse(trimmed);
  } catch {
    return [{ type: 'unparsed', line: trimmed }];
  }
  if (!isObject(obj) || typeof obj.type !== 'string') return [{ type: 'unparsed', line: trimmed }];
  const data = obj.data;
  switch (obj.type) {
    case 'attached_probes':
      return [{ type: 'attached_probes', probes: isObject(data) ? toNumber(data.probes) : 0 }];
    case 'printf':
      return [{ type: 'printf', text: String(data ?? '') }];
    case 'time':
      return [{ type: 'time', text: String(data ?? '') }];
    case 'lost_events':
      return [{ type: 'lost_events', events: isObject(data) ? toNumber(data.events) : toNumber(data) }];
    case 'map':
    case 'stats':
    case 'hist': {
      if (!isObject(data)) return [{ type: 'unknown', rawType: obj.type, data }];
      const type = obj.type;
      return Object.entries(data).map(([name, value]): BpftraceEvent => {
        if (type === 'map') return { type, name, entries: entriesOf(value, isObject, parseScalar) };
        if (type === 'stats') return { type, name, entries: entriesOf(value, statsKeyed, parseStats) };
        return { type, name, entries: entriesOf(value, isObject, (v) => (Array.isArray(v) ? v.map(parseBucket) : [])) };
      });
    }
    default:
      return [{ type: 'unknown', rawType: obj.type, data }];
  }
}

/** Parses a whole captured output (many lines); blank lines are skipped. */
export function parseOutput(text: string): BpftraceEvent[] {
  const out: BpftraceEvent[] = [];
  for (const line of text.split('\n')) {
    const evs = parseLineAll(line);
    if (evs !== null) out.push(...evs);
  }
  return out;
}

/**
 * Splits a comma-joined map key into `arity` parts. bpftrace does not escape commas inside
 * string keys, so the last part takes every comma beyond the first arity - 1: correct when
 * only the last key can contain commas (put numeric keys first).
 */
export function splitMapKey(key: string, arity: number): string[] {
  if (arity <= 1) return [key];
  const parts: string[] = [];
  let rest = key;
  for (let i = 0; i < arity - 1; i++) {
    const at = rest.indexOf(',');
    if (at < 0) break;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  parts.push(rest);
  return parts;
}

/**
 * Parses a printf line of the form `<tag> key=value key=value ...` (hintbench's scripts
 * print that shape). Returns null when the line does not start with `tag`. Values are strings;
 * a value cannot contain spaces.
 */
export function parseKeyValueLine(text: string, tag: string): Record<string, string> | null {
  const words = text.trim().split(/\s+/);
  if (words[0] !== tag) return null;
  const out: Record<string, string> = {};
  for (const w of words.slice(1)) {
    const eq = w.indexOf('=');
    if (eq <= 0) continue;
    out[w.slice(0, eq)] = w.slice(eq + 1);
  }
  return out;
}

/** What a line bpftrace wrote on stderr is. */
export type StderrKind = 'noise' | 'warning' | 'error' | 'other';

/**
 * Classifies one stderr line: `noise` for the RLIMIT_MEMLOCK notice bpftrace prints even
 * when it works, `warning` for compiler warnings (and their source excerpts), `error` for
 * lines carrying ERROR, `other` for the rest.
 */
export function classifyStderrLine(line: string): StderrKind {
  if (/RLIMIT_MEMLOCK/.test(line)) return 'noise';
  if (/\bERROR\b/.test(line)) return 'error';
  if (/\bWARNING\b/.test(line)) return 'warning';
  return 'other';
}

/** The stderr lines worth showing a user: everything but the RLIMIT_MEMLOCK notice and blank lines. */
export function meaningfulStderr(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '' && classifyStderrLine(l) !== 'noise');
}
