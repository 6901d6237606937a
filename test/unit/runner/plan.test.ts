import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HintbenchError } from '../../../core/errors.ts';
import {
  RUN_RESERVE_BYTES,
  WORKLOAD_BASE_BYTES,
  checkMemoryPlan,
  checkSampleCap,
  readMemoryBudget,
  scenarioNeedBytes,
  usableBytes,
  type MemoryBudget,
} from '../../../bench/runner/plan.ts';
import { expandMatrix } from '../../../bench/scenarios/matrix.ts';
import type { Content, Suite } from '../../../core/types.ts';
import { errorOf } from '../../helpers/errors.ts';

const MIB = 2 ** 20;

function suiteOf(sizeMiB: number, vmas: number, content: Content = 'random', repetitions = 5): Suite {
  return {
    name: 'big',
    description: 'test',
    scenarios: expandMatrix({
      mechanisms: ['process_madvise'],
      advices: ['pageout'],
      memories: [{ kind: 'anon', content, sizeMiB, vmas }],
      targetStates: ['sleeping'],
      baseline: true,
      repetitions,
    }),
  };
}

/** This machine kind: 23,500 MiB available, a 4 GiB zram swap. */
const host: MemoryBudget = { memAvailableBytes: 23_500 * MIB, swap: [{ name: '/dev/zram0', freeBytes: 4096 * MIB, zram: true }] };

describe('memory plan', () => {
  it('a workload needs its data plus per-page overhead, the workload process and the reserve', () => {
    const [s] = suiteOf(1024, 1).scenarios;
    expect(scenarioNeedBytes(s!)).toBe(1024 * MIB + 4 * MIB + WORKLOAD_BASE_BYTES + RUN_RESERVE_BYTES);
  });

  it('zram counts for what compression saves; disk swap counts in full', () => {
    expect(usableBytes(host, 'random').swapBytes).toBe(0);
    expect(usableBytes(host, 'mixed').swapBytes).toBe(2048 * MIB);
    expect(usableBytes(host, 'zero').swapBytes).toBe(4096 * MIB);
    const disk: MemoryBudget = { memAvailableBytes: 1000 * MIB, swap: [{ name: '/swapfile', freeBytes: 500 * MIB, zram: false }] };
    expect(usableBytes(disk, 'random')).toEqual({ totalBytes: 1500 * MIB, swapBytes: 500 * MIB });
  });

  it('refuses 30,000 MiB in 10 VMAs, naming the scenario, the need, what there is and the override', () => {
    const e = errorOf(() => checkMemoryPlan(suiteOf(30_000, 10), host));
    expect(e.message).toBe(
      "scenario none/none/anon-random-30000MiB-10vma/sleeping (and 1 more of the suite's scenarios) needs about 30,501 MiB of memory (30,000 MiB of workload data plus overhead) " +
        'but this host has 23,500 MiB (MemAvailable 23,500 MiB + 0 MiB of usable swap; zram swap counts for what random pages compress to)',
    );
    expect(e.fix).toBe(
      'use at most 23,026 MiB per workload (sizeMiB in the suite), free memory or add swap; --ignore-memory-check runs it anyway (the OOM killer may end the run)',
    );
    expect(e.message).not.toContain('\n');
  });

  it('the size it says fits does fit, and one MiB more does not', () => {
    expect(() => checkMemoryPlan(suiteOf(23_026, 1), host)).not.toThrow();
    expect(() => checkMemoryPlan(suiteOf(23_027, 1), host)).toThrow(HintbenchError);
  });

  it('zero-filled pages may use the whole zram device', () => {
    expect(() => checkMemoryPlan(suiteOf(26_000, 1, 'zero'), host)).not.toThrow();
    expect(() => checkMemoryPlan(suiteOf(26_000, 1, 'random'), host)).toThrow(/needs about 26,485 MiB/);
  });

  it('reads MemAvailable and the swap devices', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hintbench-plan-'));
    try {
      mkdirSync(join(dir, 'proc'));
      writeFileSync(join(dir, 'proc', 'meminfo'), 'MemTotal:       24684092 kB\nMemFree:        20000000 kB\nMemAvailable:   23000000 kB\n');
      writeFileSync(join(dir, 'proc', 'swaps'), 'Filename\tType\tSize\tUsed\tPriority\n/dev/zram0 partition\t4194300\t1000\t100\n/swap\\040file file\t1024\t0\t-2\n');
      expect(readMemoryBudget(dir)).toEqual({
        memAvailableBytes: 23_000_000 * 1024,
        swap: [
          { name: '/dev/zram0', freeBytes: (4_194_300 - 1000) * 1024, zram: true },
          { name: '/swap file', freeBytes: 1024 * 1024, zram: false },
        ],
      });
      writeFileSync(join(dir, 'proc', 'meminfo'), 'MemTotal: 1 kB\n');
      expect(() => readMemoryBudget(dir)).toThrow(/has no MemAvailable line/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('sample cap', () => {
  it('passes a suite at the cap and refuses one above it with an estimate and the override', () => {
    expect(() => checkSampleCap(suiteOf(16, 1, 'random', 5), 10)).not.toThrow();
    const e = errorOf(() => checkSampleCap(suiteOf(16, 1, 'random', 6), 10));
    expect(e.message).toBe("suite 'big' has 12 samples (2 scenarios), more than the cap of 10; at about 1 s per sample it would run 1 min");
    expect(e.fix).toBe("lower --reps or the suite's repetitions and matrix, or raise the cap with --max-samples 12");
  });

  it('19.2 million samples: refused, in days', () => {
    const suite: Suite = {
      name: 'huge',
      description: '',
      scenarios: Array.from({ length: 1920 }, (_, i) => ({ ...suiteOf(16, 1).scenarios[0]!, id: `s${i}`, repetitions: 10_000 })),
    };
    expect(errorOf(() => checkSampleCap(suite, 10_000)).message).toBe(
      "suite 'huge' has 19,200,000 samples (1920 scenarios), more than the cap of 10,000; at about 1 s per sample it would run 222 days",
    );
  });
});
