/**
 * results.json: the schema of everything one run produced. The types of core/types.ts are
 * inferred from it, reports/json.ts validates with it, and docs/results-schema.md is generated
 * from it (reports/schema-doc.ts). Sample's fields come from the metric registry.
 */
import { z } from 'zod';
import { sampleShape } from '../metrics.ts';
import { AdviceSchema, MechanismSchema, ScenarioStatusSchema, TargetStateSchema } from './enums.ts';
import { MemorySpecSchema } from './memory.ts';

/** Version of the results schema written today (docs/results-schema.md, "schemaVersion policy"). */
export const SCHEMA_VERSION = 1;
/** Schema versions this build reads. */
export const SUPPORTED_SCHEMA_VERSIONS: readonly number[] = [SCHEMA_VERSION];

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
  repetitions: z.int().positive().meta(doc('samples asked for (fresh workload each)')),
});

export const SummarySchema = z.object({
  n: z.int().nonnegative().meta(doc('number of values (nulls excluded)')),
  median: z.number().meta(doc('median (mean of the two middle values for an even n)')),
  min: z.number().meta(doc('smallest value')),
  max: z.number().meta(doc('largest value')),
  mean: z.number().meta(doc('arithmetic mean')),
  stddev: z.number().meta(doc('sample standard deviation (n-1); 0 when n < 2')),
  p99: z.number().meta(doc('99th percentile, nearest rank')),
  spread: z.number().meta(doc('max - min')),
  relSpread: z.number().meta(doc('(max - min) / median; 0 when the median is 0')),
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
  samples: z.array(SampleSchema).meta(doc('one per repetition')),
  summary: z
    .record(z.string(), SummarySchema)
    .meta(doc('Summary per summarised Sample field, keyed by the field name (e.g. `summary.userLatencyNs`); a field with no non-null value has no entry')),
  warnings: z.array(z.string()).meta(doc('things a reader should know (noise, skipped ranges, probe coverage, EINTRs, ...)')),
});

export const RunResultSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION).meta(doc('version of this schema (policy above)')),
  suite: z.string().meta(doc('suite name')),
  startedAt: z.string().meta(doc('when the run started, ISO-8601 UTC')),
  finishedAt: z.string().nullable().meta(doc('when it finished; null while running or when interrupted')),
  environment: EnvironmentSchema.meta(doc('where and on what the run happened')),
  hostChanges: z.array(z.string()).meta(doc('what host preparation changed for this run (e.g. a zram device created and removed)')),
  scenarios: z.array(ScenarioResultSchema).meta(doc('one per scenario, in run order')),
});
