/**
 * results.json: the schema of everything one run produced. The types of core/types.ts are
 * inferred from it, reports/json.ts validates with it, and docs/results-schema.md is generated
 * from it (reports/schema-doc.ts). Sample's fields come from the metric registry.
 */
import { z } from 'zod';
import { sampleShape } from '../metrics.ts';
import { AdviceSchema, MechanismSchema, ScenarioStatusSchema, TargetStateSchema } from './enums.ts';
import { MemorySpecSchema } from './memory.ts';
import { FleetSpecSchema } from './fleet.ts';
import { PressureSpecSchema } from './pressure.ts';
import { VectoredSpecSchema } from './vectored.ts';
import { RaceSpecSchema } from './race.ts';

/** Version of the results schema written today (docs/results-schema.md, "schemaVersion policy"). */
export const SCHEMA_VERSION = 2;
/** Schema versions this build reads: version 1 files are migrated on load (reports/json.ts). */
export const SUPPORTED_SCHEMA_VERSIONS: readonly number[] = [1, SCHEMA_VERSION];

const doc = (description: string) => ({ description });

export const SwapDeviceSchema = z.object({
  name: z.string().meta(doc('device or file, as /proc/swaps lists it')),
  type: z.string().meta(doc('`partition` or `file`')),
  sizeBytes: z.number().nonnegative().meta(doc('size, bytes')),
  usedBytes: z.number().nonnegative().meta(doc('used, bytes')),
  priority: z.int().meta(doc('swap priority')),
  zramCompressor: z.string().nullable().meta(doc('zram compression algorithm in use, null if not zram')),
});

export const EnvironmentSchema = z.object({
  hostname: z.string().meta(doc('host name')),
  kernelRelease: z.string().meta(doc('`uname -r`')),
  arch: z.string().meta(doc('CPU architecture')),
  pageSizeBytes: z.int().positive().meta(doc('base page size, bytes')),
  cpuModel: z.string().meta(doc('CPU model name')),
  cpuCount: z.int().nonnegative().meta(doc('online CPUs')),
  memTotalBytes: z.number().nonnegative().meta(doc('MemTotal, bytes')),
  swapDevices: z.array(SwapDeviceSchema).meta(doc('active swap devices at the start of the run')),
  thpMode: z.string().meta(doc('transparent huge page mode, e.g. `madvise`')),
  cgroupMemory: z.string().meta(doc('`v1`, `v2`, `hybrid` or `none`: where the memory controller lives')),
  nodeVersion: z.string().meta(doc('Node.js version')),
  bpftraceVersion: z.string().nullable().meta(doc('bpftrace version, null when absent')),
  hintbenchVersion: z.string().meta(doc('hintbench version')),
  backgroundReclaimers: z.array(z.string()).meta(doc('background reclaimers seen (DAMON kdamond, proactive-reclaim daemons): noise sources')),
  swappiness: z.int().nullable().optional().meta(doc('/proc/sys/vm/swappiness; null when unreadable, absent in older results')),
  pageCluster: z.int().nullable().optional().meta(doc('/proc/sys/vm/page-cluster (swap readahead: 2^n pages); null when unreadable')),
  mglru: z.string().nullable().optional().meta(doc('/sys/kernel/mm/lru_gen/enabled (e.g. `0x0007`), `absent` when the kernel has no MGLRU; null when unreadable')),
  zswap: z.string().nullable().optional().meta(doc('zswap: `enabled (compressor, max_pool_percent %)`, `disabled`, or `absent`; null when unreadable')),
  thpDefrag: z.string().nullable().optional().meta(doc('transparent huge page defrag mode, e.g. `madvise`; null when unreadable')),
  kernelCmdline: z.string().nullable().optional().meta(doc('/proc/cmdline; null when unreadable')),
  kernelConfigSha256: z.string().nullable().optional().meta(doc('SHA-256 of the kernel config (/proc/config.gz, else /boot/config-RELEASE), null when neither is readable')),
  cpuDetail: z
    .string()
    .nullable()
    .optional()
    .meta(doc('CPU vendor, family, model, stepping, microcode and MHz from /proc/cpuinfo, e.g. `AuthenticAMD family 25 model 1 stepping 1, microcode 0x1000065, 2445 MHz`')),
  cpuGovernor: z.string().nullable().optional().meta(doc('cpufreq scaling governor of CPU 0; null when the CPU has no cpufreq (typical in a VM)')),
  virtualization: z.string().nullable().optional().meta(doc('`none` on bare metal, else the hypervisor as the CPU and DMI report it (e.g. `KVM`); null when unknown')),
  loadAverageStart: z.array(z.number()).nullable().optional().meta(doc('/proc/loadavg 1, 5 and 15 minute figures when the run started')),
  loadAverageEnd: z.array(z.number()).nullable().optional().meta(doc('/proc/loadavg figures when the run finished (null while running or when interrupted)')),
  hintbenchCommit: z.string().nullable().optional().meta(doc('git commit of the hintbench tree that ran, with `-dirty` when it had uncommitted changes; null outside a git clone')),
  probes: z
    .array(z.string())
    .optional()
    .meta(
      doc(
        'bpftrace scripts attached to every block (bpf/NAME.bt). The explanation probes (hint-tlb, hint-ipi, hint-sched, refault-latency; attached with `--explain on`) slow the re-touch and ptrace figures (docs/explanations.md): compare lists a different set as an environment difference. Absent in older results',
      ),
    ),
  argv: z.array(z.string()).optional().meta(doc('the command line hintbench was started with (after `node script`)')),
  suiteDefinition: z
    .object({
      name: z.string().meta(doc('suite name')),
      description: z.string().meta(doc('what the suite measures')),
      scenarios: z.array(z.string()).meta(doc('every scenario id of the suite with its repetitions, `id x N`, in run order')),
    })
    .optional()
    .meta(doc('the suite as it was asked for (including scenarios that did not run)')),
});

