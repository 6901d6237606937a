import type { HintOutcome } from '../../core/types.ts';
import type { HintRequest, HintTarget, Mechanism } from './mechanism.ts';

/** The baseline: no hint is delivered; the workload runs the same phases. */
export class NoneMechanism implements Mechanism {
  readonly name = 'none' as const;

  async open(_target: HintTarget): Promise<void> {}

  async hint(_request: HintRequest): Promise<HintOutcome> {
    return { bytesAdvised: 0, userLatencyNs: 0, syscalls: 0, syscallTid: process.pid, skipped: [], injectorStopNs: 0, callerCpuNs: 0, error: null };
  }

  async close(): Promise<void> {}

  async dispose(): Promise<void> {}
}
