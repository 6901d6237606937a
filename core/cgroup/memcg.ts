/**
 * Memory cgroups of both flavours: cgroup v1's memory controller (memory.limit_in_bytes,
 * memory.memsw.*, memory.oom_control) and cgroup v2 (memory.max, memory.high, memory.swap.max,
 * memory.events, memory.pressure, memory.reclaim). Creating one, moving a process in, limits,
 * usage, memory.stat, OOM kills, memory pressure (PSI) and removal with every process in it
 * ended. Which flavour a host has is detected by the caller (bench/host/cgroup.ts).
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { HintbenchError } from '../errors.ts';
import { waitUntil } from '../process/wait.ts';
import { cgroupPids } from './freezer.ts';

/** cgroup v1 memory controller or cgroup v2. */
export type MemcgVersion = 'v1' | 'v2';

/** One memory cgroup. */
export interface Memcg {
  version: MemcgVersion;
  /** Its directory. */
  dir: string;
}

/** What the memory controller of a hierarchy offers. */
export interface MemcgFeatures {
  version: MemcgVersion;
  /** Root directory of the hierarchy (where hintbench creates its cgroups). */
  root: string;
  /** Swap is accounted per cgroup (v1 memory.memsw.*, v2 memory.swap.*), so swap can be limited and read. */
  swapAccounting: boolean;
  /** Proactive reclaim by writing to memory.reclaim (v2, Linux 5.19+). */
  proactiveReclaim: boolean;
  /** Why proactive reclaim is missing, or null when it is there. */
  proactiveReclaimMissing: string | null;
  /** Where memory pressure is read: per cgroup (v2 memory.pressure) or for the whole system (/proc/pressure/memory). */
  psiScope: 'cgroup' | 'system' | 'none';
}

/** Usage of a memory cgroup, bytes. */
export interface MemcgUsage {
  /** Memory charged (v1 memory.usage_in_bytes, v2 memory.current). */
  memoryBytes: number;
  /** Swap charged (v1 memsw minus memory, v2 memory.swap.current), or null without swap accounting. */
  swapBytes: number | null;
}

/** OOM state of a memory cgroup. */
export interface MemcgOom {
  /** Processes the OOM killer killed in this cgroup (v1 oom_control oom_kill, v2 memory.events oom_kill). */
  oomKills: number;
  /** Times the cgroup hit its limit and the OOM path ran (v2 memory.events oom), or null on v1. */
  oomEvents: number | null;
  /** v1 under_oom (tasks waiting for memory), or null on v2. */
  underOom: boolean | null;
}

/** Cumulative memory stall times from PSI, microseconds. */
export interface MemoryPsi {
  /** Whose pressure: the cgroup's (v2) or the whole system's. */
  scope: 'cgroup' | 'system';
  /** File it was read from. */
  source: string;
  /** Time some task was stalled on memory, us. */
  someTotalUs: number;
  /** Time all non-idle tasks were stalled on memory at once, us. */
  fullTotalUs: number;
}

/** The system-wide PSI memory file. */
export const SYSTEM_MEMORY_PSI = '/proc/pressure/memory';

/** "Unlimited" as v1 limit files take it. */
const V1_UNLIMITED = '-1';

/** Parses `key value` lines (memory.stat, memory.events, memory.oom_control) into key -> number. */
export function parseFlatKeyed(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key === undefined || key === '' || value === undefined) continue;
    const n = Number(value);
    if (Number.isFinite(n)) out[key] = n;
  }
  return out;
}

/** Parses a PSI file (`some avg10=.. total=N` / `full ...`) into its two totals, us; null when malformed. */
export function parsePsiTotals(text: string): { someTotalUs: number; fullTotalUs: number } | null {
  const total = (kind: string): number | null => {
    const m = new RegExp(`^${kind} .*\\btotal=(\\d+)`, 'm').exec(text);
    return m === null ? null : Number(m[1]);
  };
  const some = total('some');
  if (some === null) return null;
  // Kernels before 5.13 have no `full` line in the system-wide cpu file; memory always has it.
  return { someTotalUs: some, fullTotalUs: total('full') ?? 0 };
}