export const ScenarioSchema = z.object({
  id: z.string().meta(doc('stable identifier, `<mechanism>/<advice>/<kind>-<content>-<size>MiB-<vmas>vma/<state>`')),
  mechanism: MechanismSchema.meta(doc('how the hint reaches the target; `none` is the no-hint baseline')),
  advice: z.union([AdviceSchema, z.literal('none')]).meta(doc('advice delivered (`none` for the baseline)')),
  memory: MemorySpecSchema.meta(doc('memory the workload maps')),
  targetState: TargetStateSchema.meta(doc('what the target does while it is hinted')),
  repetitions: z
    .int()
    .positive()
    .meta(doc('measured repetitions asked for (fresh workload each, warm-up not counted): the count of a fixed run, the cap of a run with a time budget or a target interval')),
  pressure: PressureSpecSchema.optional().meta(doc('pressure family only (docs/lab.md): the strategy and the pressure; absent in a hint scenario')),
  fleet: FleetSpecSchema.optional().meta(doc('fleet family only (docs/claims.md): apps cached in targetState and compacted one after another; absent in a hint scenario')),
  vectored: VectoredSpecSchema.optional().meta(doc('vectored family only (docs/claims.md): K ranges in one vectored call or K single-range calls; absent in a hint scenario')),
  race: RaceSpecSchema.optional().meta(doc('race family only (docs/claims-race.md): churn, delay between maps read and hint, remedy; absent in a hint scenario')),
});

export const MedianCiSchema = z.object({
  lower: z.number().meta(doc('lower bound: an order statistic of the sample')),
  upper: z.number().meta(doc('upper bound: an order statistic of the sample')),
  coverage: z.number().min(0).max(1).meta(doc('actual probability that the interval covers the true median (fraction; e.g. 0.9375 for [min, max] at n = 5)')),
  confidence: z.number().gt(0).lt(1).meta(doc('confidence asked for (fraction, 0.95 by default)')),
  meetsConfidence: z.boolean().meta(doc('coverage reaches the confidence asked for; false when n is too small (n < 6 for 95 %)')),
  relativeHalfWidth: z
    .number()
    .nonnegative()
    .nullable()
    .meta(doc('(upper - lower) / (2 |median|), a fraction: the precision `--target-ci` aims at; null when the interval falls short of its confidence or the median is 0')),
});

export const SummarySchema = z.object({
  n: z.int().nonnegative().meta(doc('number of values (nulls and warm-up samples excluded)')),
  min: z.number().meta(doc('smallest value')),
  max: z.number().meta(doc('largest value')),
  mean: z.number().meta(doc('arithmetic mean')),
  stddev: z.number().nullable().meta(doc('sample standard deviation (n-1); null when n < 2')),
  median: z.number().meta(doc('median (mean of the two middle values for an even n)')),
  q1: z.number().meta(doc('lower quartile (type 7, as R quantile() and NumPy)')),
  q3: z.number().meta(doc('upper quartile (type 7)')),
  iqr: z.number().meta(doc('q3 - q1')),
  mad: z.number().meta(doc('median absolute deviation from the median, unscaled')),
  robustCv: z.number().nullable().meta(doc('robust coefficient of variation 1.4826 MAD / |median|, a fraction; null when the median is 0 or n < 2 (never a misleading 0 %)')),
  robustCvUnavailable: z.enum(['median-is-zero', 'too-few-values']).nullable().meta(doc('why robustCv is null; null when it is given')),
  percentiles: z
    .record(z.string(), z.number())
    .meta(doc('percentiles n supports (type 7), keyed by percent: the quartiles from n = 4, "90" from 10, "95" from 20, "99" only from 100 values')),
  ci: MedianCiSchema.nullable().meta(doc('distribution-free confidence interval of the median (order statistics); null when n = 0')),
  outliers: z.array(z.int().nonnegative()).meta(doc("indices into the scenario's `samples` of values flagged as outliers (modified z-score above 3.5, Iglewicz and Hoaglin)")),
});

