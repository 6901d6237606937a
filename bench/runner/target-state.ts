import { HintbenchError } from '../../core/errors.ts';
import { readProcStat } from '../../core/proc/stat.ts';
import { waitUntil } from '../../core/process/wait.ts';
import type { TargetState } from '../../core/types.ts';
import type { WorkloadHandle } from '../../workloads/client.ts';
import { freezeProcess, thawAndRemove, thawOnExit, type FrozenCgroup } from './freeze.ts';

/** Cgroups of workloads frozen by enterState(), by pid. */
const frozen = new Map<number, FrozenCgroup>();

/** A runner that exits (even on an uncaught error) with a workload still frozen thaws it first. */
let exitHookInstalled = false;
function thawAllOnExit(): void {
  for (const cg of frozen.values()) thawOnExit(cg);
}

/** Waits until the process's state letter is one of `states`, or throws after `timeoutMs`. */
async function waitForState(pid: number, states: string[], timeoutMs = 2000): Promise<void> {
  let state = '?';
  const reached = await waitUntil(
    () => {
      const stat = readProcStat(pid);
      if (stat === null) throw new HintbenchError(`pid ${pid} exited before reaching state ${states.join('/')}`, 'check the workload (its stderr is in the sample errors)');
      state = stat.state;
      return states.includes(state);
    },
    { timeoutMs },
  );
  if (!reached) throw new HintbenchError(`pid ${pid} did not reach state ${states.join('/')} within ${timeoutMs} ms (it is '${state}')`, 'check whether the machine is overloaded');
}

/** Puts a workload into the state it must be in while it is hinted. */
export async function enterState(workload: WorkloadHandle, state: TargetState): Promise<void> {
  switch (state) {
    case 'sleeping':
      // The workload idles in its event loop between commands.
      await waitForState(workload.pid, ['S']);
      return;
    case 'running':
      await workload.setState('running');
      return;
    case 'stopped':
      process.kill(workload.pid, 'SIGSTOP');
      await waitForState(workload.pid, ['T']);
      return;
    case 'frozen':
      await waitForState(workload.pid, ['S']);
      if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.on('exit', thawAllOnExit);
      }
      frozen.set(workload.pid, await freezeProcess(workload.pid));
      return;
  }
}

/** Brings a workload back to idle so that it can be re-touched. */
export async function leaveState(workload: WorkloadHandle, state: TargetState): Promise<void> {
  switch (state) {
    case 'sleeping':
      return;
    case 'running':
      await workload.setState('sleeping');
      return;
    case 'stopped':
      process.kill(workload.pid, 'SIGCONT');
      await waitForState(workload.pid, ['S', 'R']);
      return;
    case 'frozen': {
      const cg = frozen.get(workload.pid);
      frozen.delete(workload.pid);
      if (cg !== undefined) await thawAndRemove(cg);
      return;
    }
  }
}
