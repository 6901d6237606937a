/**
 * Sample fields of the fleet family (core/schema/fleet.ts, docs/claims.md): one sample is one
 * fleet compacted by one caller. Null in the samples of other families.
 */
import { z } from 'zod';
import { bytesAdded, countAdded, type FamilyFields, metric, nsAdded, plain } from './fields.ts';

const nsList = z.array(z.number().nonnegative()).nullable().default(null);

/** The fleet's fields. */
export const FLEET_FIELDS = {
  fleetApps: plain(countAdded, null, 'apps in the fleet that started (the sample has an error when fewer than asked)'),
  fleetTotalNs: metric(
    nsAdded,
    'ns',
    'lower-is-better',
    "wall time of the compaction: from the caller's first hint to the end of its last (every app opened, hinted and closed in turn)",
    {
      display: { label: 'fleet compaction (ms)', divisor: 1e6, decimals: 1 },
      compared: true,
    },
  ),
  fleetFreedBytes: metric(bytesAdded, 'bytes', 'higher-is-better', 'drop of VmRSS summed over the apps across the compaction (MADV_COLD frees nothing by itself: ~0)', {
    display: { label: 'fleet freed (MiB)', divisor: 2 ** 20, decimals: 1 },
  }),
  fleetFreedPerSecondBytes: metric(bytesAdded, 'bytes', 'higher-is-better', 'bytes freed per second: fleetFreedBytes over fleetTotalNs', {
    display: { label: 'freed per second (MiB/s)', divisor: 2 ** 20, decimals: 1 },
    compared: true,
  }),
  fleetCallerCpuNs: metric(
    nsAdded,
    'ns',
    'lower-is-better',
    "CPU time of the hinting thread summed over the apps (the daemon's own thread for process_madvise, the tracer's for ptrace)",
    {
      display: { label: 'daemon CPU (ms)', divisor: 1e6, decimals: 1 },
    },
  ),
  fleetAppsCpuNs: metric(nsAdded, 'ns', 'lower-is-better', "on-CPU time of the apps' threads across their hints, summed over the apps (ptrace runs madvise in the app's context)"),
  fleetAppHintMedianNs: metric(nsAdded, 'ns', 'lower-is-better', 'median over the apps of the time the caller spent on one app (open, hint, close)'),
  fleetAppHintMaxNs: metric(nsAdded, 'ns', 'lower-is-better', 'slowest app of the fleet (open, hint, close)'),
  fleetAppStallMedianNs: metric(
    nsAdded,
    'ns',
    'lower-is-better',
    "median over the apps of the time the mechanism held the app stopped: the injector's stop window for ptrace; 0 for process_madvise, which never stops the target",
    {
      display: { label: 'per-app stall p50 (µs)', divisor: 1e3, decimals: 1 },
    },
  ),
  fleetAppStallMaxNs: metric(nsAdded, 'ns', 'lower-is-better', 'longest such stall of one app of the fleet'),
  fleetAppHintNs: plain(nsList, 'ns', 'per app, in hinting order: the time the caller spent on it (open, hint, close)'),
  fleetAppStallNs: plain(nsList, 'ns', 'per app, in hinting order: the time the mechanism held it stopped'),
  fleetAppsIntact: plain(countAdded, null, "apps whose every page's checksum matched after the compaction (verify reads every page back)"),
  fleetLeftBehind: plain(z.array(z.string()).nullable().default(null), null, 'what was still there after the sample ended (app processes, freezer cgroups); empty when nothing'),
} as const satisfies FamilyFields;
