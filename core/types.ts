/**
 * The data that flows through hintbench, from a suite to results.json. The types of what is
 * written or read (results.json, suite files, protocol lines) are inferred from the schemas
 * of core/schema/, so a type and its validator cannot disagree. Every numeric field carries
 * its unit in its name. Addresses are plain numbers: x86_64 and aarch64 user addresses stay
 * below 2^53.
 */
import type { z } from 'zod';
import type { AddrRangeSchema, MemorySpecSchema, RegionSchema } from './schema/memory.ts';
import type { EnvironmentSchema, RunResultSchema, SampleSchema, ScenarioResultSchema, ScenarioSchema, SummarySchema, SwapDeviceSchema } from './schema/results.ts';

export type { Advice, Content, MechanismName, MemoryKind, ScenarioStatus, TargetState } from './schema/enums.ts';

/** One virtual address range. */
export type AddrRange = z.infer<typeof AddrRangeSchema>;
/** A region a workload announces: one VMA it mapped and filled. */
export type Region = z.infer<typeof RegionSchema>;
/** The memory layout of a workload. */
export type MemorySpec = z.infer<typeof MemorySpecSchema>;
/** One cell of a suite's matrix, run `repetitions` times with a fresh workload each time. */
export type Scenario = z.infer<typeof ScenarioSchema>;
/** Summary statistics of one metric over the samples of a scenario. */
export type Summary = z.infer<typeof SummarySchema>;
/** One repetition of a scenario: a fresh workload, one hint, one re-touch (fields: core/metrics.ts). */
export type Sample = z.infer<typeof SampleSchema>;
/** Outcome of one scenario. */
export type ScenarioResult = z.infer<typeof ScenarioResultSchema>;
/** A swap device as /proc/swaps lists it. */
export type SwapDevice = z.infer<typeof SwapDeviceSchema>;
/** Where and on what a run happened. */
export type Environment = z.infer<typeof EnvironmentSchema>;
/** Everything one run produced; serialised as results.json. */
export type RunResult = z.infer<typeof RunResultSchema>;

/** A named list of scenarios. */
export interface Suite {
  /** Suite name, used in the results directory name. */
  name: string;
  /** One line on what the suite measures. */
  description: string;
  /** The expanded matrix. */
  scenarios: Scenario[];
  /** Time budget of a run that asks for neither --reps, --time-budget nor --target-ci, ms (suites too long for a fixed count). */
  defaultTimeBudgetMs?: number;
}

/** A range the mechanism could not advise, and why. */
export interface SkippedRange extends AddrRange {
  /** Symbolic errno (e.g. `ENOMEM`) or a short reason. */
  reason: string;
}

/** What a mechanism reports for one hint (one logical request, possibly many syscalls). */
export interface HintOutcome {
  /** Bytes the kernel reported as advised. */
  bytesAdvised: number;
  /** Caller-side latency of the hint as core/metrics.ts defines Sample.userLatencyNs, in ns. */
  userLatencyNs: number;
  /** Number of hint syscalls issued (process_madvise calls or injected madvise calls). */
  syscalls: number;
  /** Thread whose syscalls carry the hint (caller for process_madvise, target for ptrace), for probe attribution. */
  syscallTid: number;
  /** Ranges not advised. */
  skipped: SkippedRange[];
  /** Time the target spent stopped by the injector, in ns (ptrace only; 0 for others). */
  injectorStopNs: number;
  /** CPU time the delivering thread used during the hint, in ns (CLOCK_THREAD_CPUTIME_ID delta), or null if unknown. */
  callerCpuNs: number | null;
  /** Error that ended the hint early, if any (`ENAME: message`). */
  error: string | null;
}

/** Per-hint figures the probes measured. */
export interface ProbeHint {
  /** Thread that made the syscall. */
  tid: number;
  /** Process id of that thread. */
  pid: number;
  /** Syscall: process_madvise or madvise. */
  syscall: 'process_madvise' | 'madvise';
  /** Advice value passed. */
  behavior: number;
  /** Kernel-side latency from sys_enter to sys_exit, in ns. */
  latencyNs: number;
  /** Pages reclaimed by this thread between enter and exit (sum of mm_vmscan_reclaim_pages). */
  reclaimedPages: number;
  /** Syscall return value. */
  ret: number;
  /** bpftrace nsecs (CLOCK_MONOTONIC) at sys_enter. */
  enterNs: number;
}

/** Why a thread was stopped: by ptrace (TASK_TRACED) or by job control (TASK_STOPPED). */
export type StallState = 'traced' | 'stopped';

/** One stop of one thread, as the stall probe reports it. */
export interface ProbeStall {
  /** Thread that was stopped. */
  tid: number;
  /** traced = ptrace stop (prev_state 8), stopped = SIGSTOP group stop (prev_state 4). */
  state: StallState;
  /** bpftrace nsecs (CLOCK_MONOTONIC) when the thread was switched out. */
  startNs: number;
  /** Time until it was switched in again, in ns. */
  durationNs: number;
}

/** Kind of a reclaim pass (reclaim-events.bt): a memory cgroup's reclaim, or direct reclaim by an allocation. */
export type ReclaimKind = 'memcg' | 'direct';

