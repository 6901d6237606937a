/** /proc/vmstat: the system-wide VM counters (pswpin, pswpout, pgmajfault, ...). */
import { readFileSync } from 'node:fs';

/** Parses /proc/vmstat into counter name -> value. */
export function parseVmstat(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [name, value] = line.trim().split(/\s+/);
    if (name && value !== undefined) out[name] = Number(value);
  }
  return out;
}

/** System-wide VM counters. */
export function readVmstat(): Record<string, number> {
  return parseVmstat(readFileSync('/proc/vmstat', 'utf8'));
}
