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
