/**
 * /proc/interrupts, the lines an explanation of IPI costs needs: `TLB` (TLB shootdown
 * interrupts received) and `CAL` (function-call interrupts received), summed over CPUs. x86
 * prints both; other architectures name them differently or not at all.
 */
import { HOST_ROOT, readHostText } from './hostfs.ts';

/** Interrupts received on all CPUs since boot; null where the line is absent. */
export interface IpiCounts {
  /** `TLB:` TLB shootdowns. */
  tlbShootdowns: number | null;
  /** `CAL:` function-call interrupts. */
  functionCalls: number | null;
}

/** The per-CPU counts of the line named `name` (`TLB`), summed; null when there is no such line. */
function lineTotal(text: string, name: string): number | null {
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t.startsWith(`${name}:`)) continue;
    let sum = 0;
    for (const word of t
      .slice(name.length + 1)
      .trim()
      .split(/\s+/)) {
      if (!/^\d+$/.test(word)) break;
      sum += Number(word);
    }
    return sum;
  }
  return null;
}

/** Parses /proc/interrupts. */
export function parseIpiCounts(text: string): IpiCounts {
  return { tlbShootdowns: lineTotal(text, 'TLB'), functionCalls: lineTotal(text, 'CAL') };
}

/** Reads /proc/interrupts below `root`. */
export function readIpiCounts(root: string = HOST_ROOT): IpiCounts {
  return parseIpiCounts(readHostText(root, '/proc/interrupts') ?? '');
}
