/**
 * Background reclaimers: anything that reclaims memory on its own while a run measures
 * (DAMON's kdamond threads and modules, proactive-reclaim and memory-pressure daemons).
 * They are noise sources, reported by the doctor as warnings and kept in the fingerprint.
 */
import { basename } from 'node:path';
import { HOST_ROOT, listHostDir, readHostText } from '../../core/proc/hostfs.ts';

/**
 * Process names of daemons that reclaim memory or act on memory pressure. Matched against
 * /proc/PID/comm (15 characters at most) and the base name of each of the first two
 * words of /proc/PID/cmdline (so `python3 senpai.py` is found), with `.py` stripped.
 */
export const RECLAIM_DAEMONS: readonly string[] = [
  'senpai',
  'oomd',
  'systemd-oomd',
  'lmkd',
  'uresourced',
  'nohang',
  'earlyoom',
  'low-memory-monitor',
  'psi-notify',
  'memory-pressure',
];

/** DAMON modules that reclaim when enabled (/sys/module/<name>/parameters/enabled). */
export const DAMON_MODULES: readonly string[] = ['damon_reclaim', 'damon_lru_sort'];

/** One background reclaimer. */
export interface Reclaimer {
  /** `damon` for kdamond threads and DAMON modules, `daemon` for user-space daemons. */
  kind: 'damon' | 'daemon';
  /** Human-readable description, e.g. `DAMON kdamond.0 (pid 77)`. */
  description: string;
  /** Process id, when it is a process or thread. */
  pid: number | null;
}

/** The daemon name a process matches, or null. `comm` is /proc/PID/comm, `cmdline` the NUL-separated /proc/PID/cmdline. */
export function matchReclaimDaemon(comm: string, cmdline: string, names: readonly string[] = RECLAIM_DAEMONS): string | null {
  const candidates = [comm.trim()];
  for (const word of cmdline.split('\0').slice(0, 2)) {
    if (word !== '') candidates.push(basename(word).replace(/\.py$/, ''));
  }
  for (const name of names) {
    // comm is cut to 15 characters by the kernel.
    if (candidates.some((c) => c === name || (c.length === 15 && name.startsWith(c)))) return name;
  }
  return null;
}

/** Scans /proc below `root` for kdamond threads and reclaim daemons, and DAMON's sysfs for running kdamonds and modules. */
export function findReclaimers(root: string = HOST_ROOT, names: readonly string[] = RECLAIM_DAEMONS): Reclaimer[] {
  const found: Reclaimer[] = [];
  const pids = listHostDir(root, '/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .sort((a, b) => a - b);
  for (const pid of pids) {
    const comm = readHostText(root, `/proc/${pid}/comm`);
    if (comm === null) continue;
    const name = comm.trim();
    if (/^kdamond\.\d+$/.test(name)) {
      found.push({ kind: 'damon', description: `DAMON ${name} (pid ${pid})`, pid });
      continue;
    }
    const daemon = matchReclaimDaemon(name, readHostText(root, `/proc/${pid}/cmdline`) ?? '', names);
    if (daemon !== null) found.push({ kind: 'daemon', description: `${daemon} (pid ${pid})`, pid });
  }
  const kdamondsDir = '/sys/kernel/mm/damon/admin/kdamonds';
  for (const entry of listHostDir(root, kdamondsDir)
    .filter((e) => /^\d+$/.test(e))
    .sort()) {
    const state = readHostText(root, `${kdamondsDir}/${entry}/state`)?.trim();
    if (state === 'on') found.push({ kind: 'damon', description: `DAMON sysfs kdamond ${entry} state on`, pid: null });
  }
  for (const mod of DAMON_MODULES) {
    const enabled = readHostText(root, `/sys/module/${mod}/parameters/enabled`)?.trim();
    if (enabled === 'Y') found.push({ kind: 'damon', description: `DAMON module ${mod} enabled`, pid: null });
  }
  return found;
}
