/**
 * The data that flows through hintbench, from a suite to results.json.
 * Every numeric field carries its unit in its name. Addresses are plain numbers:
 * x86_64 and aarch64 user addresses stay below 2^53.
 */

/** A memory hint hintbench can deliver. */
export type Advice = 'cold' | 'pageout';

/** Advice values as the kernel numbers them (include/uapi/asm-generic/mman-common.h). */
export const ADVICE_VALUE: Readonly<Record<Advice, number>> = { cold: 20, pageout: 21 };

/** How a hint reaches the target: from outside by pidfd, injected by ptrace, or not at all (baseline). */
export type MechanismName = 'process_madvise' | 'ptrace' | 'none';

/** Page content a workload writes: same-filled pages, incompressible bytes, or about half compressible. */
export type Content = 'zero' | 'random' | 'mixed';

/** What kind of mapping a workload creates. */
export type MemoryKind = 'anon';

/** What the target is doing while it is hinted. */
export type TargetState = 'running' | 'sleeping' | 'stopped' | 'frozen';

/** One virtual address range. */
export interface AddrRange {
  /** First byte of the range. */
  startAddr: number;
  /** Length of the range in bytes (a multiple of the page size). */
  lengthBytes: number;
}

/** A region a workload announces: one VMA it mapped and filled. */
export interface Region extends AddrRange {
  /** Mapping kind. */
  kind: MemoryKind;
  /** Content written into it. */
  content: Content;
}

/** The memory layout of a workload. */
export interface MemorySpec {
  /** Mapping kind. */
  kind: MemoryKind;
  /** Content of every page. */
  content: Content;
  /** Total size in MiB. */
  sizeMiB: number;
  /** Number of separate VMAs the size is split into (1 = one mapping). */
  vmas: number;
}

/** One cell of a suite's matrix, run `repetitions` times with a fresh workload each time. */
export interface Scenario {
  /** Stable identifier, e.g. `process_madvise/pageout/anon-random-256MiB-1vma/sleeping`. */
  id: string;
  /** Delivery mechanism. */
  mechanism: MechanismName;
  /** Advice, or `none` for the baseline mechanism. */
  advice: Advice | 'none';
  /** Memory the workload maps. */
  memory: MemorySpec;
  /** State of the target during the hint. */
  targetState: TargetState;
  /** Number of samples (fresh workload each). */
  repetitions: number;
}

