import { HintbenchError } from '../errors.ts';

/**
 * Runs a function with an AbortSignal that fires on the first SIGINT/SIGTERM; the handlers
 * replace Node's default (exit at once) so that an injection in progress is finished, probes,
 * workloads and host changes are cleaned up and what was measured is kept. The abort reason
 * is a HintbenchError with exit code 130 and `fix` as its advice.
 */
export async function withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>, fix = 'rerun when ready; the partial results are in the results directory'): Promise<T> {
  const ac = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    if (!ac.signal.aborted) process.stderr.write(`\n${sig}: stopping after the current step\n`);
    ac.abort(new HintbenchError(`interrupted by ${sig}`, fix, { exitCode: 130 }));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn(ac.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
