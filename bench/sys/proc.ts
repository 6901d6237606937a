/**
 * Readers of /proc: per-process status, fault counters, memory maps, per-thread scheduler
 * statistics, and the system-wide /proc/vmstat. Each reader has a pure parser beside it
 * (parse*) so the parsing is tested on captured text.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { HintbenchError } from '../../core/errors.ts';

/** Memory and state figures from /proc/PID/status. */
export interface ProcStatus {
  /** VmRSS in bytes. */
  rssBytes: number;
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

/** Fault counters from /proc/PID/stat. */
export interface StatFaults {
  /** Minor faults of the process (field 10). */
  minflt: number;
  /** Major faults of the process (field 12). */
  majflt: number;
}

/** One line of /proc/PID/maps. */
export interface MapEntry {
  /** First address of the VMA. */
  startAddr: number;
  /** One past the last address of the VMA. */
  endAddr: number;
  /** Permissions, e.g. `rw-p` (the fourth letter is `p` private or `s` shared). */
  perms: string;
  /** File offset in bytes. */
  offset: number;
  /** Device `major:minor`. */
  dev: string;
  /** Inode (0 for anonymous memory). */
  inode: number;
  /** Path or pseudo-name (`[heap]`, `[stack]`, `[vdso]`, `[anon:name]`), '' for anonymous. */
  path: string;
}

/** Scheduler statistics of one thread (/proc/PID/task/TID/schedstat). */
export interface Schedstat {
  /** Time spent on the CPU, in ns. */
  runNs: number;
  /** Time spent waiting on a runqueue, in ns. */
  waitNs: number;
  /** Number of timeslices run. */
  timeslices: number;
}

/** Reads a /proc file of `pid`; a missing process becomes a HintbenchError naming the pid. */
function readProc(pid: number, file: string): string {
  const path = `/proc/${pid}/${file}`;
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') {
      throw new HintbenchError(`process ${pid} does not exist (reading ${path})`, `check the pid; the process may have exited`, { cause: e });
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new HintbenchError(`not permitted to read ${path} of process ${pid}`, 'run hintbench as root', { cause: e });
    }
    throw new HintbenchError(`cannot read ${path}: ${code ?? String(e)}`, 'check that /proc is mounted', { cause: e });
  }
}

/** Parses `Key:   value [kB]` lines; values in kB become bytes. */
function statusFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}

/** Parses the text of /proc/PID/status. Kernel threads lack the Vm* lines: those read as 0. */
export function parseStatus(text: string, source = 'status'): ProcStatus {
  const f = statusFields(text);
  const kb = (key: string): number => {
    const v = f.get(key);
    if (v === undefined) return 0;
    const n = Number.parseInt(v, 10);
    if (Number.isNaN(n)) throw new HintbenchError(`${source}: field ${key} is not a number: '${v}'`, 'report this kernel version');
    return n * 1024;
  };
  const int = (key: string): number => {
    const v = f.get(key);
    const n = v === undefined ? Number.NaN : Number.parseInt(v, 10);
    if (Number.isNaN(n)) throw new HintbenchError(`${source}: field ${key} is missing or not a number`, 'report this kernel version');
    return n;
  };
  const state = f.get('State');
  if (state === undefined) throw new HintbenchError(`${source}: field State is missing`, 'report this kernel version');
  return {
    rssBytes: kb('VmRSS'),
    swapBytes: kb('VmSwap'),
    rssAnonBytes: kb('RssAnon'),
    rssFileBytes: kb('RssFile'),
    threads: int('Threads'),
    state: state.charAt(0),
    tracerPid: int('TracerPid'),
  };
}

/** Memory, state and tracer of a process from /proc/PID/status. */
export function readStatus(pid: number): ProcStatus {
  return parseStatus(readProc(pid, 'status'), `/proc/${pid}/status`);
}

/**
 * The fields of /proc/PID/stat after the comm field, as text: index 0 is field 3 (state), so
 * field N is at index N - 3. The comm field is in parentheses and may itself contain spaces
 * and parentheses, so the fields are located from the LAST ')' in the line.
 */
export function statFieldsAfterComm(text: string, source = 'stat'): string[] {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new HintbenchError(`${source}: no ')' closing the comm field`, 'report this kernel version');
  return text.slice(close + 2).trim().split(/\s+/);
}

