/** /proc/PID/status: memory figures, state and tracer of a process, and who a task is. */
import { readProcFile, kernelFormatError } from './read.ts';

/** Memory and state figures from /proc/PID/status. */
export interface ProcStatus {
  /** VmRSS in bytes. */
  rssBytes: number;
  /** VmHWM (peak resident set size) in bytes. */
  rssPeakBytes: number;
  /** VmSwap in bytes. */
  swapBytes: number;
  /** RssAnon in bytes. */
  rssAnonBytes: number;
  /** RssFile in bytes. */
  rssFileBytes: number;
  /** Number of threads. */
  threads: number;
  /** State letter, e.g. `S` (sleeping), `R`, `T` (stopped), `t` (traced), `Z`. */
  state: string;
  /** TracerPid: pid of the ptrace tracer, 0 when not traced. */
  tracerPid: number;
}

/** Who a task is: its thread group, parent, state and thread count (/proc/ID/status). */
export interface TaskIdentity {
  /** Thread group id: the process the task belongs to (equals the task's id for a main thread). */
  tgid: number;
  /** The task's own id. */
  tid: number;
  /** Parent process id. */
  ppid: number;
  /** State letter: `R`, `S`, `D`, `T`, `t`, `Z` (zombie), `X` (dead). */
  state: string;
  /** Threads in the thread group. */
  threads: number;
}

/** Parses `Key:   value [kB]` lines into key -> raw value text. */
function statusFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}

/** Readers of integer fields of one status text; errors name the source and the field. */
function fieldReaders(f: Map<string, string>, source: string): { int: (key: string) => number; kb: (key: string) => number; state: () => string } {
  return {
    int: (key) => {
      const n = Number.parseInt(f.get(key) ?? '', 10);
      if (Number.isNaN(n)) throw kernelFormatError(source, `field ${key} is missing or not a number`);
      return n;
    },
    // Kernel threads lack the Vm* lines: those read as 0.
    kb: (key) => {
      const v = f.get(key);
      if (v === undefined) return 0;
      const n = Number.parseInt(v, 10);
      if (Number.isNaN(n)) throw kernelFormatError(source, `field ${key} is not a number: '${v}'`);
      return n * 1024;
    },
    state: () => {
      const s = f.get('State');
      if (s === undefined) throw kernelFormatError(source, 'field State is missing');
      return s.charAt(0);
    },
  };
}

/** Parses the text of /proc/PID/status. Kernel threads lack the Vm* lines: those read as 0. */
export function parseStatus(text: string, source = 'status'): ProcStatus {
  const r = fieldReaders(statusFields(text), source);
  const state = r.state();
  return {
    rssBytes: r.kb('VmRSS'),
    rssPeakBytes: r.kb('VmHWM'),
    swapBytes: r.kb('VmSwap'),
    rssAnonBytes: r.kb('RssAnon'),
    rssFileBytes: r.kb('RssFile'),
    threads: r.int('Threads'),
    state,
    tracerPid: r.int('TracerPid'),
  };
}

/** Memory, state and tracer of a process from /proc/PID/status. */
export function readStatus(pid: number): ProcStatus {
  return parseStatus(readProcFile(pid, 'status'), `/proc/${pid}/status`);
}

/** Memory and state of process `pid` as thread `tid` sees them (/proc/PID/task/TID/status). */
export function readTaskStatus(pid: number, tid: number): ProcStatus {
  return parseStatus(readProcFile(pid, `task/${tid}/status`), `/proc/${pid}/task/${tid}/status`);
}

/** Pid of the process tracing `pid`, 0 when it is not traced. */
export function readTracerPid(pid: number): number {
  return readStatus(pid).tracerPid;
}

/** Parses the identity fields (Tgid, Pid, PPid, State, Threads) of /proc/ID/status text. */
export function parseTaskIdentity(text: string, source = 'status'): TaskIdentity {
  const r = fieldReaders(statusFields(text), source);
  return { tgid: r.int('Tgid'), tid: r.int('Pid'), ppid: r.int('PPid'), state: r.state(), threads: r.int('Threads') };
}

/**
 * Identity of task `id`, which may be a process id or the id of any thread: /proc/ID exists
 * for every thread, although /proc lists only main threads.
 */
export function readTaskIdentity(id: number): TaskIdentity {
  return parseTaskIdentity(readProcFile(id, 'status'), `/proc/${id}/status`);
}

/**
 * Seccomp mode of thread `tid` of `pid` (/proc/PID/task/TID/status `Seccomp:`): 0 none,
 * 1 strict, 2 filter; 0 on kernels without the line. Throws HintbenchError naming the pid when it is gone.
 */
export function readSeccompMode(pid: number, tid: number = pid): number {
  const source = `/proc/${pid}/task/${tid}/status`;
  const value = statusFields(readProcFile(pid, `task/${tid}/status`)).get('Seccomp');
  if (value === undefined) return 0;
  const mode = Number.parseInt(value, 10);
  if (Number.isNaN(mode)) throw kernelFormatError(source, `field Seccomp is not a number: '${value}'`);
  return mode;
}
