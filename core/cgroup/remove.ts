/**
 * Emptying and removing a cgroup of any controller: its tasks are moved to another cgroup
 * (default: the parent) until none is left, then the directory is removed.
 */
import { readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { HintbenchError } from '../errors.ts';
import { HOST_ROOT, readHostText } from '../proc/hostfs.ts';
import { waitUntil } from '../process/wait.ts';

/** Pids listed in a cgroup's cgroup.procs below `root` (empty when it cannot be read). */
export function cgroupPids(dir: string, root: string = HOST_ROOT): number[] {
  return (readHostText(root, `${dir}/cgroup.procs`) ?? '')
    .split('\n')
    .filter((l) => /^\d+$/.test(l.trim()))
    .map((l) => Number(l.trim()));
}

/**
 * Moves the tasks of a cgroup to `to` (default: the parent cgroup) and removes it;
 * resolves with the number of tasks moved once it is gone. A task that exits meanwhile is
 * fine; one that cannot be moved within `timeoutMs` is a HintbenchError naming it.
 */
export async function moveTasksAndRemove(dir: string, opts: { to?: string; timeoutMs?: number } = {}): Promise<number> {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const to = `${opts.to ?? dirname(dir)}/cgroup.procs`;
  let moved = 0;
  const deadline = Date.now() + timeoutMs;
  const emptied = await waitUntil(
    () => {
      const pids = readFileSync(`${dir}/cgroup.procs`, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '');
      for (const pid of pids) {
        try {
          writeFileSync(to, pid);
          moved++;
        } catch (err) {
          // ESRCH: exited meanwhile; anything else is retried until the deadline.
          if ((err as NodeJS.ErrnoException).code !== 'ESRCH' && Date.now() > deadline) throw err;
        }
      }
      return pids.length === 0;
    },
    { timeoutMs, intervalMs: 5 },
  );
  if (!emptied) {
    throw new HintbenchError(
      `cgroup ${dir} still holds pid(s) ${cgroupPids(dir).join(', ')} ${timeoutMs} ms after they were moved out`,
      `move them by hand (echo PID > ${to}), then rmdir ${dir}`,
    );
  }
  rmdirSync(dir);
  return moved;
}
