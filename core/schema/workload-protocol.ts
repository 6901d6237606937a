/**
 * The control protocol between the runner and a workload process (docs/workload-protocol.md):
 * JSON lines, one command per line to the workload's stdin, one reply per line on its stdout.
 * The workload's first line is `ready`; every later line answers exactly one command and
 * echoes its `id`.
 */
import { z } from 'zod';
import { RegionSchema } from './memory.ts';

const id = z.int().nonnegative();

/** What the workload does between commands. */
export const WorkloadStateSchema = z.enum(['sleeping', 'running']);

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
  /** Answer to `exit`, written just before the workload exits. */
  z.object({ type: z.literal('exiting'), id }),
  /** A command failed or could not be parsed (`id` is absent when the line had none). */
  z.object({ type: z.literal('error'), id: id.optional(), message: z.string() }),
]);