/** A named list of scenarios. */
export interface Suite {
  /** Suite name, used in the results directory name. */
  name: string;
  /** One line on what the suite measures. */
  description: string;
  /** The expanded matrix. */
  scenarios: Scenario[];
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
  /** Wall time measured by the caller around the whole delivery, in ns. */
  userLatencyNs: number;
  /** Number of hint syscalls issued (process_madvise calls or injected madvise calls). */
  syscalls: number;
  /** Thread whose syscalls carry the hint (caller for process_madvise, target for ptrace), for probe attribution. */
  syscallTid: number;
  /** Ranges not advised. */
  skipped: SkippedRange[];
  /** Time the target spent stopped by the injector, in ns (ptrace only; 0 for others). */
  injectorStopNs: number;
  /** CPU time the caller thread used during the hint, in ns (from schedstat), or null if unknown. */
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

/** Summary statistics of one metric over the samples of a scenario. */
export interface Summary {
  /** Number of values (nulls excluded). */
  n: number;
  median: number;
  min: number;
  max: number;
  mean: number;
  /** Sample standard deviation (n-1); 0 when n < 2. */
  stddev: number;
  /** 99th percentile (nearest rank). */
  p99: number;
  /** max - min. */
  spread: number;
  /** (max - min) / median; 0 when the median is 0. */
  relSpread: number;
}

/** One repetition of a scenario: a fresh workload, one hint, one re-touch. */
export interface Sample {
  /** 0-based repetition index. */
  repetition: number;
  /** Workload process id. */
  pid: number;
  /** Hint latency measured by the caller, in ns (null for the baseline). */
  userLatencyNs: number | null;
  /** Hint latency measured in the kernel (sum over the hint's syscalls), in ns. */
  kernelLatencyNs: number | null;
  /** Hint syscalls issued. */
  syscalls: number;
  /** Hint syscalls the probe saw for this sample (should equal `syscalls`). */
  probeSyscalls: number | null;
  /** Bytes requested. */
  bytesRequested: number;
  /** Bytes the kernel reported as advised. */
  bytesAdvised: number;
  /** Pages reclaimed inside the hint syscalls (probe). */
  reclaimedPages: number | null;
  /** Target RSS before / after the hint, in bytes (/proc/PID/status VmRSS). */
  rssBeforeBytes: number;
  rssAfterBytes: number;
  /** Target swap before / after the hint, in bytes (/proc/PID/status VmSwap). */
  swapBeforeBytes: number;
  swapAfterBytes: number;
  /** System-wide pswpout delta across the hint (/proc/vmstat, pages). */
  pswpoutDeltaPages: number;
  /** System-wide pswpin delta across the re-touch (/proc/vmstat, pages). */
  pswpinDeltaPages: number;
  /** Time the workload took to touch every page again, in ns (workload's own clock). */
  retouchNs: number;
  /** Major faults during the re-touch, from the workload's /proc/self/stat. */
  retouchMajorFaults: number;
  /** Major faults during the re-touch, counted by the probe (software:major-faults). */
  retouchMajorFaultsProbe: number | null;
  /** Time the target was stalled by the hint: time in ptrace stop per sched_switch (TASK_TRACED until the next switch-in), in ns. */
  stallNs: number | null;
  /** The injector's own stop window (stop arrived -> detach), in ns (ptrace only). */
  injectorStopNs: number | null;
  /** CPU time of the delivering thread during the hint (runner thread for process_madvise, tracer thread for ptrace; CLOCK_THREAD_CPUTIME_ID delta), in ns. */
  callerCpuNs: number | null;
  /** CPU time of all target threads from just before to just after the hint (schedstat run-time delta; includes a `running` target's own spinning), in ns. */
  targetCpuNs: number | null;
  /** System calls of the target that returned EINTR during the sample (probe eintr.bt, over the workload's life). */
  targetEintr: number;
  /** The workload verified all its pages after the hint. */
  dataIntact: boolean;
  /** Errors met in this sample (empty when clean). */
  errors: string[];
}

/** How a scenario ended (see ScenarioResult.status). */
export type ScenarioStatus = 'ok' | 'partial' | 'failed' | 'interrupted';

/** Outcome of one scenario. */
export interface ScenarioResult {
  scenario: Scenario;
  /**
   * `ok`; `partial` (some samples have errors); `failed` (could not run; see error); or
   * `interrupted` (the run stopped during this scenario: `samples` holds the repetitions that
   * finished; also the state written while the scenario is still running).
   */
  status: ScenarioStatus;
  /** Why the scenario failed or was interrupted, if it was. */
  error: string | null;
  samples: Sample[];
  /** Summaries keyed by Sample field name (numeric fields only). */
  summary: Record<string, Summary>;
  /** Things a reader should know (noise, skipped ranges, ...). */
  warnings: string[];
}

/** A swap device as /proc/swaps lists it. */
export interface SwapDevice {
  name: string;
  type: string;
  sizeBytes: number;
  usedBytes: number;
  priority: number;
  /** zram compressor in use, if the device is zram. */
  zramCompressor: string | null;
}

/** Where and on what a run happened. */
export interface Environment {
  hostname: string;
  kernelRelease: string;
  arch: string;
  pageSizeBytes: number;
  cpuModel: string;
  cpuCount: number;
  memTotalBytes: number;
  swapDevices: SwapDevice[];
  /** THP mode, e.g. `madvise`. */
  thpMode: string;
  /** `v1`, `v2` or `hybrid`: where the memory controller lives. */
  cgroupMemory: string;
  nodeVersion: string;
  bpftraceVersion: string | null;
  hintbenchVersion: string;
  /** Background reclaimers seen (DAMON kdamond, proactive-reclaim daemons): noise sources. */
  backgroundReclaimers: string[];
}

/** Everything one run produced; serialised as results.json. */
export interface RunResult {
  /** Version of this schema (docs/results-schema.md). */
  schemaVersion: 1;
  suite: string;
  /** ISO-8601 UTC. */
  startedAt: string;
  finishedAt: string | null;
  environment: Environment;
  /** What host preparation changed for this run. */
  hostChanges: string[];
  scenarios: ScenarioResult[];
}
