/**
 * Where a thread runs: the CPU it last ran on (/proc/PID/task/TID/stat field 39) and how
 * often it moved between CPUs (se.nr_migrations in /proc/PID/task/TID/sched, present when
 * the kernel has CONFIG_SCHED_DEBUG).
 */
import { readFileSync } from 'node:fs';
import { statFieldsAfterComm } from './stat.ts';

/** Reads a file of a thread, or null when it (or the thread) is gone. */
function readTaskFile(pid: number, tid: number, file: string): string | null {
  try {
    return readFileSync(`/proc/${pid}/task/${tid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}

/** Parses `se.nr_migrations : N` out of a sched file; null when absent. */
export function parseNrMigrations(text: string): number | null {
  const m = /^se\.nr_migrations\s*:\s*(\d+)\s*$/m.exec(text);
  return m === null ? null : Number(m[1]);
}

/** Migrations of thread `tid` of `pid` since it started; null when unreadable. */
export function readNrMigrations(pid: number, tid: number): number | null {
  const text = readTaskFile(pid, tid, 'sched');
  return text === null ? null : parseNrMigrations(text);
}

/** CPU thread `tid` of `pid` last ran on (stat field 39); null when unreadable. */
export function readLastCpu(pid: number, tid: number): number | null {
  const text = readTaskFile(pid, tid, 'stat');
  if (text === null) return null;
  const v = Number(statFieldsAfterComm(text, `/proc/${pid}/task/${tid}/stat`)[39 - 3]);
  return Number.isInteger(v) ? v : null;
}

/** Migrations summed over threads `tids` of `pid`; null when any is unreadable. */
export function sumNrMigrations(pid: number, tids: readonly number[]): number | null {
  let sum = 0;
  for (const tid of tids) {
    const n = readNrMigrations(pid, tid);
    if (n === null) return null;
    sum += n;
  }
  return sum;
}