export const SampleSchema = z.object(sampleShape());

export const ScenarioResultSchema = z.object({
  scenario: ScenarioSchema.meta(doc('what was run')),
  status: ScenarioStatusSchema.meta(
    doc(
      '`failed`: could not run (see `error`, `samples` may be empty); `partial`: some samples have errors; `interrupted`: the run stopped during this scenario (Ctrl-C, SIGTERM, or killed), `samples` holds the repetitions that finished (after Ctrl-C or SIGTERM with their probe figures; a warning says when they are missing)',
    ),
  ),
  error: z.string().nullable().meta(doc('why the scenario failed or was interrupted, e.g. `interrupted by SIGINT after 1 of 3 repetitions`')),
  samples: z.array(SampleSchema).meta(doc('one per repetition, the warm-up (`warmUp: true`) first')),
  summary: z
    .record(z.string(), SummarySchema)
    .meta(doc('Summary per summarised Sample field, keyed by the field name (e.g. `summary.userLatencyNs`); a field with no non-null value has no entry')),
  warnings: z.array(z.string()).meta(doc('things a reader should know (noise, skipped ranges, probe coverage, EINTRs, ...)')),
});

/** Why a run stopped adding blocks. */
export const StopReasonSchema = z.enum(['reps', 'target-reached', 'time-budget', 'reps-cap', 'interrupted', 'failed']);

export const HalfWidthSchema = z.object({
  scenarioId: z.string().meta(doc('scenario')),
  field: z.string().meta(doc('key metric (Sample field)')),
  relativeHalfWidth: z.number().nullable().meta(doc('relative half-width of its median interval at the end (fraction); null when it has none (n too small, median 0)')),
});

export const StoppingSchema = z.object({
  mode: z.enum(['fixed', 'adaptive']).meta(doc('`fixed`: `repetitions` blocks; `adaptive`: blocks added until the target, the time budget or the cap')),
  minRepetitions: z.int().nonnegative().meta(doc('measured repetitions run before the target may stop an adaptive run')),
  maxRepetitions: z.int().positive().nullable().meta(doc('cap on measured repetitions (`--reps`); null when only the time budget bounds the run')),
  timeBudgetMs: z.number().positive().nullable().meta(doc('`--time-budget` in ms, measured from the first warm-up; null without one')),
  targetHalfWidth: z
    .number()
    .positive()
    .nullable()
    .meta(doc('`--target-ci` as a fraction: the largest relative half-width of a key metric median interval that stops an adaptive run')),
  confidence: z.number().gt(0).lt(1).meta(doc('confidence of the median intervals (fraction)')),
  blocks: z.int().nonnegative().meta(doc('measured blocks run')),
  reason: StopReasonSchema.nullable().meta(
    doc(
      '`reps`: the fixed count was run; `target-reached`: every key metric reached the target; `time-budget`: the next block would have overrun the budget; `reps-cap`: the cap was reached first; `interrupted`: Ctrl-C, SIGTERM; `failed`: the run could not go on; null while running',
    ),
  ),
  halfWidths: z.array(HalfWidthSchema).meta(doc('achieved relative half-width per scenario and key metric (`compared` in the metric registry)')),
});

export const RunResultSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION).meta(doc('version of this schema (policy above)')),
  suite: z.string().meta(doc('suite name')),
  startedAt: z.string().meta(doc('when the run started, ISO-8601 UTC')),
  finishedAt: z.string().nullable().meta(doc('when it finished; null while running or when interrupted')),
  environment: EnvironmentSchema.meta(doc('where and on what the run happened')),
  hostChanges: z.array(z.string()).meta(doc('what host preparation changed for this run (e.g. a zram device created and removed)')),
  order: z.enum(['interleaved', 'sequential']).meta(doc('`interleaved`: each block runs the scenarios in a seeded random order; `sequential`: in suite order')),
  seed: z
    .int()
    .nonnegative()
    .nullable()
    .meta(doc('seed of the block order (`--seed` replays it: Mersenne Twister, as CPython random.shuffle); null in results migrated from version 1')),
  stopping: StoppingSchema.nullable().meta(doc('how many blocks were run and why the run stopped; null in results migrated from version 1')),
  warnings: z.array(z.string()).meta(doc('run-level warnings, most ending in `Fix: ...`: the host doctor, background reclaimers, a budget that ended before the target')),
  scenarios: z.array(ScenarioResultSchema).meta(doc('one per scenario, in suite order')),
});