/** Numeric field N (1-based, as proc(5) numbers them; N >= 3) of /proc/PID/stat text. */
export function statField(text: string, n: number, source = 'stat'): number {
  const v = Number(statFieldsAfterComm(text, source)[n - 3]);
  if (!Number.isFinite(v)) throw new HintbenchError(`${source}: field ${n} is not a number`, 'report this kernel version');
  return v;
}

/** Parses the fault counters (fields 10 and 12) of /proc/PID/stat. */
export function parseStatFaults(text: string, source = 'stat'): StatFaults {
  return { minflt: statField(text, 10, source), majflt: statField(text, 12, source) };
}

/** Minor and major fault counts of a process from /proc/PID/stat. */
export function readStatFaults(pid: number): StatFaults {
  return parseStatFaults(readProc(pid, 'stat'), `/proc/${pid}/stat`);
}

/** Parses /proc/vmstat into counter name -> value. */
export function parseVmstat(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [name, value] = line.trim().split(/\s+/);
    if (name && value !== undefined) out[name] = Number(value);
  }
  return out;
}

/** System-wide VM counters (pswpin, pswpout, pgmajfault, ...). */
export function readVmstat(): Record<string, number> {
  return parseVmstat(readFileSync('/proc/vmstat', 'utf8'));
}

/** One line of /proc/PID/maps with its addresses as exact 64-bit integers. */
export interface ExactMapEntry {
  /** First address of the VMA. */
  startAddr: bigint;
  /** One past the last address of the VMA. */
  endAddr: bigint;
  /** Permissions, e.g. `rw-p` (the fourth letter is `p` private or `s` shared). */
  perms: string;
  /** File offset in bytes. */
  offset: bigint;
  /** Device `major:minor`. */
  dev: string;
  /** Inode (0 for anonymous memory). */
  inode: number;
  /** Path or pseudo-name (`[heap]`, `[stack]`, `[vdso]`, `[anon:name]`), '' for anonymous. */
  path: string;
}

/**
 * Parses /proc/PID/maps keeping every address exact (BigInt): x86_64's [vsyscall] sits at
 * 0xffffffffff600000 and 5-level paging allows user addresses up to 2^56, beyond the 2^53
 * a Number holds exactly. Paths may contain spaces; they run from the sixth field to the end.
 */
export function parseMapsExact(text: string): ExactMapEntry[] {
  const entries: ExactMapEntry[] = [];
  const re = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S{4})\s+([0-9a-f]+)\s+(\S+)\s+(\d+)\s*(.*)$/;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = re.exec(line);
    if (!m) throw new HintbenchError(`maps: cannot parse line '${line}'`, 'report this kernel version');
    entries.push({
      startAddr: BigInt(`0x${m[1]!}`),
      endAddr: BigInt(`0x${m[2]!}`),
      perms: m[3]!,
      offset: BigInt(`0x${m[4]!}`),
      dev: m[5]!,
      inode: Number(m[6]),
      path: m[7]!,
    });
  }
  return entries;
}

/** Parses /proc/PID/maps into Numbers (exact below 2^53, which holds for user addresses on 4-level paging). */
export function parseMaps(text: string): MapEntry[] {
  return parseMapsExact(text).map((e) => ({ ...e, startAddr: Number(e.startAddr), endAddr: Number(e.endAddr), offset: Number(e.offset) }));
}

/** The VMAs of a process from /proc/PID/maps. */
export function readMaps(pid: number): MapEntry[] {
  return parseMaps(readProc(pid, 'maps'));
}

/**
 * The VMAs of process `pid` with exact addresses, read through thread `tid`'s entry
 * (/proc/PID/task/TID/maps). Every thread shares the process's memory, and a thread's entry
 * still shows it after the main thread has exited, when /proc/PID/maps is empty.
 */
export function readMapsExact(pid: number, tid: number = pid): ExactMapEntry[] {
  return parseMapsExact(readProc(pid, `task/${tid}/maps`));
}

