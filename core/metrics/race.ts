/**
 * Sample fields of the race family (core/schema/race.ts, docs/claims-race.md); null in the
 * samples of other families. Bytes are judged from the churn workload's log
 * (bench/race/judge.ts).
 */
import { bytesAdded, countAdded, type FamilyFields, metric, nsAdded } from './fields.ts';

/** The race experiment's fields. */
export const RACE_FIELDS = {
  raceReadRanges: metric(countAdded, null, 'none', 'churn regions read from /proc/PID/maps and hinted'),
  raceHintedBytes: metric(bytesAdded, 'bytes', 'none', 'bytes of those regions: what the hint asked for'),
  raceMisHintedBytes: metric(
    bytesAdded,
    'bytes',
    'lower-is-better',
    'hinted bytes whose mapping (the generation read) was gone before the hint began: unmapped, or remapped by a later generation',
    {
      display: { label: 'mis-hinted (KiB)', divisor: 1024, decimals: 0 },
      compared: true,
    },
  ),
  raceRemappedBytes: metric(
    bytesAdded,
    'bytes',
    'lower-is-better',
    'of the mis-hinted bytes, those a later generation held through the hint: the hint landed on memory the caller never read',
  ),
  raceUnmappedBytes: metric(bytesAdded, 'bytes', 'none', 'of the mis-hinted bytes, the rest (no mapping held them through the hint)'),
  raceUncertainBytes: metric(bytesAdded, 'bytes', 'none', 'hinted bytes whose generation the log cannot order against the read or the hint (an unmap during the hint window)'),
  raceDelayNs: metric(nsAdded, 'ns', 'none', 'time from the end of the maps read to the start of the hint, as measured (the scenario asks for delayUs)'),
  raceStallNs: metric(
    nsAdded,
    'ns',
    'lower-is-better',
    "how long the remedy held the target: from the stop request (the holder's seize for ptrace_stop) until it was seen running again; null without a remedy",
    {
      display: { label: 'remedy stall (ms)', divisor: 1e6, decimals: 2 },
      compared: true,
    },
  ),
  raceHoldLatencyNs: metric(nsAdded, 'ns', 'none', 'from the stop request until the target was seen held (state T, frozen, or its interrupt stop); null without a remedy'),
  raceTargetGapNs: metric(
    nsAdded,
    'ns',
    'lower-is-better',
    "the longest pause between the target's own churn operations around the read and the hint (from its log): the stall as the target saw it",
  ),
  raceChurnOps: metric(countAdded, null, 'none', 'churn operations (maps and unmaps) the target made between the maps read and the end of the hint'),
} as const satisfies FamilyFields;
