/** /proc/PID/smaps: per-mapping memory figures (Rss, Swap, AnonHugePages, ...), in bytes. */
import { readFileSync } from 'node:fs';

/** One mapping of /proc/PID/smaps with its `Name: N kB` fields converted to bytes. */
export interface SmapsEntry {
  startAddr: number;
  endAddr: number;
  /** Field name (Rss, Pss, Swap, AnonHugePages, ShmemPmdMapped, ...) -> bytes. */
  bytes: Record<string, number>;
}

/** Parses smaps text. */
export function parseSmaps(text: string): SmapsEntry[] {
  const out: SmapsEntry[] = [];
  let cur: SmapsEntry | null = null;
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (head !== null) {
      cur = { startAddr: Number.parseInt(head[1]!, 16), endAddr: Number.parseInt(head[2]!, 16), bytes: {} };
      out.push(cur);
      continue;
    }
    const field = /^(\w+):\s+(\d+) kB$/.exec(line);
    if (field !== null && cur !== null) cur.bytes[field[1]!] = Number(field[2]) * 1024;
  }
  return out;
}

/** Sum of one field over the mappings of `pid` that overlap [startAddr, startAddr + lengthBytes), bytes. */
export function smapsFieldIn(entries: readonly SmapsEntry[], field: string, startAddr: number, lengthBytes: number): number {
  const end = startAddr + lengthBytes;
  return entries.filter((e) => e.startAddr < end && e.endAddr > startAddr).reduce((n, e) => n + (e.bytes[field] ?? 0), 0);
}

/** The smaps of process `pid`. */
export function readSmaps(pid: number): SmapsEntry[] {
  return parseSmaps(readFileSync(`/proc/${pid}/smaps`, 'utf8'));
}
