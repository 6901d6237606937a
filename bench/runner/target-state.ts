import { HintbenchError } from '../../core/errors.ts';
import { readProcStat } from '../../core/proc/stat.ts';
import { waitUntil } from '../../core/process/wait.ts';
import type { TargetState } from '../../core/types.ts';
import type { WorkloadHandle } from '../../workloads/client.ts';
import { freezeProcess, thawAndRemove, thawOnExit, type FrozenCgroup } from './freeze.ts';
import { type ContendedTarget, contendProcess, uncontend, uncontendOnExit } from './states/contend.ts';
import { checkTracer, type TracedTarget, type TracerCheck, traceProcess, untrace, untraceOnExit } from './states/foreign-tracer.ts';
import { type ThrottledTarget, throttleProcess, unthrottle, unthrottleOnExit } from './states/throttle.ts';

/** Cgroups of workloads frozen by enterState(), by pid. */
const frozen = new Map<number, FrozenCgroup>();
/** CPU cgroups of throttled workloads, by pid. */
const throttled = new Map<number, ThrottledTarget>();
/** Hogs of contended workloads, by pid. */
const contended = new Map<number, ContendedTarget>();
/** Tracers of traced workloads, by pid. */
const traced = new Map<number, TracedTarget>();

/** A runner that exits (even on an uncaught error) with a workload still frozen, throttled, contended or traced undoes it first. */
let exitHookInstalled = false;
function undoAllOnExit(): void {
  for (const cg of frozen.values()) thawOnExit(cg);
  for (const t of throttled.values()) unthrottleOnExit(t);
  for (const t of contended.values()) uncontendOnExit(t);
  for (const t of traced.values()) untraceOnExit(t);
}
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', undoAllOnExit);
}

/** The CPU cgroup of a workload in the `throttled` state (its cpu.stat has the throttling counters), or null. */
export function throttledCgroupOf(pid: number): ThrottledTarget['cg'] | null {
  return throttled.get(pid)?.cg ?? null;
}

/** The hog sharing the CPU of a workload in the `contended` state, or null. */
export function contentionOf(pid: number): Pick<ContendedTarget, 'cpu' | 'hogPid'> | null {
  return contended.get(pid) ?? null;
}

/** The tracer of a workload in the `traced` state and whether both are intact, or null. */
export function foreignTracerOf(pid: number): { tracerPid: number; check: TracerCheck } | null {
  const t = traced.get(pid);
  return t === undefined ? null : { tracerPid: t.tracerPid, check: checkTracer(t) };
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
      installExitHook();
      frozen.set(workload.pid, await freezeProcess(workload.pid));
      return;
    case 'throttled':
      await waitForState(workload.pid, ['S']);
      installExitHook();
      throttled.set(workload.pid, await throttleProcess(workload.pid));
      return;
    case 'contended':
      await waitForState(workload.pid, ['S']);
      installExitHook();
      contended.set(workload.pid, await contendProcess(workload.pid));
      return;
    case 'traced':
      await waitForState(workload.pid, ['S']);
      installExitHook();
      traced.set(workload.pid, await traceProcess(workload.pid));
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
    case 'throttled': {
      const t = throttled.get(workload.pid);
      throttled.delete(workload.pid);
      if (t !== undefined) await unthrottle(t);
      return;
    }
    case 'contended': {
      const t = contended.get(workload.pid);
      contended.delete(workload.pid);
      if (t !== undefined) await uncontend(t);
      return;
    }
    case 'traced': {
      const t = traced.get(workload.pid);
      traced.delete(workload.pid);
      if (t !== undefined) await untrace(t);
      return;
    }
  }
}
