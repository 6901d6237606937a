/**
 * The metric registry: every field of a Sample declared once, with its type (a zod schema),
 * unit, direction and one doc line. Derived from it: the Sample schema and type
 * (core/schema/results.ts), the fields that get summaries, the samples.csv columns and
 * table metrics (reports/columns.ts), the tables of docs/results-schema.md, and the
 * direction compare judges a change by.
 */
import { z } from 'zod';
import {
  count,
  countAdded,
  countOrNull,
  deltaAdded,
  histAdded,
  type MetricDirection,
  type MetricDisplay,
  type MetricUnit,
  metric,
  nsAdded,
  nsOrNull,
  nullsOf,
  plain,
  ratioAdded,
  type SampleField,
} from './metrics/fields.ts';
import { FLEET_FIELDS } from './metrics/fleet.ts';
import { PRESSURE_FIELDS } from './metrics/pressure.ts';
import { TARGET_STATE_FIELDS } from './metrics/target-states.ts';
import { VECTORED_FIELDS } from './metrics/vectored.ts';
import { RACE_FIELDS } from './metrics/race.ts';
import type { Direction } from './stats/verdict.ts';

export type { MetricDirection, MetricDisplay, MetricUnit, SampleField };

/** Fields of the scenario families (null where they do not apply): the strategy lab's, the target states', the race experiment's, the fleet's and the vectored calls'. */
export const FAMILY_FIELDS = { ...PRESSURE_FIELDS, ...TARGET_STATE_FIELDS, ...RACE_FIELDS, ...FLEET_FIELDS, ...VECTORED_FIELDS } as const;

/** Every family field set to null: spread into a sample of another family. */
export function familyNulls(): { [K in keyof typeof FAMILY_FIELDS]: null } {
  return nullsOf(FAMILY_FIELDS);
}

/**
 * Every Sample field, in the order of results.json and samples.csv. userLatencyNs,
 * kernelLatencyNs and stallNs are defined here and nowhere else; core/attribution.ts and the
 * mechanisms measure exactly what these lines say.
 */