/** One reclaim pass, begin to end on one thread, as reclaim-events.bt reports it. */
export interface ProbeReclaim {
  kind: ReclaimKind;
  /** Process (tgid) and thread that reclaimed: the task that charged the memory or wrote the lower limit. */
  pid: number;
  tid: number;
  comm: string;
  /** bpftrace nsecs (CLOCK_MONOTONIC) at the pass's begin. */
  beginNs: number;
  /** Time from begin to end, in ns. */
  durationNs: number;
  /** Pages the pass reclaimed. */
  reclaimedPages: number;
}

/** One reclaim throttling event (vmscan:mm_vmscan_throttled). */
export interface ProbeReclaimThrottle {
  pid: number;
  tid: number;
  comm: string;
  /** bpftrace nsecs (CLOCK_MONOTONIC) when the throttled task was woken. */
  atNs: number;
  /** Time the task was delayed, in us. */
  delayedUs: number;
  /** The kernel's VMSCAN_THROTTLE_* bit. */
  reason: number;
}

/** Major faults of one process while its faulting thread had one name. */
export interface MajorFaultCount {
  /** Process id (tgid). */
  pid: number;
  /** Thread name at fault time (e.g. `hbw-retouch`). */
  comm: string;
  /** Major faults counted. */
  count: number;
}

/** Explanation probes a session can run (bpf/hint-tlb.bt, hint-ipi.bt, hint-sched.bt, refault-latency.bt). */
export type ExplainSource = 'tlb' | 'ipi' | 'sched' | 'refault-latency';

/** The probe script (bpf/NAME.bt) behind each explanation source. */
export const EXPLAIN_SCRIPT_NAMES = { tlb: 'hint-tlb', ipi: 'hint-ipi', sched: 'hint-sched', 'refault-latency': 'refault-latency' } as const satisfies Record<
  ExplainSource,
  string
>;

/** Events of one kind counted during one hint system call (hint-tlb.bt: tlb_flush reasons; hint-ipi.bt: IPI kinds). */
export interface HintEventCount {
  /** Script that counted them. */
  source: 'tlb' | 'ipi';
  /** Thread that made the hint system call. */
  tid: number;
  /** bpftrace nsecs (CLOCK_MONOTONIC) at that call's sys_enter. */
  enterNs: number;
  /** tlb: the tlb_flush reason (1..5); ipi: 1 ipi_send_cpu, 2 ipi_send_cpumask, 3 call_function_entry, 4 call_function_single_entry. */
  kind: number;
  /** Events counted. */
  count: number;
}

/** Where the hinting thread ran during one hint system call (hint-sched.bt). */
export interface HintSchedRecord {
  /** Thread that made the call. */
  tid: number;
  /** bpftrace nsecs (CLOCK_MONOTONIC) at sys_enter. */
  enterNs: number;
  /** CPU at sys_enter. */
  cpuEnter: number;
  /** CPU at sys_exit. */
  cpuExit: number;
  /** sched_migrate_task events of the thread during the call. */
  migrations: number;
  /** Times it was switched out during the call. */
  switches: number;
  /** Switches out while still runnable (preempted by another task). */
  preemptions: number;
  /** Time switched out during the call, in ns. */
  offCpuNs: number;
}

/** Major-fault latencies of one process's re-touch phase (refault-latency.bt). */
export interface RefaultLatency {
  /** Process id. */
  pid: number;
  /** Faults per log2 bucket: index i holds latencies in [2^i, 2^(i+1)) ns (index 0 also holds 0 ns). */
  log2Buckets: number[];
  /** Faults timed (the buckets' total). */
  count: number;
  /** Sum of their latencies, in ns. */
  sumNs: number;
}

/** What the probes saw that attribution (core/attribution.ts) turns into a hint's figures. */
export interface ProbeFacts {
  /** One record per COLD/PAGEOUT madvise or process_madvise call, sorted by enter time. */
  hints: ProbeHint[];
  /** Major faults per (pid, comm); empty when not measured. */
  majorFaults: MajorFaultCount[];
  /** System calls that returned EINTR, per process. */
  eintr: { pid: number; count: number }[];
  /** One record per ptrace or job-control stop that ended during the session. */
  stalls: ProbeStall[];
  /** Hint calls the probe counted (records beyond its map size are missing from `hints`); absent when it printed no count. */
  hintCalls?: number;
  /** Explanation probes that ran in the session; a figure whose source is missing here is null, not 0. */
  explainSources?: ExplainSource[];
  /** TLB flush and IPI counts per hint system call (hint-tlb.bt, hint-ipi.bt). */
  hintEvents?: HintEventCount[];
  /** One record per hint system call (hint-sched.bt). */
  hintSched?: HintSchedRecord[];
  /** Hint calls hint-sched.bt counted (records beyond its map size are missing from `hintSched`). */
  hintSchedCalls?: number;
  /** Re-touch major-fault latencies per process (refault-latency.bt). */
  refaultLatency?: RefaultLatency[];
  /** Reclaim passes that ended during the session (reclaim-events.bt); absent when it did not run. */
  reclaims?: ProbeReclaim[];
  /** Reclaim throttling events (reclaim-events.bt); absent when it did not run. */
  reclaimThrottles?: ProbeReclaimThrottle[];
}
