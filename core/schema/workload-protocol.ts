/**
 * The control protocol between the runner and a workload process (docs/workload-protocol.md):
 * JSON lines, one command per line to the workload's stdin, one reply per line on its stdout.
 * The workload's first line is `ready`; every later line answers exactly one command and
 * echoes its `id`.
 */
import { z } from 'zod';
import { RegionSchema, WorkingSetRoleSchema } from './memory.ts';
import { ChurnMappingSchema } from './race.ts';

const id = z.int().nonnegative();

/** What the workload does between commands. */
export const WorkloadStateSchema = z.enum(['sleeping', 'running']);

/** Which sets of a working-set workload a `touch` reads. */
export const TouchSetSchema = z.enum(['hot', 'cold', 'all']);

/** Advice a workload may give itself. */
export const SelfAdviceSchema = z.enum(['cold', 'pageout']);
/** Which sets of a working-set workload an `advise` covers. */
export const AdviseSetSchema = z.enum(['cold', 'all']);
/** How a workload hints itself: madvise(2), or process_madvise(2) on a pidfd of its own pid. */
export const SelfAdviseViaSchema = z.enum(['madvise', 'process_madvise']);

/** Longest measurement a `measure` command may ask for, batches. */
export const MAX_MEASURE_BATCHES = 100_000;

/** Access latency quantiles of a group of page accesses, ns. */
const LatencySchema = z.object({
  /** Median access time, ns. */
  p50Ns: z.int().nonnegative(),
  /** 99th percentile access time, ns. */
  p99Ns: z.int().nonnegative(),
  /** Longest access, ns. */
  maxNs: z.int().nonnegative(),
});

/** One batch of hot-set accesses in a `measure` reply. */
export const MeasureBatchSchema = LatencySchema.extend({
  /** Start of the batch relative to the start of the measurement, ns. */
  offsetNs: z.int().nonnegative(),
  /** Pages read. */
  pages: z.int().nonnegative(),
  /** Of those, pages that were not resident just before (mincore): faults the batch took. */
  faultedPages: z.int().nonnegative(),
});

/** Pages of one set and how many of them are resident (mincore). */
export const SetResidencySchema = z.object({
  role: WorkingSetRoleSchema,
  pages: z.int().nonnegative(),
  residentPages: z.int().nonnegative(),
});

/** Fault accounting of one set during a `touch`. */
export const SetTouchSchema = z.object({
  role: WorkingSetRoleSchema,
  /** Pages read. */
  pages: z.int().nonnegative(),
  /** Of those, pages that were not resident just before they were read (mincore). */
  faultedPages: z.int().nonnegative(),
});

/** Every command the runner may send. */
export const CommandSchema = z.discriminatedUnion('type', [
  /** Touch one byte of every page of every region and report time and faults. */
  z.object({ type: z.literal('retouch'), id }),
  /** Recompute every page's checksum and compare. */
  z.object({ type: z.literal('verify'), id }),
  /** Switch between idling in the event loop (`sleeping`) and spinning on the CPU (`running`). */
  z.object({ type: z.literal('state'), id, state: WorkloadStateSchema }),
  /** Reply, then exit with status 0. */
  z.object({ type: z.literal('exit'), id }),
  /**
   * Working-set workload: read `batchPages` hot pages per batch, one batch every `intervalUs`
   * (a fixed rate), `batches` times, cycling through the hot set; time every access.
   */
  z.object({
    type: z.literal('measure'),
    id,
    batches: z.int().positive().max(MAX_MEASURE_BATCHES),
    batchPages: z.int().positive(),
    intervalUs: z.int().nonnegative(),
  }),
  /** Working-set workload: read one byte of every page of a set and split the faults by set. */
  z.object({ type: z.literal('touch'), id, set: TouchSetSchema }),
  /** Working-set workload: how many pages of each set are resident. */
  z.object({ type: z.literal('residency'), id }),
  /**
   * Working-set workload: hint its own memory (the cooperative baseline), the cold set or
   * both sets, with madvise(2) per region or with one process_madvise(2) on its own pid.
   */
  z.object({ type: z.literal('advise'), id, advice: SelfAdviceSchema, set: AdviseSetSchema, via: SelfAdviseViaSchema }),
  /** Churn workload: every mapping still mapped or unmapped at or after `sinceNs` (CLOCK_MONOTONIC). */
  z.object({ type: z.literal('churnlog'), id, sinceNs: z.int().nonnegative() }),
]);

