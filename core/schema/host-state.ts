/**
 * The host-state file (/run/hintbench/host-state.json): what `hintbench setup` changed on the
 * host and which processes rely on it. Version 2 is written; version 1 files are read and
 * migrated (bench/host/state.ts).
 */
import { z } from 'zod';

/** Format version written. */
export const HOST_STATE_VERSION = 2;

const doc = (description: string) => ({ description });

/** A zram swap device setup created. */
export const ZramStateSchema = z.object({
  device: z.string().meta(doc('device path, e.g. `/dev/zram1`')),
  index: z.int().nonnegative().meta(doc('zram index (the N of zramN)')),
  hotAdded: z.boolean().meta(doc('setup asked /sys/class/zram-control/hot_add for it (teardown hot-removes it)')),
  sizeBytes: z.int().positive().meta(doc('disksize written, bytes')),
  compressor: z.string().meta(doc('compressor selected')),
});

/** A process that relies on the prepared host (a run, a test run) until it releases it or dies. */
export const HostUserSchema = z.object({
  pid: z.int().positive().meta(doc('process id')),
  startTicks: z.int().nonnegative().meta(doc('its start time in clock ticks since boot (/proc/PID/stat field 22): tells it from a later process with the same pid')),
  label: z.string().meta(doc('what it is, e.g. `hintbench run`')),
  since: z.string().meta(doc('ISO-8601 time it registered')),
});

/** What every version records of the changes still in place. */
const changes = {
  createdAt: z.string().meta(doc('ISO-8601 time of the first change')),
  zram: ZramStateSchema.nullable().meta(doc('zram swap device created, if any')).default(null),
  zramModuleLoaded: z.boolean().meta(doc('setup loaded the zram module (teardown unloads it when no zram swap is left)')).default(false),
  tracefsMount: z.string().nullable().meta(doc('mount point of a tracefs setup mounted, or null')).default(null),
  bpftraceInstalled: z.boolean().meta(doc('setup installed the bpftrace package with apt-get')).default(false),
};

/** Version 1: the changes, no users, no keep flag. */
export const HostStateV1Schema = z.object({ version: z.literal(1), ...changes });

/** Version 2: everything setup changed that is still in place, and who relies on it. */
export const HostStateSchema = z.object({
  version: z.literal(HOST_STATE_VERSION).meta(doc('format version of this file')),
  ...changes,
  keep: z
    .boolean()
    .meta(
      doc(
        'the preparation stays until `hintbench teardown` (made or reused by `hintbench setup`, or kept with `run --keep-host`); false: the last run using it undoes it as it ends',
      ),
    )
    .default(false),
  users: z.array(HostUserSchema).meta(doc('processes that registered as relying on the preparation and have not released it yet')),
});