/** Which features the memory controller at `root` has, from the files of its root cgroup. */
export function memcgFeatures(version: MemcgVersion, root: string): MemcgFeatures {
  if (version === 'v1') {
    return {
      version,
      root,
      swapAccounting: existsSync(`${root}/memory.memsw.limit_in_bytes`),
      proactiveReclaim: false,
      proactiveReclaimMissing: 'memory.reclaim exists only on cgroup v2 (Linux 5.19+); this host runs the memory controller on cgroup v1',
      psiScope: existsSync(SYSTEM_MEMORY_PSI) ? 'system' : 'none',
    };
  }
  // memory.reclaim is also on the root cgroup; memory.swap.* are not (swap is accounted by
  // default on v2 since Linux 5.8, and setMemcgLimits() checks the child's file).
  const proactiveReclaim = existsSync(`${root}/memory.reclaim`);
  return {
    version,
    root,
    swapAccounting: true,
    proactiveReclaim,
    proactiveReclaimMissing: proactiveReclaim ? null : `${root}/memory.reclaim is missing (proactive reclaim needs Linux 5.19+)`,
    psiScope: existsSync(`${root}/memory.pressure`) || existsSync(SYSTEM_MEMORY_PSI) ? 'cgroup' : 'none',
  };
}

/** Creates the memory cgroup `name` below `root`; throws HintbenchError when it cannot. */
export function createMemcg(version: MemcgVersion, root: string, name: string): Memcg {
  const dir = `${root}/${name}`;
  try {
    mkdirSync(dir);
  } catch (err) {
    throw new HintbenchError(`cannot create memory cgroup ${dir}: ${(err as Error).message}`, 'run as root on a host with the memory controller mounted (hintbench doctor)', {
      cause: err,
    });
  }
  if (version === 'v2' && !existsSync(`${dir}/memory.max`)) {
    rmdirSync(dir);
    throw new HintbenchError(`${root} does not delegate the memory controller to its children`, `echo +memory > ${root}/cgroup.subtree_control`);
  }
  return { version, dir };
}

/** Moves process `pid` (all its threads) into the cgroup. */
export function moveIntoMemcg(cg: Memcg, pid: number): void {
  writeFileSync(`${cg.dir}/cgroup.procs`, String(pid));
}

function readNumber(path: string): number {
  const text = readFileSync(path, 'utf8').trim();
  return text === 'max' ? Number.POSITIVE_INFINITY : Number(text);
}

/** Limits of a memory cgroup: null means unlimited. */
export interface MemcgLimits {
  /** Hard limit of memory, bytes (v1 memory.limit_in_bytes, v2 memory.max). */
  memoryBytes: number | null;
  /** Limit of swap, bytes (0: no swap at all); needs swap accounting. Unlimited when null or absent. */
  swapBytes?: number | null;
}

/**
 * Sets the limits. Lowering the memory limit below the usage makes the kernel reclaim in the
 * caller's context before the write returns; a write the kernel cannot satisfy fails (v1 EBUSY).
 */
export function setMemcgLimits(cg: Memcg, limits: MemcgLimits): void {
  const swap = limits.swapBytes ?? null;
  if (cg.version === 'v2') {
    writeFileSync(`${cg.dir}/memory.max`, limits.memoryBytes === null ? 'max' : String(limits.memoryBytes));
    if (existsSync(`${cg.dir}/memory.swap.max`)) writeFileSync(`${cg.dir}/memory.swap.max`, swap === null ? 'max' : String(swap));
    else if (swap !== null) throw new HintbenchError(`${cg.dir} has no memory.swap.max (swap is not accounted)`, 'boot with swap accounting, or leave swap unlimited');
    return;
  }
  const memsw = `${cg.dir}/memory.memsw.limit_in_bytes`;
  const hasMemsw = existsSync(memsw);
  if (swap !== null && !hasMemsw)
    throw new HintbenchError(`${cg.dir} has no memory.memsw.limit_in_bytes (swap is not accounted)`, 'boot with swapaccount=1, or leave swap unlimited');
  // v1 requires memory.limit <= memsw.limit at every moment: open memsw first, close it last.
  if (hasMemsw) writeFileSync(memsw, V1_UNLIMITED);
  writeFileSync(`${cg.dir}/memory.limit_in_bytes`, limits.memoryBytes === null ? V1_UNLIMITED : String(limits.memoryBytes));
  if (hasMemsw && swap !== null) writeFileSync(memsw, limits.memoryBytes === null ? V1_UNLIMITED : String(limits.memoryBytes + swap));
}

/** Current memory and swap charged to the cgroup. */
export function readMemcgUsage(cg: Memcg): MemcgUsage {
  if (cg.version === 'v2') {
    const swapFile = `${cg.dir}/memory.swap.current`;
    return { memoryBytes: readNumber(`${cg.dir}/memory.current`), swapBytes: existsSync(swapFile) ? readNumber(swapFile) : null };
  }
  const memoryBytes = readNumber(`${cg.dir}/memory.usage_in_bytes`);
  const memswFile = `${cg.dir}/memory.memsw.usage_in_bytes`;
  return { memoryBytes, swapBytes: existsSync(memswFile) ? Math.max(0, readNumber(memswFile) - memoryBytes) : null };
}

