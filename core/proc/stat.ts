/**
 * /proc/PID/stat: the one reader of a process's (or thread's) state letter, flags, parent,
 * fault counters and start time, and the identity of a process across pid reuse (its pid
 * plus its start time, field 22, in clock ticks since boot): host state users and the names
 * of hintbench's cgroups carry both, so a dead owner is recognised even when its pid was
 * given to another process meanwhile.
 */
import { HOST_ROOT, readHostText } from './hostfs.ts';
import { kernelFormatError, readProcFile } from './read.ts';

/** PF_EXITING in the flags field: the task is exiting (include/linux/sched.h). */
export const PF_EXITING = 0x00000004;
/** PF_KTHREAD in the flags field: a kernel thread (include/linux/sched.h). */
export const PF_KTHREAD = 0x00200000;

/** The fields of /proc/PID/stat hintbench reads. */
export interface ProcStat {
  /** comm (the thread name, at most 15 bytes; may contain spaces and parentheses). */
  comm: string;
  /** State letter: `R`, `S`, `D`, `T` (stopped), `t` (traced), `Z` (zombie), `X` (dead). */
  state: string;
  /** Parent process id (field 4). */
  ppid: number;
  /** Kernel flags, PF_* (field 9). */
  flags: number;
  /** Minor faults of the process (field 10). */
  minflt: number;
  /** Major faults of the process (field 12). */
  majflt: number;
  /** Start time in clock ticks since boot (field 22). */
  startTicks: number;
}

/** Fault counters from /proc/PID/stat. */
export type StatFaults = Pick<ProcStat, 'minflt' | 'majflt'>;

/** A process, told apart from a later one with the same pid by its start time. */
export interface ProcessIdentity {
  /** Process id. */
  pid: number;
  /** Start time in clock ticks since boot (/proc/PID/stat field 22). */
  startTicks: number;
}

/**
 * The fields of /proc/PID/stat after the comm field, as text: index 0 is field 3 (state), so
 * field N is at index N - 3. The comm field is in parentheses and may itself contain spaces
 * and parentheses, so the fields are located from the LAST ')' in the line.
 */
export function statFieldsAfterComm(text: string, source = 'stat'): string[] {
  const close = text.lastIndexOf(')');
  if (close < 0) throw kernelFormatError(source, "no ')' closing the comm field");
  return text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
}

/** Numeric field N (1-based, as proc(5) numbers them; N >= 3) of /proc/PID/stat text. */
export function statField(text: string, n: number, source = 'stat'): number {
  const v = Number(statFieldsAfterComm(text, source)[n - 3]);
  if (!Number.isFinite(v)) throw kernelFormatError(source, `field ${n} is not a number`);
  return v;
}

/** Parses the text of /proc/PID/stat (or /proc/PID/task/TID/stat). Throws on malformed text. */
export function parseStat(text: string, source = 'stat'): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw kernelFormatError(source, 'no comm field in parentheses');
  const rest = statFieldsAfterComm(text, source);
  const field = (n: number): number => {
    const v = Number(rest[n - 3]);
    if (!Number.isFinite(v)) throw kernelFormatError(source, `field ${n} is not a number`);
    return v;
  };
  return { comm: text.slice(open + 1, close), state: rest[0] ?? '', ppid: field(4), flags: field(9), minflt: field(10), majflt: field(12), startTicks: field(22) };
}

/** Parses the fault counters (fields 10 and 12) of /proc/PID/stat. */
export function parseStatFaults(text: string, source = 'stat'): StatFaults {
  return { minflt: statField(text, 10, source), majflt: statField(text, 12, source) };
}

/** Minor and major fault counts of a process from /proc/PID/stat; throws HintbenchError naming the pid when it is gone. */
export function readStatFaults(pid: number): StatFaults {
  return parseStatFaults(readProcFile(pid, 'stat'), `/proc/${pid}/stat`);
}

/**
 * /proc/PID/stat of process `pid` (or of its thread `tid`) below `root`, or null when it
 * does not exist (or cannot be parsed: it vanished while being read).
 */
export function readProcStat(pid: number, opts: { tid?: number; root?: string } = {}): ProcStat | null {
  const path = opts.tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${opts.tid}/stat`;
  const text = readHostText(opts.root ?? HOST_ROOT, path);
  if (text === null) return null;
  try {
    return parseStat(text, path);
  } catch {
    return null;
  }
}

/** True when a task has finished running: gone, zombie, dead, or on its way out (PF_EXITING). */
export function taskFinished(stat: ProcStat | null): boolean {
  return stat === null || stat.state === 'Z' || stat.state === 'X' || (stat.flags & PF_EXITING) !== 0;
}

/** True when /proc/PID exists and the process is not a zombie or dead. */
export function processExists(pid: number): boolean {
  const stat = readProcStat(pid);
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
}

/**
 * True when the process is alive: /proc/PID exists below `root`, it is not a zombie, and
 * (when `startTicks` is given) it started at that time, i.e. its pid was not reused.
 */
export function processAlive(pid: number, startTicks: number | null, root: string = HOST_ROOT): boolean {
  const stat = readProcStat(pid, { root });
  if (stat === null || stat.state === 'Z' || stat.state === 'X') return false;
  return startTicks === null || stat.startTicks === startTicks;
}

/** This process's identity. */
export function selfIdentity(): ProcessIdentity {
  const stat = readProcStat(process.pid);
  if (stat === null) throw new Error(`cannot read /proc/${process.pid}/stat`);
  return { pid: process.pid, startTicks: stat.startTicks };
}
