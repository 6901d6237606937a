/**
 * The counters read from /proc and /sys around one sample's hint, for the explanation
 * fields of a Sample (core/metrics.ts): interrupts received, zram's stored bytes, the
 * target's CPU and migrations. Independent of the probes, so they also serve as their check.
 */
import type { Sample } from '../types.ts';
import { readIpiCounts, type IpiCounts } from './interrupts.ts';
import { readLastCpu, sumNrMigrations } from './sched.ts';
import { vmstatSampleDeltas, type VmstatSampleField } from './vmstat.ts';
import { readZramMmStat, type ZramMmStat } from './zram-stat.ts';

/** The Sample fields this module fills. */
export type CounterField =
  | 'retouchMinorFaults'
  | 'irqTlbShootdowns'
  | 'irqFunctionCalls'
  | 'targetCpu'
  | 'targetMigrations'
  | 'zramOrigDeltaBytes'
  | 'zramComprDeltaBytes'
  | 'zramCompressionRatio'
  | VmstatSampleField;

/** Values of the counter fields. */
export type CounterFields = Pick<Sample, CounterField>;

/** Every counter field null: not measured. */
export function noCounters(): CounterFields {
  const vm = vmstatSampleDeltas({}, {});
  return {
    retouchMinorFaults: null,
    irqTlbShootdowns: null,
    irqFunctionCalls: null,
    targetCpu: null,
    targetMigrations: null,
    zramOrigDeltaBytes: null,
    zramComprDeltaBytes: null,
    zramCompressionRatio: null,
    ...vm,
  };
}

/** One reading of the counters that span the hint window. */
export interface HintCounterReading {
  ipi: IpiCounts;
  zram: ZramMmStat | null;
  /** Migrations of the target's threads so far; null when unreadable. */
  targetMigrations: number | null;
  /** CPU the target's main thread last ran on; null when unreadable. */
  targetCpu: number | null;
}

/** Reads the hint-window counters for target `pid` (threads `tids`) and the zram swap devices `zramDevices`. */
export function readHintCounters(pid: number, tids: readonly number[], zramDevices: readonly string[]): HintCounterReading {
  return { ipi: readIpiCounts(), zram: readZramMmStat(zramDevices), targetMigrations: sumNrMigrations(pid, tids), targetCpu: readLastCpu(pid, pid) };
}

const diff = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : b - a);

/** The hint-window fields from readings just before and just after the hint. */
export function hintCounterFields(before: HintCounterReading, after: HintCounterReading): Pick<Sample, Exclude<CounterField, 'retouchMinorFaults' | VmstatSampleField>> {
  const orig = diff(before.zram?.origDataBytes ?? null, after.zram?.origDataBytes ?? null);
  const compr = diff(before.zram?.comprDataBytes ?? null, after.zram?.comprDataBytes ?? null);
  return {
    irqTlbShootdowns: diff(before.ipi.tlbShootdowns, after.ipi.tlbShootdowns),
    irqFunctionCalls: diff(before.ipi.functionCalls, after.ipi.functionCalls),
    targetCpu: before.targetCpu,
    targetMigrations: diff(before.targetMigrations, after.targetMigrations),
    zramOrigDeltaBytes: orig,
    zramComprDeltaBytes: compr,
    zramCompressionRatio: orig !== null && compr !== null && orig > 0 && compr > 0 ? orig / compr : null,
  };
}
