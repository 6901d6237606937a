/** Catching the errors the code under test is meant to throw. */
import { HintbenchError } from '../../core/errors.ts';

/** The HintbenchError `fn` throws (fails the test if it throws nothing or something else). */
export function errorOf(fn: () => unknown): HintbenchError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HintbenchError) return e;
    throw e;
  }
  throw new Error('expected a HintbenchError');
}
