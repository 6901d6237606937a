/**
 * The balloon of the `balloon` pressure mode: hintbench's anonymous-memory workload
 * (workloads/anon.ts) started inside the lab cgroup, so that its fill (`sizeMiB` of random
 * pages, plus its Node.js runtime) is charged there and competes with the working set under
 * the cgroup's fixed limit. It is SIGKILLed at the end of the phase; the cgroup's removal
 * ends it on every other path.
 */
import { type Memcg, moveIntoMemcg } from '../../core/cgroup/memcg.ts';
import { spawnWorkload, type WorkloadExit, type WorkloadHandle } from '../../workloads/client.ts';

/** A running balloon, or why it did not come up (the OOM killer may end it while it fills). */
export interface Balloon {
  pid: number;
  handle: WorkloadHandle | null;
  error: string | null;
}

/** Starts a balloon of `sizeMiB` in `cg` and waits until it has filled its memory (or died). */
export async function inflateBalloon(cg: Memcg, sizeMiB: number): Promise<Balloon> {
  let pid = 0;
  try {
    const handle = await spawnWorkload(
      { kind: 'anon', content: 'random', sizeMiB, vmas: 1 },
      {
        beforeStart: (p) => {
          pid = p;
          moveIntoMemcg(cg, p);
        },
      },
    );
    return { pid: handle.pid, handle, error: null };
  } catch (err) {
    return { pid, handle: null, error: `balloon of ${sizeMiB} MiB did not fill: ${(err as Error).message}` };
  }
}

/** Ends the balloon (SIGKILL) and waits for it to be gone. */
export async function deflateBalloon(b: Balloon): Promise<WorkloadExit | null> {
  const handle = b.handle;
  b.handle = null;
  return handle === null ? null : await handle.kill();
}
