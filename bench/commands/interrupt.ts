import { readFileSync } from 'node:fs';
import { HintbenchError } from '../../core/errors.ts';
import { statField } from '../../core/proc/stat.ts';

/** Signals that stop a command after its current step. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/** How often the parent is checked, in ms. */
const PARENT_CHECK_MS = 500;

/** This process's parent pid, read from /proc (Node's process.ppid is fixed at start-up). */
export function currentParentPid(): number {
  try {
    return statField(readFileSync('/proc/self/stat', 'utf8'), 4);
  } catch {
    return -1;
  }
}

/**
 * Runs a function with an AbortSignal that fires on the first SIGINT, SIGTERM or SIGHUP, or
 * when the parent process exits (this process is re-parented: checked every 500 ms), so that
 * no hintbench keeps running after whoever started it is gone. The handlers replace Node's
 * default (exit at once) so that an injection in progress is finished, probes, workloads and
 * host changes are cleaned up and what was measured is kept. The abort reason is a
 * HintbenchError with exit code 130 and `fix` as its advice. Long loops inside `fn` must
 * yield to the event loop for the signal to be seen.
 */
export async function withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>, fix = 'rerun when ready; the partial results are in the results directory'): Promise<T> {
  const ac = new AbortController();
  const stop = (what: string): void => {
    if (!ac.signal.aborted) process.stderr.write(`\n${what}: stopping after the current step\n`);
    ac.abort(new HintbenchError(`interrupted by ${what}`, fix, { exitCode: 130 }));
  };
  const onSignal = (sig: NodeJS.Signals): void => stop(sig);
  for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
  const parentAtStart = currentParentPid();
  const parentWatch = setInterval(() => {
    const parent = currentParentPid();
    if (parentAtStart > 0 && parent !== parentAtStart && !ac.signal.aborted) {
      // Nobody reads the output any more: a write to a closed pipe must not crash the clean-up.
      process.stdout.on('error', () => {});
      process.stderr.on('error', () => {});
      stop(`the exit of the parent process (pid ${parentAtStart})`);
    }
  }, PARENT_CHECK_MS);
  parentWatch.unref();
  try {
    return await fn(ac.signal);
  } finally {
    clearInterval(parentWatch);
    for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
  }
}
