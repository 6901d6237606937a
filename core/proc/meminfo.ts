/** /proc/meminfo: the system's memory figures. */
import { HOST_ROOT, readHostText } from './hostfs.ts';

/** Parses /proc/meminfo into field -> bytes (values given in kB are converted; others are kept as they are). */
export function parseMeminfo(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^(\w+(?:\(\w+\))?):\s+(\d+)(\s*kB)?\s*$/gm)) out[m[1]!] = Number(m[2]) * (m[3] === undefined ? 1 : 1024);
  return out;
}

/** /proc/meminfo below `root` as field -> bytes, or null when it cannot be read. */
export function readMeminfo(root: string = HOST_ROOT): Record<string, number> | null {
  const text = readHostText(root, '/proc/meminfo');
  return text === null ? null : parseMeminfo(text);
}
