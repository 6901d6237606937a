/** The /proc and /sys readers behind a sample's explanation counters. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIpiCounts, readIpiCounts } from '../../../../core/proc/interrupts.ts';
import { hintCounterFields, noCounters, type HintCounterReading } from '../../../../core/proc/sample-counters.ts';
import { parseNrMigrations } from '../../../../core/proc/sched.ts';
import { VMSTAT_SAMPLE_COUNTERS, vmstatSampleDeltas } from '../../../../core/proc/vmstat.ts';
import { parseMmStat, readZramMmStat, zramSwapDevices } from '../../../../core/proc/zram-stat.ts';
import { SAMPLE_FIELDS } from '../../../../core/metrics.ts';

const INTERRUPTS = `           CPU0       CPU1
  0:         44          0   IO-APIC   2-edge      timer
LOC:    6264261    6254115   Local timer interrupts
CAL:    4021579    4035387   Function call interrupts
TLB:    1612902    1650431   TLB shootdowns
`;

const root = mkdtempSync(join(tmpdir(), 'hb-explain-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('interrupts', () => {
  it('sums the TLB and CAL lines over CPUs, null when a line is absent', () => {
    expect(parseIpiCounts(INTERRUPTS)).toEqual({ tlbShootdowns: 1612902 + 1650431, functionCalls: 4021579 + 4035387 });
    expect(parseIpiCounts('LOC: 1 2 Local timer interrupts\n')).toEqual({ tlbShootdowns: null, functionCalls: null });
    expect(readIpiCounts(join(root, 'nowhere'))).toEqual({ tlbShootdowns: null, functionCalls: null });
  });
});

describe('zram mm_stat', () => {
  it('parses the first three fields and sums the zram devices in use as swap', () => {
    mkdirSync(join(root, 'proc'), { recursive: true });
    writeFileSync(
      join(root, 'proc/swaps'),
      'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/dev/zram0                              partition\t4194300\t\t0\t\t100\n/dev/zram1 partition 10 0 5\n/swapfile file 10 0 -2\n',
    );
    for (const [dev, line] of [
      ['zram0', '  536576   299952   942080        0 269361152        0        0        6  8263475'],
      ['zram1', '  1000 500 700 0 0 0 0 0 0'],
    ] as const) {
      mkdirSync(join(root, `sys/block/${dev}`), { recursive: true });
      writeFileSync(join(root, `sys/block/${dev}/mm_stat`), `${line}\n`);
    }
    expect(zramSwapDevices(root)).toEqual(['zram0', 'zram1']);
    expect(readZramMmStat(['zram0', 'zram1'], root)).toEqual({ origDataBytes: 537576, comprDataBytes: 300452, memUsedBytes: 942780 });
    expect(readZramMmStat([], root)).toBeNull();
    expect(readZramMmStat(['zram7'], root)).toBeNull();
    expect(parseMmStat('1 2')).toBeNull();
  });
});

describe('sched', () => {
  it('reads se.nr_migrations', () => {
    expect(parseNrMigrations('se.exec_start : 1.0\nse.nr_migrations                             :                    17\n')).toBe(17);
    expect(parseNrMigrations('policy : 0\n')).toBeNull();
  });
});

describe('sample counters', () => {
  it('vmstat deltas per Sample field, null for a counter the kernel lacks', () => {
    const before = { pgscan_kswapd: 10, workingset_refault_anon: 100, thp_swpout: 0 };
    const after = { pgscan_kswapd: 15, workingset_refault_anon: 65636, thp_swpout: 0 };
    const d = vmstatSampleDeltas(before, after);
    expect(d.pgscanKswapdDeltaPages).toBe(5);
    expect(d.workingsetRefaultAnonDeltaPages).toBe(65536);
    expect(d.thpSwpoutDelta).toBe(0);
    expect(d.pgstealDirectDeltaPages).toBeNull();
    for (const field of Object.keys(VMSTAT_SAMPLE_COUNTERS)) expect(SAMPLE_FIELDS, field).toHaveProperty(field);
  });

  it('hint-window fields: deltas, and a compression ratio only when both sizes grew', () => {
    const reading = (tlb: number, orig: number, compr: number, mig: number | null): HintCounterReading => ({
      ipi: { tlbShootdowns: tlb, functionCalls: tlb * 2 },
      zram: { origDataBytes: orig, comprDataBytes: compr, memUsedBytes: 0 },
      targetMigrations: mig,
      targetCpu: 1,
    });
    expect(hintCounterFields(reading(10, 1000, 500, 3), reading(60, 5000, 2500, 4))).toEqual({
      irqTlbShootdowns: 50,
      irqFunctionCalls: 100,
      targetCpu: 1,
      targetMigrations: 1,
      zramOrigDeltaBytes: 4000,
      zramComprDeltaBytes: 2000,
      zramCompressionRatio: 2,
    });
    const flat = hintCounterFields(reading(10, 1000, 500, null), reading(10, 1000, 500, 2));
    expect(flat.zramCompressionRatio).toBeNull();
    expect(flat.targetMigrations).toBeNull();
    expect(Object.values(noCounters()).every((v) => v === null)).toBe(true);
  });
});
