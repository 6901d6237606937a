/**
 * Sample fields of the pressure family (core/schema/pressure.ts, docs/lab.md); null in the
 * samples of other families.
 */
import { z } from 'zod';
import { PressureTimelinePointSchema } from '../schema/pressure.ts';
import { bytesAdded, countAdded, deltaAdded, type FamilyFields, histAdded, metric, nsAdded, plain } from './fields.ts';

/** The strategy lab's fields. */
export const PRESSURE_FIELDS = {
  hintFreedBytes: metric(
    bytesAdded,
    'bytes',
    'higher-is-better',
    "drop of the cgroup's memory usage across the hint (agrees with the RSS drop and the swap growth within 2 % for anonymous memory)",
    {
      display: { label: 'freed by the hint (MiB)', divisor: 2 ** 20, decimals: 1 },
      compared: true,
    },
  ),
  hotPages: plain(countAdded, 'pages', 'pages of the hot set'),
  hotRefaultPages: metric(countAdded, 'pages', 'lower-is-better', 'hot-set pages not resident when read under pressure (mincore before each read): the cost of the strategy', {
    display: { label: 'hot-set refaults', divisor: 1, decimals: 0 },
    compared: true,
  }),
  coldPages: plain(countAdded, 'pages', 'pages of the cold set'),
  coldEvictedPages: metric(countAdded, 'pages', 'higher-is-better', 'cold-set pages not resident at the end of the pressure phase (mincore)', {
    display: { label: 'cold pages evicted', divisor: 1, decimals: 0 },
  }),
  accessP50Ns: metric(nsAdded, 'ns', 'lower-is-better', 'median hot-set page read latency under pressure'),
  accessP99Ns: metric(nsAdded, 'ns', 'lower-is-better', '99th percentile of hot-set page read latency under pressure', {
    display: { label: 'hot access p99 under pressure (µs)', divisor: 1e3, decimals: 1 },
    compared: true,
  }),
  accessMaxNs: metric(nsAdded, 'ns', 'lower-is-better', 'slowest hot-set page read under pressure'),
  accessP99NoPressureNs: metric(nsAdded, 'ns', 'none', '99th percentile of hot-set page read latency of the same workload before the hint, without pressure', {
    display: { label: 'hot access p99 without pressure (µs)', divisor: 1e3, decimals: 1 },
  }),
  memcgRefaultAnonDeltaPages: metric(deltaAdded, 'pages', 'lower-is-better', "workingset_refault_anon of the cgroup's memory.stat over the pressure phase"),
  memcgRefaultFileDeltaPages: metric(deltaAdded, 'pages', 'lower-is-better', 'workingset_refault_file over the pressure phase'),
  memcgActivateAnonDeltaPages: metric(deltaAdded, 'pages', 'none', 'workingset_activate_anon over the pressure phase (null on cgroup v1, whose memory.stat lacks it)'),
  memcgActivateFileDeltaPages: metric(deltaAdded, 'pages', 'none', 'workingset_activate_file over the pressure phase (null on cgroup v1)'),
  memcgPgscanDeltaPages: metric(deltaAdded, 'pages', 'none', 'pgscan over the pressure phase (null on cgroup v1)'),
  memcgPgstealDeltaPages: metric(deltaAdded, 'pages', 'none', 'pgsteal over the pressure phase (null on cgroup v1)'),
  memcgPgmajfaultDelta: metric(deltaAdded, null, 'lower-is-better', 'pgmajfault of the cgroup over the pressure phase'),
  psiSomeNs: metric(nsAdded, 'ns', 'lower-is-better', "memory PSI `some` stall time over the pressure phase: the cgroup's own on cgroup v2, the whole system's on v1 (psiScope)", {
    display: { label: 'PSI some (ms)', divisor: 1e6, decimals: 2 },
  }),
  psiFullNs: metric(nsAdded, 'ns', 'lower-is-better', 'memory PSI `full` stall time over the pressure phase'),
  psiScope: plain(z.enum(['cgroup', 'system']).nullable().default(null), null, 'whose PSI psiSomeNs and psiFullNs are: the cgroup (v2) or the system (v1)'),
  oomKills: metric(countAdded, null, 'lower-is-better', 'OOM kills in the cgroup over the sample (never silent: the reason is in errors)', {
    display: { label: 'OOM kills', divisor: 1, decimals: 0 },
  }),
  limitWriteNs: metric(nsAdded, 'ns', 'none', 'time the write lowering the limit took (the kernel reclaims inside it); limit mode only'),
  reclaimEvents: metric(countAdded, null, 'none', 'reclaim passes in the pressure phase (vmscan memcg reclaim and direct reclaim ends, any task of the run; bpf probe)', {
    display: { label: 'reclaim passes', divisor: 1, decimals: 0 },
  }),
  reclaimLatencyMeanNs: metric(nsAdded, 'ns', 'lower-is-better', 'mean duration of those reclaim passes (begin to end)'),
  reclaimLatencyLog2Hist: plain(histAdded, null, 'reclaim passes per duration bucket: element i counts passes that took [2^i, 2^(i+1)) ns; null when the probe did not run'),
  reclaimThrottleEvents: metric(countAdded, null, 'lower-is-better', 'reclaim throttling events in the pressure phase (vmscan:mm_vmscan_throttled)'),
  pressureTimeline: plain(z.array(PressureTimelinePointSchema).nullable().default(null), null, 'the workload and its cgroup sampled through the pressure phase'),
} as const satisfies FamilyFields;
