import { describe, expect, it } from 'vitest';
import type { LabSample } from '../../../bench/pressure/sample.ts';
import { strategyLine, summarizeStrategy } from '../../../bench/pressure/summary.ts';

const MiB = 1024 * 1024;

function sample(freedMiB: number, hotRefaults: number, p99UnderNs: number, extra: Partial<LabSample> = {}): LabSample {
  const access = (p99Ns: number, faultedPages: number) => ({ p50Ns: 50, p99Ns, maxNs: p99Ns * 2, pages: 1000, faultedPages, majorFaults: faultedPages, lateBatches: 0 });
  return {
    strategy: 'pageout_all',
    delivery: 'external',
    mode: 'limit',
    memcg: { version: 'v1', dir: '/sys/fs/cgroup/memory/hintbench-1-2-3' },
    pid: 3,
    hint: null,
    hintSnapshot: null,
    freed: { rssBytes: freedMiB * MiB, cgroupUsageBytes: freedMiB * MiB, processSwapBytes: freedMiB * MiB, cgroupSwapBytes: freedMiB * MiB },
    access: { withoutPressure: access(600, 0), underPressure: access(p99UnderNs, hotRefaults) },
    coldEvictedPages: 100,
    coldPages: 100,
    hotPages: 1000,
    pressure: null,
    oom: { kills: 0, reason: null, workloadExit: { code: 0, signal: null } },
    retouch: null,
    vmstat: null,
    intact: true,
    corruptPages: 0,
    error: null,
    ...extra,
  };
}

describe('lab summary', () => {
  it('gives medians with the interval and its coverage over a strategy samples, and one line', () => {
    const samples = [sample(256, 4096, 7_000), sample(255, 4096, 9_000), sample(254, 4000, 8_000), { ...sample(0, 0, 1), strategy: 'none' as const }];
    const s = summarizeStrategy('pageout_all', samples);
    expect(s.samples).toBe(3);
    expect(s.freedMiB).toEqual({ median: 255, lower: 254, upper: 256, coverage: 0.75, n: 3 });
    expect(s.hotRefaultPages?.median).toBe(4096);
    expect(strategyLine(s)).toBe(
      'pageout_all      freed 255.0 MiB [254.0 to 256.0, 75 %], hot refaults 4096 pages [4000 to 4096, 75 %], cold evicted 100 pages [100 to 100, 75 %], access p99 8.0 us [7.0 to 9.0, 75 %] under pressure vs 0.6 us [0.6 to 0.6, 75 %] without, OOM kills 0 (n=3)',
    );
  });

  it('counts OOM kills and says when samples ended early or failed verification', () => {
    const killed = sample(0, 0, 0, {
      freed: null,
      access: { withoutPressure: null, underPressure: null },
      oom: { kills: 1, reason: 'r', workloadExit: null },
      intact: null,
      error: 'workload 3: exited (signal SIGKILL)',
    });
    const s = summarizeStrategy('pageout_all', [killed, sample(1, 0, 1000, { intact: false, corruptPages: 2 })]);
    expect(s.oomKills).toBe(1);
    expect(s.completeSamples).toBe(1);
    expect(s.freedMiB?.n).toBe(1);
    expect(strategyLine(s)).toMatch(/OOM kills 1 \(n=2; 1 CORRUPT; 1 ended early: workload 3: exited \(signal SIGKILL\)\)$/);
  });
});