export const SAMPLE_FIELDS = {
  repetition: plain(count, null, "0-based index of the sample within its scenario's samples (the warm-up, when there is one, is 0)"),
  warmUp: plain(
    z.boolean(),
    null,
    'the warm-up repetition, run before the first block: kept for inspection, left out of summaries, confidence intervals, warnings and comparisons',
  ),
  block: plain(z.int().min(-1), null, '0-based index of the block the sample was measured in (a block runs one repetition of every scenario); -1 for the warm-up'),
  pid: plain(z.int().positive(), null, 'workload process id'),
  userLatencyNs: metric(
    nsOrNull,
    'ns',
    'lower-is-better',
    "hint latency seen by the caller: wall time from just before the hint's first system call to just after its last (process_madvise: the calls on iovec arrays built before the clock starts; ptrace: seize to detach, the stops included); null for the baseline",
    { display: { label: 'user latency (µs)', divisor: 1e3, decimals: 1 }, compared: true },
  ),
  kernelLatencyNs: metric(
    nsOrNull,
    'ns',
    'lower-is-better',
    "hint latency in the kernel (sys_enter to sys_exit) summed over the hint's system calls; null unless the probe recorded every one of them",
    { display: { label: 'kernel latency (µs)', divisor: 1e3, decimals: 1 }, compared: true },
  ),
  syscalls: plain(count, null, 'hint system calls issued (process_madvise calls, or madvise calls injected into the target)'),
  probeSyscalls: plain(countOrNull, null, "hint system calls of the hinting thread the probe recorded inside the hint's window; should equal syscalls"),
  bytesRequested: plain(count, 'bytes', 'bytes requested'),
  bytesAdvised: metric(count, 'bytes', 'none', 'bytes the kernel reported as advised', { display: { label: 'advised (MiB)', divisor: 2 ** 20, decimals: 1 } }),
  reclaimedPages: metric(
    countOrNull,
    'pages',
    'higher-is-better',
    'pages reclaimed inside the hint system calls (sum of vmscan:mm_vmscan_reclaim_pages of the hinting thread); null unless the probe recorded every call',
    {
      display: { label: 'reclaimed (pages)', divisor: 1, decimals: 0 },
      compared: true,
    },
  ),
  rssBeforeBytes: metric(count, 'bytes', 'none', 'target VmRSS before the hint'),
  rssAfterBytes: metric(count, 'bytes', 'none', 'target VmRSS after the hint'),
  swapBeforeBytes: metric(count, 'bytes', 'none', 'target VmSwap before the hint'),
  swapAfterBytes: metric(count, 'bytes', 'none', 'target VmSwap after the hint'),
  pswpoutDeltaPages: metric(z.int(), 'pages', 'none', 'system-wide pswpout delta across the hint (/proc/vmstat)'),
  pswpinDeltaPages: metric(z.int(), 'pages', 'none', 'system-wide pswpin delta across the re-touch (/proc/vmstat)'),
  retouchNs: metric(z.number().nonnegative(), 'ns', 'lower-is-better', 'time the workload took to touch every page again (its own clock)', {
    display: { label: 're-touch time (ms)', divisor: 1e6, decimals: 2 },
    compared: true,
  }),
  retouchMajorFaults: metric(count, null, 'none', "major faults during the re-touch, from the workload's /proc/self/stat", {
    display: { label: 're-touch major faults', divisor: 1, decimals: 0 },
  }),
  retouchMajorFaultsProbe: metric(countOrNull, null, 'none', 'major faults during the re-touch, counted by the probe (software:major-faults under the re-touch thread name)'),
  stallNs: metric(
    nsOrNull,
    'ns',
    'lower-is-better',
    "time the target's threads spent in ptrace stops (TASK_TRACED, from the switch-out to the next switch-in) that began inside the hint's window, each counted whole; null unless the mechanism can stop the target",
    { display: { label: 'target stall, traced stops (µs)', divisor: 1e3, decimals: 1 }, compared: true },
  ),
  injectorStopNs: metric(nsOrNull, 'ns', 'lower-is-better', "the injector's own stop window, stop arrived to detach (ptrace only)", {
    display: { label: 'injector stop window (µs)', divisor: 1e3, decimals: 1 },
    compared: true,
  }),
  callerCpuNs: metric(
    nsOrNull,
    'ns',
    'lower-is-better',
    'CPU time of the delivering thread over the window of userLatencyNs (runner thread for process_madvise, tracer thread for ptrace; CLOCK_THREAD_CPUTIME_ID delta)',
    { display: { label: 'caller CPU (µs)', divisor: 1e3, decimals: 1 }, compared: true },
  ),
  targetCpuNs: metric(
    nsOrNull,
    'ns',
    'none',
    "CPU time of all target threads from just before to just after the hint (schedstat run-time delta; includes a `running` target's own spinning)",
    {
      display: { label: 'target CPU (µs)', divisor: 1e3, decimals: 1 },
    },
  ),
  targetEintr: metric(count, null, 'lower-is-better', "system calls of the target that returned EINTR during the sample (probe eintr.bt, over the workload's life)", {
    display: { label: 'target EINTRs', divisor: 1, decimals: 0 },
  }),
  retouchMinorFaults: metric(countAdded, null, 'none', "minor faults during the re-touch, from the workload's /proc/self/stat", {
    display: { label: 're-touch minor faults', divisor: 1, decimals: 0 },
  }),
  tlbRemoteIpiSends: metric(
    countAdded,
    null,
    'none',
    'TLB shootdown requests the hinting thread sent to other CPUs during its hint syscalls (tlb:tlb_flush reason "remote IPI send"; bpf/hint-tlb.bt); null when the probe did not run',
    { display: { label: 'TLB shootdown IPIs sent', divisor: 1, decimals: 0 } },
  ),
  tlbRemoteShootdowns: metric(
    countAdded,
    null,
    'none',
    'TLB flushes other CPUs ran for remote shootdowns while a hint syscall was in flight (tlb:tlb_flush reason "remote shootdown", any CPU; includes other processes\' flushes at that time)',
    { display: { label: 'remote TLB flushes run', divisor: 1, decimals: 0 } },
  ),
  tlbRemoteWrongCpu: metric(
    countAdded,
    null,
    'none',
    'shootdown IPIs that found the mm no longer loaded on the receiving CPU, while a hint syscall was in flight (tlb:tlb_flush reason "remote wrong CPU")',
    { display: { label: 'shootdowns to wrong CPU', divisor: 1, decimals: 0 } },
  ),
  tlbLocalShootdowns: metric(countAdded, null, 'none', 'full local TLB flushes by the hinting thread during its hint syscalls (tlb:tlb_flush reason "local shootdown")'),
  tlbLocalMmShootdowns: metric(
    countAdded,
    null,
    'none',
    'local TLB flushes of the target\'s mm by the hinting thread during its hint syscalls (tlb:tlb_flush reason "local MM shootdown")',
  ),
  ipiSends: metric(
    countAdded,
    null,
    'none',
    'function-call IPIs the hinting thread sent during its hint syscalls (ipi:ipi_send_cpu + ipi:ipi_send_cpumask with a callback; reschedule IPIs left out; bpf/hint-ipi.bt)',
    {
      display: { label: 'IPIs sent by caller', divisor: 1, decimals: 0 },
    },
  ),
  callFunctionIrqs: metric(
    countAdded,
    null,
    'none',
    'function-call interrupts any CPU took while a hint syscall was in flight (irq_vectors:call_function_entry + call_function_single_entry; the receiving side of IPIs)',
    { display: { label: 'function-call IRQs taken', divisor: 1, decimals: 0 } },
  ),
  irqTlbShootdowns: metric(
    deltaAdded,
    null,
    'none',
    'TLB shootdown interrupts received by all CPUs across the hint window (/proc/interrupts TLB line delta; independent of the probes)',
    { display: { label: 'TLB interrupts received', divisor: 1, decimals: 0 } },
  ),
  irqFunctionCalls: metric(deltaAdded, null, 'none', 'function-call interrupts received by all CPUs across the hint window (/proc/interrupts CAL line delta)'),
  callerCpu: plain(countAdded, null, 'CPU the hinting thread was on when its first hint syscall entered the kernel (bpf/hint-sched.bt)'),
  targetCpu: plain(countAdded, null, "CPU the target's main thread last ran on, read just before the hint (/proc/PID/task/TID/stat field 39)"),
  callerMigrations: metric(countAdded, null, 'none', 'migrations of the hinting thread to another CPU during its hint syscalls (sched:sched_migrate_task)', {
    display: { label: 'caller migrations', divisor: 1, decimals: 0 },
  }),
  targetMigrations: metric(countAdded, null, 'none', "migrations of the target's threads across the hint window (se.nr_migrations delta, /proc/PID/task/TID/sched)", {
    display: { label: 'target migrations', divisor: 1, decimals: 0 },
  }),
  callerSwitches: metric(countAdded, null, 'none', 'times the hinting thread was switched out during its hint syscalls (sched:sched_switch)'),
  callerPreemptions: metric(countAdded, null, 'none', 'switches out of the hinting thread during its hint syscalls while it was still runnable: preempted by another task', {
    display: { label: 'caller preemptions', divisor: 1, decimals: 0 },
  }),
  callerOffCpuNs: metric(nsAdded, 'ns', 'none', 'time the hinting thread spent switched out during its hint syscalls', {
    display: { label: 'caller off-CPU (µs)', divisor: 1e3, decimals: 1 },
  }),
  refaultsTimed: metric(countAdded, null, 'none', 're-touch major faults the latency histogram timed (bpf/refault-latency.bt); should equal retouchMajorFaultsProbe', {
    display: { label: 'refaults timed', divisor: 1, decimals: 0 },
  }),
  refaultLatencyMeanNs: metric(nsAdded, 'ns', 'lower-is-better', 'mean time from fault entry to the end of its handling over the re-touch major faults (swap-in per page)', {
    display: { label: 'mean refault latency (µs)', divisor: 1e3, decimals: 2 },
  }),
  refaultLatencyLog2Hist: plain(
    histAdded,
    null,
    're-touch major faults per latency bucket: element i counts faults that took [2^i, 2^(i+1)) ns (element 0 also 0-1 ns); null when the probe did not run',
  ),
  pgscanKswapdDeltaPages: metric(deltaAdded, 'pages', 'none', 'pgscan_kswapd delta from just before the hint to just after the re-touch (/proc/vmstat, system-wide)'),
  pgscanDirectDeltaPages: metric(deltaAdded, 'pages', 'none', 'pgscan_direct delta over the same span'),
  pgstealKswapdDeltaPages: metric(deltaAdded, 'pages', 'none', 'pgsteal_kswapd delta over the same span (MADV_PAGEOUT counts in neither pgscan nor pgsteal)'),
  pgstealDirectDeltaPages: metric(deltaAdded, 'pages', 'none', 'pgsteal_direct delta over the same span'),
  workingsetRefaultAnonDeltaPages: metric(deltaAdded, 'pages', 'none', 'workingset_refault_anon delta over the same span'),
  workingsetRefaultFileDeltaPages: metric(deltaAdded, 'pages', 'none', 'workingset_refault_file delta over the same span'),
  workingsetActivateAnonDeltaPages: metric(deltaAdded, 'pages', 'none', 'workingset_activate_anon delta over the same span (refaulted pages activated at once)'),
  workingsetActivateFileDeltaPages: metric(deltaAdded, 'pages', 'none', 'workingset_activate_file delta over the same span'),
  thpSwpoutDelta: metric(deltaAdded, null, 'none', 'thp_swpout delta over the same span (huge pages swapped out whole)'),
  thpSplitPageDelta: metric(deltaAdded, null, 'none', 'thp_split_page delta over the same span (huge pages split, e.g. to swap them out)'),
  zramOrigDeltaBytes: metric(deltaAdded, 'bytes', 'none', 'zram orig_data_size delta across the hint window, summed over the zram swap devices (/sys/block/zramN/mm_stat)'),
  zramComprDeltaBytes: metric(deltaAdded, 'bytes', 'none', 'zram compr_data_size delta across the hint window: what those bytes compressed to'),
  zramCompressionRatio: metric(ratioAdded, null, 'higher-is-better', 'zramOrigDeltaBytes / zramComprDeltaBytes; null unless both grew', {
    display: { label: 'zram compression ratio', divisor: 1, decimals: 2 },
  }),
  ...FAMILY_FIELDS,
  dataIntact: plain(z.boolean(), null, 'the workload verified all its pages after the hint'),
  errors: plain(z.array(z.string()), null, 'errors met in this sample (empty when clean)'),
} as const satisfies Record<string, SampleField>;

