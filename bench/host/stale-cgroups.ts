/**
 * hintbench's own cgroups (made to freeze a workload, bench/runner/freeze.ts, or to throttle
 * one, bench/runner/states/throttle.ts) and the ones a killed runner left behind. Each is
 * named after its owner, `hintbench-<owner pid>-<owner start ticks>-<target pid>`, at the root
 * of the v1 freezer hierarchy, of the v1 cpu hierarchy or of cgroup2; a cgroup whose owner is dead (or whose pid now belongs to a later
 * process) is stale. The doctor lists stale cgroups and the tasks they hold; teardown, setup
 * (the start of every run) and the first freeze of a runner thaw them, move their tasks out to
 * the hierarchy root and remove them. Names of the older form `hintbench-<owner pid>-<target
 * pid>` are recognised by the owner's pid alone; other `hintbench-*` names are left alone.
 */
import { dirname } from 'node:path';
import { cgroupPids, freezeRequested, thawMoveRemove } from '../../core/cgroup/freezer.ts';
import { readCgroupMounts } from '../../core/cgroup/mounts.ts';
import { moveTasksAndRemove } from '../../core/cgroup/remove.ts';
import { HintbenchError } from '../../core/errors.ts';
import { HOST_ROOT, listHostDir } from '../../core/proc/hostfs.ts';
import { type ProcessIdentity, processAlive, readProcStat } from '../../core/proc/stat.ts';

/** Name prefix of every cgroup hintbench creates. */
export const CGROUP_PREFIX = 'hintbench-';

/** Owner and target encoded in a hintbench cgroup name. */
export interface CgroupOwner {
  /** Pid of the runner that made the cgroup. */
  ownerPid: number;
  /** Its start time in clock ticks, or null for names of the older form without it. */
  ownerStartTicks: number | null;
  /** Pid of the workload that was frozen in it. */
  targetPid: number;
}

/** A task inside a hintbench cgroup. */
export interface CgroupTask {
  pid: number;
  /** comm, or `?` when the task exited meanwhile. */
  comm: string;
  /** State letter from /proc/PID/stat (D for a task held by the v1 freezer). */
  state: string;
}

/** One hintbench cgroup found on the host. */
export interface HintbenchCgroup {
  /** v1 hierarchy or cgroup2. */
  version: 'v1' | 'v2';
  /** The v1 hierarchy it is in (its controller); `freezer` for cgroup2, whose cgroups all have the freezer. */
  controller: 'freezer' | 'cpu';
  /** Absolute path on the host. */
  dir: string;
  owner: CgroupOwner;
  /** True while the owner is alive: the cgroup is in use and is never touched. */
  ownerAlive: boolean;
  /** True when the cgroup is (being) frozen. */
  frozen: boolean;
  /** Tasks it holds. */
  tasks: CgroupTask[];
}

/** The name of a cgroup made to hold `targetPid` on behalf of `owner` (frozen, or CPU-throttled). */
export function targetCgroupName(owner: ProcessIdentity, targetPid: number): string {
  return `${CGROUP_PREFIX}${owner.pid}-${owner.startTicks}-${targetPid}`;
}

/** The cgroup name for freezing `targetPid` on behalf of `owner`. */
export const frozenCgroupName = targetCgroupName;

/** Owner and target of a hintbench cgroup name, or null when the name is not one hintbench makes. */
export function parseCgroupName(name: string): CgroupOwner | null {
  const m = /^hintbench-(\d+)-(\d+)(?:-(\d+))?$/.exec(name);
  if (m === null) return null;
  const [, a, b, c] = m;
  if (c === undefined) return { ownerPid: Number(a), ownerStartTicks: null, targetPid: Number(b) };
  return { ownerPid: Number(a), ownerStartTicks: Number(b), targetPid: Number(c) };
}

function readTasks(root: string, dir: string): CgroupTask[] {
  return cgroupPids(dir, root).map((pid) => {
    const stat = readProcStat(pid, { root });
    return { pid, comm: stat?.comm ?? '?', state: stat?.state ?? '?' };
  });
}

