import type { Advice, AddrRange, HintOutcome, MechanismName } from '../../core/types.ts';

/** Which task to hint. */
export interface HintTarget {
  /** Target process id. */
  pid: number;
  /** Thread to act in (ptrace only); defaults to the main thread (tid == pid). */
  tid?: number;
}

/** One logical hint: some ranges of one target, one advice. */
export interface HintRequest {
  target: HintTarget;
  advice: Advice;
  ranges: AddrRange[];
}

/**
 * A way of delivering a hint. Implementations: process_madvise (pidfd, from outside),
 * ptrace (madvise injected into the target), none (baseline: nothing is delivered).
 * Failures are data: hint() resolves with `error` set rather than throwing, except for
 * programming errors.
 */
export interface Mechanism {
  readonly name: MechanismName;
  /** Prepare to hint this target (open a pidfd, seize nothing yet). Throws HintbenchError with a fix when impossible. */
  open(target: HintTarget): Promise<void>;
  /** Deliver one hint. */
  hint(request: HintRequest): Promise<HintOutcome>;
  /** Release what open() acquired for this target. Safe to call twice. */
  close(): Promise<void>;
  /** Release what the mechanism keeps across targets (e.g. a tracer process). Safe to call twice. */
  dispose(): Promise<void>;
}
