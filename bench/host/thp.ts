/** Transparent huge page mode. */
import { HOST_ROOT, readHostText } from '../../core/proc/hostfs.ts';

/** Parses a sysfs choice list such as `always [madvise] never` into the bracketed value; null when none is bracketed. */
export function parseThpMode(text: string): string | null {
  const m = /\[([^\]]+)\]/.exec(text);
  return m?.[1] ?? null;
}

/** THP mode (/sys/kernel/mm/transparent_hugepage/enabled), or `unavailable` when THP is not built. */
export function readThpMode(root: string = HOST_ROOT): string {
  const text = readHostText(root, '/sys/kernel/mm/transparent_hugepage/enabled');
  return text === null ? 'unavailable' : (parseThpMode(text) ?? 'unknown');
}

/** THP defrag mode (/sys/kernel/mm/transparent_hugepage/defrag), or null when unreadable. */
export function readThpDefrag(root: string = HOST_ROOT): string | null {
  const text = readHostText(root, '/sys/kernel/mm/transparent_hugepage/defrag');
  return text === null ? null : parseThpMode(text);
}
