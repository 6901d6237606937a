/**
 * The cgroup freezer, both flavours: cgroup v2 `cgroup.freeze` / `cgroup.events` and the v1
 * `freezer` controller's `freezer.state`. Freezing and thawing a cgroup, telling a freeze that
 * was asked for from one that is complete, and emptying and removing a cgroup.
 */
import { readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { HintbenchError } from '../errors.ts';
import { HOST_ROOT, readHostText } from '../proc/hostfs.ts';
import { waitUntil } from '../process/wait.ts';

/** A cgroup that can be frozen. */
export interface FreezerCgroup {
  /** `v1`: a cgroup of the v1 freezer hierarchy; `v2`: a cgroup2 cgroup. */
  version: 'v1' | 'v2';
  /** Its directory. */
  dir: string;
}

/** Freezes (true) or thaws (false) a cgroup; throws the write's error (e.g. ENOENT when it is gone). */
export function setFrozen(cg: FreezerCgroup, frozen: boolean): void {
  if (cg.version === 'v2') writeFileSync(`${cg.dir}/cgroup.freeze`, frozen ? '1' : '0');
  else writeFileSync(`${cg.dir}/freezer.state`, frozen ? 'FROZEN' : 'THAWED');
}

/** True when freezing was asked for (v2 cgroup.freeze 1, v1 state other than THAWED), whether or not it has completed. */
export function freezeRequested(cg: FreezerCgroup, root: string = HOST_ROOT): boolean {
  if (cg.version === 'v2') return (readHostText(root, `${cg.dir}/cgroup.freeze`) ?? '0').trim() === '1';
  return (readHostText(root, `${cg.dir}/freezer.state`) ?? 'THAWED').trim() !== 'THAWED';
}

/** True once every task of the cgroup is frozen (v2 cgroup.events `frozen 1`, v1 state FROZEN). */
export function freezeComplete(cg: FreezerCgroup): boolean {
  if (cg.version === 'v2') return /^frozen 1$/m.test(readFileSync(`${cg.dir}/cgroup.events`, 'utf8'));
  return readFileSync(`${cg.dir}/freezer.state`, 'utf8').trim() === 'FROZEN';
}

/** Pids listed in a cgroup's cgroup.procs below `root` (empty when it cannot be read). */
export function cgroupPids(dir: string, root: string = HOST_ROOT): number[] {
  return (readHostText(root, `${dir}/cgroup.procs`) ?? '')
    .split('\n')
    .filter((l) => /^\d+$/.test(l.trim()))
    .map((l) => Number(l.trim()));
}

/**
 * Thaws a cgroup, moves its tasks to `to` (default: the parent cgroup) and removes it;
 * resolves with the number of tasks moved once it is gone. A task that exits meanwhile is
 * fine; one that cannot be moved within `timeoutMs` is a HintbenchError naming it.
 */
export async function thawMoveRemove(cg: FreezerCgroup, opts: { to?: string; timeoutMs?: number } = {}): Promise<number> {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const to = `${opts.to ?? dirname(cg.dir)}/cgroup.procs`;
  setFrozen(cg, false);
  let moved = 0;
  const deadline = Date.now() + timeoutMs;
  const emptied = await waitUntil(
    () => {
      const pids = readFileSync(`${cg.dir}/cgroup.procs`, 'utf8')
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
      `cgroup ${cg.dir} still holds pid(s) ${cgroupPids(cg.dir).join(', ')} ${timeoutMs} ms after they were moved out`,
      `move them by hand (echo PID > ${to}), then rmdir ${cg.dir}`,
    );
  }
  rmdirSync(cg.dir);
  return moved;
}
