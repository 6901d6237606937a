import { HintbenchError } from '../../core/errors.ts';
import { threadCpuNs } from '../../core/sys/clock.ts';
import { SyscallError } from '../../core/sys/errno.ts';
import { closeFd, pidfdOpen } from '../../core/sys/pidfd.ts';
import { hostLimits, prepareCalls, processMadviseIov, runCalls, type BatchLimits } from '../../core/sys/process-madvise.ts';
import { ADVICE_VALUE } from '../../core/sys/syscall.ts';
import type { HintOutcome } from '../../core/types.ts';
import type { HintRequest, HintTarget, Mechanism } from './mechanism.ts';

/** Empty calls made by open() so that the first measured hint does not pay for cold code. */
const WARM_UP_CALLS = 3;
/** The iovec array of an empty call. */
const EMPTY_IOV = new BigUint64Array(0);

/** Turns a pidfd_open failure into an actionable error naming the pid. */
function openError(pid: number, err: unknown): HintbenchError {
  if (err instanceof SyscallError) {
    if (err.code === 'ESRCH')
      return new HintbenchError(`target pid ${pid} is gone (pidfd_open: ESRCH)`, 'check the pid with `ps -p PID`; the process may have exited', { cause: err });
    if (err.code === 'ENOSYS')
      return new HintbenchError('this kernel has no pidfd_open (needs Linux 5.3; process_madvise needs 5.10)', 'run on Linux 5.10 or later, or use --via ptrace', { cause: err });
    if (err.code === 'EINVAL') return new HintbenchError(`pid ${pid} is not a valid process id`, 'pass the pid of a running process', { cause: err });
  }
  return new HintbenchError(`cannot open a pidfd for pid ${pid}: ${err instanceof Error ? err.message : String(err)}`, 'run hintbench doctor', { cause: err });
}

/**
 * Delivers hints from outside with process_madvise(2) on a pidfd, synchronously on the
 * calling thread (so the probes see it under this thread's tid). The iovec arrays are built
 * first (prepareCalls); userLatencyNs and callerCpuNs cover the calls only (runCalls), as
 * core/metrics.ts defines them.
 */
export class ProcessMadviseMechanism implements Mechanism {
  readonly name = 'process_madvise' as const;
  private pidfd = -1;
  private pid = 0;
  private limits: BatchLimits | null = null;

  /** @param opts.maxIovecs most ranges per call (default UIO_MAXIOV, 1024; 1 makes one call per range) */
  constructor(private readonly opts: { maxIovecs?: number } = {}) {}

  async open(target: HintTarget): Promise<void> {
    await this.close();
    try {
      this.pidfd = pidfdOpen(target.pid);
      this.pid = target.pid;
      const host = hostLimits();
      this.limits = { ...host, maxIovecs: Math.min(host.maxIovecs, this.opts.maxIovecs ?? host.maxIovecs) };
      // Warm-up outside any timed region: the first pass through the koffi call and the
      // delivery code costs hundreds of microseconds more than later ones. An empty
      // vector advises nothing (the probe sees it as a COLD call returning 0, before the
      // hint window opens).
      for (let i = 0; i < WARM_UP_CALLS; i++) {
        runCalls(this.pidfd, prepareCalls([], this.limits), ADVICE_VALUE.cold);
        processMadviseIov(this.pidfd, EMPTY_IOV, 0, ADVICE_VALUE.cold);
      }
    } catch (err) {
      throw openError(target.pid, err);
    }
  }

  async hint(request: HintRequest): Promise<HintOutcome> {
    if (this.pidfd < 0 || this.limits === null || request.target.pid !== this.pid) throw new Error(`process_madvise mechanism: open(${request.target.pid}) was not called`);
    const prepared = prepareCalls(request.ranges, this.limits);
    const cpu0 = threadCpuNs();
    const r = runCalls(this.pidfd, prepared, ADVICE_VALUE[request.advice]);
    const cpu1 = threadCpuNs();
    return {
      bytesAdvised: r.bytesAdvised,
      userLatencyNs: r.elapsedNs,
      syscalls: r.syscalls,
      syscallTid: process.pid,
      skipped: r.skipped,
      injectorStopNs: 0,
      callerCpuNs: cpu1 - cpu0,
      error: r.error,
    };
  }

  async close(): Promise<void> {
    if (this.pidfd >= 0) {
      const fd = this.pidfd;
      this.pidfd = -1;
      closeFd(fd);
    }
  }

  async dispose(): Promise<void> {
    await this.close();
  }
}
