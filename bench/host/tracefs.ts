/** tracefs and the tracepoints the probes attach to. */
import { TRACEPOINTS_USED } from '../../bpf/scripts.ts';
import { HOST_ROOT, hostExists } from './hostfs.ts';

/** Where hintbench mounts tracefs when it is missing. */
export const TRACEFS_MOUNT = '/sys/kernel/tracing';

/** Places tracefs is found: its own mount, or below debugfs on older setups. */
export const TRACEFS_DIRS = [TRACEFS_MOUNT, '/sys/kernel/debug/tracing'] as const;

/**
 * Tracepoints (`category/name`) the shipped probe scripts attach to. The list is declared once,
 * beside the scripts, in bpf/scripts.ts; the doctor checks exactly these.
 */
export { TRACEPOINTS_USED };

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