/** Name of a Sample field. */
export type SampleFieldName = keyof typeof SAMPLE_FIELDS;

/** Every Sample field name, in order. */
export const SAMPLE_FIELD_NAMES = Object.keys(SAMPLE_FIELDS) as SampleFieldName[];

/** The fields that get summary statistics, in order. */
export const SUMMARISED_FIELDS: readonly SampleFieldName[] = SAMPLE_FIELD_NAMES.filter((f) => SAMPLE_FIELDS[f].summarised);

/** The metrics human-facing summary tables show, in order, with their display. */
export const DISPLAYED_METRICS: readonly (MetricDisplay & { field: SampleFieldName })[] = SAMPLE_FIELD_NAMES.flatMap((field) => {
  const display = SAMPLE_FIELDS[field].display;
  return display === null ? [] : [{ field, ...display }];
});

/** The metrics compare judges, each with the direction of an improvement. */
export const COMPARED_METRICS: readonly { field: SampleFieldName; direction: Direction }[] = SAMPLE_FIELD_NAMES.flatMap((field) => {
  const f: SampleField = SAMPLE_FIELDS[field];
  return f.compared && f.direction !== 'none' ? [{ field, direction: f.direction }] : [];
});

/** The zod shape of a Sample: one schema per field, in registry order. */
export function sampleShape(): { [K in SampleFieldName]: (typeof SAMPLE_FIELDS)[K]['schema'] } {
  const shape = {} as Record<string, z.ZodType>;
  for (const name of SAMPLE_FIELD_NAMES) shape[name] = SAMPLE_FIELDS[name].schema.meta({ description: SAMPLE_FIELDS[name].doc });
  return shape as { [K in SampleFieldName]: (typeof SAMPLE_FIELDS)[K]['schema'] };
}
