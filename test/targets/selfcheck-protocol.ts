/** Arguments and JSON-lines messages of workloads/selfcheck.ts. */

/** Where the self-checking target blocks. */
export type SelfcheckMode = 'busy' | 'nanosleep' | 'read' | 'epoll' | 'futex';

/** All blocking modes. */
export const SELFCHECK_MODES: readonly SelfcheckMode[] = ['busy', 'nanosleep', 'read', 'epoll', 'futex'];

/** Parsed command line of the self-checking target. */
export interface SelfcheckOptions {
  mode: SelfcheckMode;
  /** Extra worker threads that keep counting. */
  threads: number;
  /** Install a seccomp filter that denies madvise(MADV_COLD/MADV_PAGEOUT) with EPERM. */
  seccomp: boolean;
  /** Size of the continuously verified region, in MiB. */
  checkedMiB: number;
  /** Size of the region verified only on request, in MiB. */
  idleMiB: number;
}

/** Parses `--mode=... --threads=N --seccomp --checked-mib=N --idle-mib=N`. */
export function parseSelfcheckArgs(argv: string[]): SelfcheckOptions {
  const o: SelfcheckOptions = { mode: 'nanosleep', threads: 0, seccomp: false, checkedMiB: 4, idleMiB: 16 };
  for (const a of argv) {
    const [k, v] = a.split('=', 2);
    if (k === '--mode') {
      if (!SELFCHECK_MODES.includes(v as SelfcheckMode)) throw new Error(`--mode must be one of ${SELFCHECK_MODES.join(', ')}`);
      o.mode = v as SelfcheckMode;
    } else if (k === '--threads') o.threads = Number(v);
    else if (k === '--seccomp') o.seccomp = true;
    else if (k === '--checked-mib') o.checkedMiB = Number(v);
    else if (k === '--idle-mib') o.idleMiB = Number(v);
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

/** A region the target announces. */
export interface SelfcheckRegion {
  startAddr: number;
  lengthBytes: number;
}

/** First line the target prints. */
export interface SelfcheckReady {
  type: 'ready';
  pid: number;
  mode: SelfcheckMode;
  /** tids of the worker threads. */
  workerTids: number[];
  seccomp: { installed: boolean; madviseDenied: boolean };
  /** Region verified every 20 ms slice. */
  checked: SelfcheckRegion;
  /** Region verified only on `verify-idle`. */
  idle: SelfcheckRegion;
  /** Address of a u32 holding the SIGUSR2 count (readable through /proc/PID/mem at any time). */
  signalCountAddr: number;
}

/** Counters the target reports on `status`. */
export interface SelfcheckStatus {
  type: 'status';
  /** Hash-chain steps done. */
  steps: number;
  /** Recomputations of 1024-step windows, and how many disagreed. */
  hashChecks: number;
  hashFailures: number;
  /** Full passes over the checked region, and pages that failed their checksum (summed over passes). */
  pageChecks: number;
  pageFailures: number;
  /** EINTRs returned by the blocking calls. */
  eintr: number;
  /** Other unexpected errors of the blocking calls. */
  otherErrors: number;
  /** SIGUSR2 handler invocations. */
  signals: number;
  /** 20 ms work slices done. */
  cycles: number;
  /** Blocking calls made. */
  blockingCalls: number;
  /** Per worker thread, its loop count. */
  workerCounts: number[];
}