/** First line from the workload: it has mapped and filled its memory. */
export const ReadyReplySchema = z.object({
  type: z.literal('ready'),
  /** Workload process id. */
  pid: z.int().positive(),
  /** Page size the workload used, in bytes. */
  pageSizeBytes: z.int().positive(),
  /** Mapped regions, one per VMA, in address order. */
  regions: z.array(RegionSchema),
  /** Time from process start-up code to ready (map + fill + checksums), in ns. */
  setupNs: z.int().nonnegative(),
});

/** Every line a workload may write. */
export const ReplySchema = z.discriminatedUnion('type', [
  ReadyReplySchema,
  /** Answer to `retouch`: wall time of the touch loop and the fault deltas of /proc/self/stat. */
  z.object({
    type: z.literal('retouched'),
    id,
    elapsedNs: z.int().nonnegative(),
    majorFaults: z.int().nonnegative(),
    minorFaults: z.int().nonnegative(),
    pages: z.int().nonnegative(),
  }),
  /** Answer to `verify`: whether every page matches its checksum, the first corrupt page's address. */
  z
    .object({
      type: z.literal('verified'),
      id,
      intact: z.boolean(),
      corruptPages: z.int().nonnegative(),
      firstCorruptAddr: z.int().nonnegative().optional(),
      elapsedNs: z.int().nonnegative(),
    })
    .refine((r) => r.intact === (r.corruptPages === 0), { message: 'contradicts itself: intact and corruptPages disagree', path: ['intact'] }),
  /** Answer to `state`. */
  z.object({ type: z.literal('state'), id, state: WorkloadStateSchema }),
  /** Answer to `measure`: every batch, the quantiles over all accesses, and the fault deltas of /proc/self/stat. */
  LatencySchema.extend({
    type: z.literal('measured'),
    id,
    batches: z.array(MeasureBatchSchema),
    /** Pages read over all batches. */
    pages: z.int().nonnegative(),
    /** Hot pages not resident when read (sum over batches). */
    faultedPages: z.int().nonnegative(),
    /** Batches that started more than one interval late (the rate was not kept). */
    lateBatches: z.int().nonnegative(),
    /** Wall time of the whole measurement, ns. */
    elapsedNs: z.int().nonnegative(),
    majorFaults: z.int().nonnegative(),
    minorFaults: z.int().nonnegative(),
  }),
  /** Answer to `touch`: per set, pages read and pages that faulted; the process's fault deltas over the touch. */
  z.object({
    type: z.literal('touched'),
    id,
    sets: z.array(SetTouchSchema),
    elapsedNs: z.int().nonnegative(),
    majorFaults: z.int().nonnegative(),
    minorFaults: z.int().nonnegative(),
  }),
  /** Answer to `residency`. */
  z.object({ type: z.literal('residency'), id, sets: z.array(SetResidencySchema) }),
  /** Answer to `advise`: bytes the kernel advised, calls made, wall time of the calls, the error that stopped them (null when none). */
  z.object({
    type: z.literal('advised'),
    id,
    bytesAdvised: z.int().nonnegative(),
    syscalls: z.int().nonnegative(),
    elapsedNs: z.int().nonnegative(),
    error: z.string().nullable(),
  }),
  /** Answer to `churnlog`: the arena, the operations done so far and the mappings asked for, by generation. */
  z.object({
    type: z.literal('churnlog'),
    id,
    arenaStartAddr: z.int().nonnegative(),
    arenaLengthBytes: z.int().positive(),
    /** Map and unmap operations done since the start. */
    ops: z.int().nonnegative(),
    /** Time the reply was made (CLOCK_MONOTONIC, ns): every operation before it is in `entries`. */
    atNs: z.int().nonnegative(),
    entries: z.array(ChurnMappingSchema),
  }),
  /** Answer to `exit`, written just before the workload exits. */
  z.object({ type: z.literal('exiting'), id }),
  /** A command failed or could not be parsed (`id` is absent when the line had none). */
  z.object({ type: z.literal('error'), id: id.optional(), message: z.string() }),
]);