/** Memory and state of process `pid` as thread `tid` sees them (/proc/PID/task/TID/status). */
export function readTaskStatus(pid: number, tid: number): ProcStatus {
  return parseStatus(readProc(pid, `task/${tid}/status`), `/proc/${pid}/task/${tid}/status`);
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

/** Parses the identity fields (Tgid, Pid, PPid, State, Threads) of /proc/ID/status text. */
export function parseTaskIdentity(text: string, source = 'status'): TaskIdentity {
  const f = statusFields(text);
  const int = (key: string): number => {
    const n = Number.parseInt(f.get(key) ?? '', 10);
    if (Number.isNaN(n)) throw new HintbenchError(`${source}: field ${key} is missing or not a number`, 'report this kernel version');
    return n;
  };
  const state = f.get('State');
  if (state === undefined) throw new HintbenchError(`${source}: field State is missing`, 'report this kernel version');
  return { tgid: int('Tgid'), tid: int('Pid'), ppid: int('PPid'), state: state.charAt(0), threads: int('Threads') };
}

/**
 * Identity of task `id`, which may be a process id or the id of any thread: /proc/ID exists
 * for every thread, although /proc lists only main threads.
 */
export function readTaskIdentity(id: number): TaskIdentity {
  return parseTaskIdentity(readProc(id, 'status'), `/proc/${id}/status`);
}

/** Pseudo-paths of kernel-provided mappings that are never advised. */
const SPECIAL = new Set(['[vvar]', '[vvar_vclock]', '[vdso]', '[vsyscall]', '[uprobes]']);

/**
 * True for private anonymous memory worth hinting: private, no backing inode, accessible
 * (not PROT_NONE: guard pages and reservations hold no pages), and either unnamed, `[heap]`
 * or a named anonymous VMA (`[anon:...]`). Excluded: shared mappings, files, the kernel's
 * [vvar]/[vdso]/[vsyscall], and `[stack]` unless `includeStack` — the main stack is in use
 * by the running thread at every moment, so paging it out only buys immediate refaults.
 */
export function isPrivateAnon(entry: Pick<MapEntry, 'perms' | 'inode' | 'path'>, opts: { includeStack?: boolean } = {}): boolean {
  if (entry.perms[3] !== 'p' || entry.inode !== 0) return false;
  if (entry.perms.startsWith('---')) return false;
  if (SPECIAL.has(entry.path)) return false;
  if (entry.path === '[stack]') return opts.includeStack === true;
  return entry.path === '' || entry.path === '[heap]' || entry.path.startsWith('[anon:');
}

/** Parses /proc/PID/task/TID/schedstat (`run_ns wait_ns timeslices`). */
export function parseSchedstat(text: string, source = 'schedstat'): Schedstat {
  const [run, wait, slices] = text.trim().split(/\s+/).map(Number);
  if (run === undefined || wait === undefined || slices === undefined || [run, wait, slices].some(Number.isNaN)) {
    throw new HintbenchError(`${source}: expected three numbers, got '${text.trim()}'`, 'enable CONFIG_SCHEDSTATS or report this kernel version');
  }
  return { runNs: run, waitNs: wait, timeslices: slices };
}

/** CPU and runqueue time of thread `tid` of process `pid`. */
export function readSchedstat(pid: number, tid: number = pid): Schedstat {
  return parseSchedstat(readProc(pid, `task/${tid}/schedstat`), `/proc/${pid}/task/${tid}/schedstat`);
}

/** Thread ids of a process, ascending. */
export function threadIds(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number).filter(Number.isInteger).sort((a, b) => a - b);
  } catch (e) {
    throw new HintbenchError(`process ${pid} does not exist (listing /proc/${pid}/task)`, 'check the pid; the process may have exited', { cause: e });
  }
}

/** Pid of the process tracing `pid`, 0 when it is not traced. */
export function readTracerPid(pid: number): number {
  return readStatus(pid).tracerPid;
}

/** True when /proc/PID exists and the process is not a zombie. */
export function processExists(pid: number): boolean {
  try {
    return parseStatus(readFileSync(`/proc/${pid}/status`, 'utf8')).state !== 'Z';
  } catch {
    return false;
  }
}

/** True when process `pid` holds an open pidfd (an fd linking to `anon_inode:[pidfd]`); false when it holds none or is gone. */
export function holdsPidfd(pid: number): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  return fds.some((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`) === 'anon_inode:[pidfd]';
    } catch {
      return false;
    }
  });
}
