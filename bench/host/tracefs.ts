/** tracefs and the tracepoints the probes attach to. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOST_ROOT, hostExists } from './hostfs.ts';

/** Where hintbench mounts tracefs when it is missing. */
export const TRACEFS_MOUNT = '/sys/kernel/tracing';

/** Places tracefs is found: its own mount, or below debugfs on older setups. */
export const TRACEFS_DIRS = [TRACEFS_MOUNT, '/sys/kernel/debug/tracing'] as const;

/**
 * Tracepoints the probes need, as `category/name`: the list the doctor always checks. The
 * doctor adds every tracepoint named in the bpf/*.bt scripts (tracepointsUsed()), so a new
 * probe is checked without editing this list.
 */
export const TRACEPOINTS_USED: readonly string[] = [
  'syscalls/sys_enter_process_madvise',
  'syscalls/sys_exit_process_madvise',
  'syscalls/sys_enter_madvise',
  'syscalls/sys_exit_madvise',
  'vmscan/mm_vmscan_reclaim_pages',
  'sched/sched_switch',
  'sched/sched_stat_runtime',
];

/** The tracefs directory with an `events/` tree, or null when tracefs is not mounted. */
export function findTracefs(root: string = HOST_ROOT): string | null {
  return TRACEFS_DIRS.find((dir) => hostExists(root, `${dir}/events`)) ?? null;
}

/** True when tracefs is mounted at its own mount point (/sys/kernel/tracing). */
export function tracefsMounted(root: string = HOST_ROOT): boolean {
  return hostExists(root, `${TRACEFS_MOUNT}/events`);
}

/** Tracepoints from `wanted` that have no events/<category>/<name> directory under `tracefsDir`. */
export function missingTracepoints(tracefsDir: string, wanted: readonly string[] = TRACEPOINTS_USED, root: string = HOST_ROOT): string[] {
  return wanted.filter((tp) => !hostExists(root, `${tracefsDir}/events/${tp}`));
}

/** The project's bpf/ directory. */
export const BPF_DIR = fileURLToPath(new URL('../../bpf/', import.meta.url));

/** Tracepoints (`category/name`) a bpftrace script attaches to; wildcard probes are left out. */
export function parseScriptTracepoints(script: string): string[] {
  const found = new Set<string>();
  for (const m of script.matchAll(/\b(?:tracepoint|t):([A-Za-z0-9_]+):([A-Za-z0-9_]+)(?![A-Za-z0-9_*])/g)) {
    found.add(`${m[1]}/${m[2]}`);
  }
  return [...found];
}

/** TRACEPOINTS_USED plus every tracepoint the .bt scripts in `bpfDir` name, sorted, without duplicates. */
export function tracepointsUsed(bpfDir: string = BPF_DIR): string[] {
  const all = new Set(TRACEPOINTS_USED);
  let files: string[] = [];
  try {
    files = readdirSync(bpfDir).filter((f) => f.endsWith('.bt'));
  } catch {
    // no scripts shipped: the fixed list alone
  }
  for (const f of files) {
    for (const tp of parseScriptTracepoints(readFileSync(join(bpfDir, f), 'utf8'))) all.add(tp);
  }
  return [...all].sort();
}
