/**
 * The memory cgroups of the strategy lab on this host: which flavour (feature detection via
 * bench/host/cgroup.ts), their names (`hintbench-<runner pid>-<runner start ticks>-<workload
 * pid>`, the form bench/host/stale-cgroups.ts recognises), removal of the ones a killed runner
 * left in the v1 memory hierarchy, and removal of this runner's own on every way out of the
 * process (normal exit, an uncaught error, SIGINT/SIGTERM).
 */
import { HintbenchError } from '../../core/errors.ts';
import { type Memcg, type MemcgFeatures, createMemcg, memcgFeatures, removeMemcg, removeMemcgSync } from '../../core/cgroup/memcg.ts';
import { listHostDir } from '../../core/proc/hostfs.ts';
import { processAlive, selfIdentity } from '../../core/proc/stat.ts';
import { detectCgroups } from '../host/cgroup.ts';
import { frozenCgroupName, parseCgroupName } from '../host/stale-cgroups.ts';

/** The memory controller this host offers, or a HintbenchError saying why there is none. */
export function detectMemcg(): MemcgFeatures {
  const info = detectCgroups();
  if (info.memory === 'none' || info.memoryRoot === null) {
    throw new HintbenchError('no memory cgroup controller is mounted (neither cgroup v1 memory nor cgroup2 with memory)', 'mount one (hintbench doctor shows the cgroup layout)');
  }
  return memcgFeatures(info.memory === 'v2' ? 'v2' : 'v1', info.memoryRoot);
}

/** Memory cgroups created by this process and not yet removed. */
const live = new Set<Memcg>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const cg of live) removeMemcgSync(cg);
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    // Only when nobody else handles the signal: then the default would skip 'exit' handlers.
    if (process.listenerCount(sig) === 0) process.once(sig, () => process.exit(sig === 'SIGINT' ? 130 : 143));
  }
}

/** Creates the memory cgroup for workload `pid`, owned by this process and removed at the latest when it exits. */
export function createLabMemcg(features: MemcgFeatures, pid: number): Memcg {
  installExitHook();
  const cg = createMemcg(features.version, features.root, frozenCgroupName(selfIdentity(), pid));
  live.add(cg);
  return cg;
}

/** Ends the processes of a lab cgroup and removes it. */
export async function removeLabMemcg(cg: Memcg): Promise<void> {
  await removeMemcg(cg);
  live.delete(cg);
}

/**
 * Removes hintbench cgroups whose owner is dead from the root of a v1 memory hierarchy (on
 * cgroup2 the stale-cgroup cleanup of bench/host/stale-cgroups.ts already finds them),
 * ending what they hold; returns their directories.
 */
export async function removeStaleLabMemcgs(features: MemcgFeatures): Promise<string[]> {
  if (features.version !== 'v1') return [];
  const removed: string[] = [];
  for (const name of listHostDir('/', features.root).sort()) {
    const owner = parseCgroupName(name);
    if (owner === null || processAlive(owner.ownerPid, owner.ownerStartTicks)) continue;
    const dir = `${features.root}/${name}`;
    await removeMemcg({ version: 'v1', dir });
    removed.push(dir);
  }
  return removed;
}