/** Every hintbench cgroup at the root of the v1 freezer and cpu hierarchies and of cgroup2 below `root`. */
export function listHintbenchCgroups(root: string = HOST_ROOT): HintbenchCgroup[] {
  const mounts = readCgroupMounts(root);
  const out: HintbenchCgroup[] = [];
  const places: Array<['v1' | 'v2', 'freezer' | 'cpu', string | null]> = [
    ['v1', 'freezer', mounts.v1Freezer],
    ['v1', 'cpu', mounts.v1Cpu],
    ['v2', 'freezer', mounts.v2],
  ];
  for (const [version, controller, mount] of places) {
    if (mount === null) continue;
    for (const name of listHostDir(root, mount).sort()) {
      const owner = parseCgroupName(name);
      if (owner === null) continue;
      const dir = `${mount}/${name}`;
      out.push({
        version,
        controller,
        dir,
        owner,
        ownerAlive: processAlive(owner.ownerPid, owner.ownerStartTicks, root),
        frozen: controller === 'freezer' && freezeRequested({ version, dir }, root),
        tasks: readTasks(root, dir),
      });
    }
  }
  return out;
}

/** Hintbench cgroups whose owner is dead. */
export function listStaleCgroups(root: string = HOST_ROOT): HintbenchCgroup[] {
  return listHintbenchCgroups(root).filter((c) => !c.ownerAlive);
}

/** One line for a cgroup: where, frozen or not, the owner, and the tasks it holds. */
export function describeCgroup(cg: HintbenchCgroup): string {
  const tasks = cg.tasks.length === 0 ? 'no tasks' : `holds ${cg.tasks.map((t) => `pid ${t.pid} ${t.comm} (${t.state})`).join(', ')}`;
  return `${cg.dir} (${cg.version}${cg.controller === 'cpu' ? ' cpu' : ''}, ${cg.frozen ? 'frozen' : 'thawed'}, owner pid ${cg.owner.ownerPid} ${cg.ownerAlive ? 'alive' : 'dead'}): ${tasks}`;
}

/** What removeStaleCgroups() did. */
export interface StaleCgroupCleanup {
  /** One line per removed cgroup. */
  removed: string[];
  /** Cgroups that could not be removed, each with its fix. */
  failures: HintbenchError[];
}

/**
 * Thaws and removes every stale hintbench cgroup on this host, moving its tasks to the
 * hierarchy root first (a task the v1 freezer held with a pending SIGKILL then dies). Cgroups
 * of live owners are never touched. Logs one line per cgroup.
 */
export async function removeStaleCgroups(log: (line: string) => void = () => undefined): Promise<StaleCgroupCleanup> {
  const result: StaleCgroupCleanup = { removed: [], failures: [] };
  for (const cg of listStaleCgroups()) {
    const what = describeCgroup(cg);
    try {
      const moved = cg.controller === 'cpu' ? await moveTasksAndRemove(cg.dir) : await thawMoveRemove(cg);
      const done = [cg.frozen ? 'thawed it' : '', moved > 0 ? `moved ${moved} task(s) to ${dirname(cg.dir)}` : ''].filter((x) => x !== '');
      const line = `removed stale cgroup ${cg.dir} of dead pid ${cg.owner.ownerPid} (${done.length === 0 ? 'it was empty' : done.join(', ')})`;
      result.removed.push(line);
      log(line);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      result.failures.push(
        err instanceof HintbenchError
          ? err
          : new HintbenchError(
              `cannot remove stale cgroup ${what}: ${(err as Error).message}`,
              code === 'EACCES' || code === 'EPERM' ? 'run `hintbench teardown` as root' : `thaw it, move its tasks to ${dirname(cg.dir)}/cgroup.procs and rmdir ${cg.dir}`,
              { cause: err },
            ),
      );
    }
  }
  return result;
}
