/**
 * Identifying a process across pid reuse: its pid plus its start time (field 22 of
 * /proc/PID/stat, clock ticks since boot). Host state users and the names of hintbench's
 * cgroups carry both, so a dead owner is recognised even when its pid was given to another
 * process meanwhile.
 */
import { HOST_ROOT, readHostText } from './hostfs.ts';

/** A process, told apart from a later one with the same pid by its start time. */
export interface ProcessIdentity {
  /** Process id. */
  pid: number;
  /** Start time in clock ticks since boot (/proc/PID/stat field 22). */
  startTicks: number;
}

/** State and start time of a process from its /proc/PID/stat below `root`, or null when it does not exist. */
export function readProcStat(pid: number, root: string = HOST_ROOT): { comm: string; state: string; ppid: number; startTicks: number } | null {
  const text = readHostText(root, `/proc/${pid}/stat`);
  if (text === null) return null;
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const rest = text.slice(close + 2).trim().split(/\s+/);
  // rest[0] is field 3 (state), so field N is rest[N - 3].
  const state = rest[0];
  const ppid = Number(rest[1]);
  const startTicks = Number(rest[19]);
  if (state === undefined || !Number.isFinite(startTicks)) return null;
  return { comm: text.slice(open + 1, close), state, ppid, startTicks };
}

/** This process's identity. */
export function selfIdentity(): ProcessIdentity {
  const stat = readProcStat(process.pid);
  if (stat === null) throw new Error(`cannot read /proc/${process.pid}/stat`);
  return { pid: process.pid, startTicks: stat.startTicks };
}

/**
 * True when the process is alive: /proc/PID exists below `root`, it is not a zombie, and
 * (when `startTicks` is given) it started at that time, i.e. its pid was not reused.
 */
export function processAlive(pid: number, startTicks: number | null, root: string = HOST_ROOT): boolean {
  const stat = readProcStat(pid, root);
  if (stat === null || stat.state === 'Z' || stat.state === 'X') return false;
  return startTicks === null || stat.startTicks === startTicks;
}