/** The cgroup's memory.stat as key -> value (v1: the cgroup's own keys, without the hierarchical total_*). */
export function readMemcgStat(cg: Memcg): Record<string, number> {
  const all = parseFlatKeyed(readFileSync(`${cg.dir}/memory.stat`, 'utf8'));
  if (cg.version === 'v2') return all;
  return Object.fromEntries(Object.entries(all).filter(([k]) => !k.startsWith('total_') && !k.startsWith('hierarchical_')));
}

/** OOM kills and events of the cgroup so far. */
export function readMemcgOom(cg: Memcg): MemcgOom {
  if (cg.version === 'v2') {
    const ev = parseFlatKeyed(readFileSync(`${cg.dir}/memory.events`, 'utf8'));
    return { oomKills: ev.oom_kill ?? 0, oomEvents: ev.oom ?? 0, underOom: null };
  }
  const oc = parseFlatKeyed(readFileSync(`${cg.dir}/memory.oom_control`, 'utf8'));
  return { oomKills: oc.oom_kill ?? 0, oomEvents: null, underOom: (oc.under_oom ?? 0) !== 0 };
}

/** Memory pressure totals: the cgroup's own on v2, the system's on v1 (say which via `scope`); null when PSI is off. */
export function readMemoryPsi(cg: Memcg): MemoryPsi | null {
  const source = cg.version === 'v2' && existsSync(`${cg.dir}/memory.pressure`) ? `${cg.dir}/memory.pressure` : SYSTEM_MEMORY_PSI;
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch {
    return null;
  }
  const totals = parsePsiTotals(text);
  return totals === null ? null : { scope: source === SYSTEM_MEMORY_PSI ? 'system' : 'cgroup', source, ...totals };
}

/** Asks the kernel to reclaim `bytes` from the cgroup now (v2 memory.reclaim); throws HintbenchError where it does not exist. */
export function reclaimMemcg(cg: Memcg, bytes: number): void {
  const file = `${cg.dir}/memory.reclaim`;
  if (cg.version !== 'v2' || !existsSync(file)) {
    throw new HintbenchError(
      `${cg.dir} has no memory.reclaim (proactive reclaim needs cgroup v2, Linux 5.19+)`,
      'run on a cgroup v2 host, or leave the proactive-reclaim baseline out',
    );
  }
  writeFileSync(file, String(bytes));
}

/** SIGKILLs every process in the cgroup (v2 cgroup.kill when present); returns the pids signalled. */
export function killMemcgProcesses(cg: Memcg): number[] {
  const pids = cgroupPids(cg.dir);
  if (cg.version === 'v2' && existsSync(`${cg.dir}/cgroup.kill`)) {
    writeFileSync(`${cg.dir}/cgroup.kill`, '1');
    return pids;
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

/** Tries once to remove the (empty) cgroup directory; true when it is gone. */
function tryRemove(cg: Memcg): boolean {
  try {
    rmdirSync(cg.dir);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/**
 * Ends every process in the cgroup (SIGKILL) and removes it; resolves with the pids it ended.
 * Throws HintbenchError naming what is left when it is not gone within `timeoutMs`.
 */
export async function removeMemcg(cg: Memcg, opts: { timeoutMs?: number } = {}): Promise<number[]> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  if (!existsSync(cg.dir)) return [];
  const ended = killMemcgProcesses(cg);
  const gone = await waitUntil(
    () => {
      if (cgroupPids(cg.dir).length > 0) {
        killMemcgProcesses(cg);
        return false;
      }
      return tryRemove(cg);
    },
    { timeoutMs, intervalMs: 5 },
  );
  if (!gone) {
    const left = cgroupPids(cg.dir);
    throw new HintbenchError(
      `memory cgroup ${cg.dir} is still there ${timeoutMs} ms after its processes were killed${left.length > 0 ? ` (it holds pid(s) ${left.join(', ')})` : ''}`,
      `kill the pids listed, then rmdir ${cg.dir}`,
    );
  }
  return ended;
}

/**
 * removeMemcg() for places that cannot wait asynchronously (a process 'exit' handler): kills,
 * then retries the removal for up to `timeoutMs`; true when the cgroup is gone.
 */
export function removeMemcgSync(cg: Memcg, timeoutMs = 2_000): boolean {
  if (!existsSync(cg.dir)) return true;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (cgroupPids(cg.dir).length > 0) killMemcgProcesses(cg);
    else if (tryRemove(cg)) return true;
    if (Date.now() > deadline) return false;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
  }
}
