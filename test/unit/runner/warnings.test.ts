/** Warnings computed from what a run measured: each names what it is about and ends with a fix; warm-ups are left out. */
import { describe, expect, it } from 'vitest';
import { blockReclaimWarning, doctorWarnings, eintrCauses, reclaimerWarnings, scenarioWarnings, stoppingWarning } from '../../../bench/runner/warnings.ts';
import { summariesOf } from '../../../core/schema/migrate.ts';
import type { Sample } from '../../../core/types.ts';
import { fixtureRun } from '../reports/fixture.ts';

const template: Sample = fixtureRun().scenarios[0]!.samples[0]!;

/** Samples of a process_madvise scenario: user latencies as given, everything else clean; the first is a warm-up when asked. */
function samples(latenciesNs: number[], opts: { warmUp?: boolean; eintr?: number[]; probeSyscalls?: (number | null)[] } = {}): Sample[] {
  return latenciesNs.map((userLatencyNs, i) => ({
    ...template,
    repetition: i,
    warmUp: opts.warmUp === true && i === 0,
    block: opts.warmUp === true ? i - 1 : i,
    userLatencyNs,
    kernelLatencyNs: userLatencyNs - 1000,
    syscalls: 1,
    probeSyscalls: opts.probeSyscalls?.[i] ?? 1,
    reclaimedPages: 16384,
    retouchNs: 50_000_000,
    stallNs: null,
    injectorStopNs: null,
    callerCpuNs: 1000,
    targetEintr: opts.eintr?.[i] ?? 0,
    errors: [],
  }));
}

const warningsOf = (s: Sample[], reclaim?: { index: number; pages: number }[]) =>
  scenarioWarnings({ samples: s, summary: summariesOf(s) }, reclaim === undefined ? {} : { reclaim });

describe('scenarioWarnings', () => {
  it('a quiet scenario with enough samples has none', () => {
    expect(warningsOf(samples([100_000, 101_000, 99_000, 100_500, 100_200, 99_800, 100_100]))).toEqual([]);
  });

  it('noise: a key metric whose robust CV is above 10 %, with the figure and a fix', () => {
    const w = warningsOf(samples([100_000, 150_000, 70_000, 130_000, 90_000, 60_000, 120_000]));
    const noisy = w.filter((x) => x.includes('robust CV'));
    expect(noisy.map((x) => x.split(':')[0])).toEqual(['userLatencyNs', 'kernelLatencyNs']);
    expect(noisy[0]).toMatch(/^userLatencyNs: robust CV \d+\.\d % \(n = 7\) is above 10\.0 %: .*Fix: /);
  });

  it('outliers: named by repetition; a wild warm-up is neither an outlier nor noise', () => {
    const w = warningsOf(samples([100_000, 100_000, 101_000, 99_000, 100_500, 100_200, 900_000]));
    expect(w.find((x) => x.startsWith('userLatencyNs:'))).toMatch(/^userLatencyNs: 1 of 7 values are outliers \(repetition 6; .*Fix: /);
    expect(warningsOf(samples([9_000_000, 100_000, 101_000, 99_000, 100_500, 100_200, 99_800, 100_100], { warmUp: true }))).toEqual([]);
  });

  it('too few samples for a 95 % interval: says how many are needed', () => {
    const w = warningsOf(samples([100_000, 101_000, 99_000]));
    expect(w).toContain(
      'n = 3 is too small for a 95.0 % median interval of userLatencyNs, kernelLatencyNs, reclaimedPages, retouchNs, callerCpuNs: [min, max] covers only 75.0 %. Fix: run at least 6 measured repetitions (--reps 6, or --time-budget)',
    );
  });

  it('EINTRs, probe short of syscalls, reclaim by others: counted over measured samples', () => {
    const s = samples([100_000, 100_000, 101_000, 99_000, 100_500, 100_200, 99_800], { warmUp: true, eintr: [5, 2, 0, 1, 0, 0, 0], probeSyscalls: [0, 1, 0, 1, 1, 1, 1] });
    const w = warningsOf(s, [
      { index: 0, pages: 999 },
      { index: 3, pages: 32 },
    ]);
    expect(w).toContain(
      "the target saw 3 system calls return EINTR in 2 of 6 samples: a target that does not retry them would misbehave (ptrace interrupts epoll_wait and sleeps). Fix: none needed for hintbench's workload; before hinting a real process this way, check it retries on EINTR",
    );
    expect(w.find((x) => x.startsWith('the probe saw fewer'))).toMatch(/in 1 of 6 samples: .*Fix: /);
    expect(w.find((x) => x.startsWith('kswapd'))).toMatch(/^kswapd or direct reclaim took 32 pages system-wide during 1 of 6 samples \(repetition 3\): .*Fix: /);
  });

  it('names what interrupted the target: ptrace, the freezer, SIGSTOP, or none of them', () => {
    expect(eintrCauses({ mechanism: 'ptrace', targetState: 'sleeping' })).toBe('ptrace interrupts epoll_wait and sleeps');
    expect(eintrCauses({ mechanism: 'process_madvise', targetState: 'frozen' })).toBe('the cgroup freezer interrupts epoll_wait too');
    expect(eintrCauses({ mechanism: 'ptrace', targetState: 'stopped' })).toBe('ptrace interrupts epoll_wait and sleeps; SIGSTOP and SIGCONT interrupt epoll_wait too');
    expect(eintrCauses({ mechanism: 'process_madvise', targetState: 'sleeping' })).toBe("something outside the hint interrupted the target's waits");
  });
});

describe('run-level warnings', () => {
  it('doctor warnings keep their fix', () => {
    expect(doctorWarnings([{ title: 'THP', detail: 'always', fix: 'echo madvise > /sys/kernel/mm/transparent_hugepage/enabled' }])).toEqual([
      'host: THP: always. Fix: echo madvise > /sys/kernel/mm/transparent_hugepage/enabled',
    ]);
  });

  it('background reclaimers and reclaim during a block', () => {
    expect(reclaimerWarnings([])).toEqual([]);
    expect(reclaimerWarnings(['DAMON kdamond.0 (pid 77)'])[0]).toMatch(/^background reclaimers run on this host \(DAMON kdamond\.0 \(pid 77\)\): .*Fix: /);
    // the hints' own reclaim_pages() under other comms is not background; LRU shrinking always is
    expect(blockReclaimWarning([{ block: 2, reclaim: [{ comm: 'node', reclaimPages: 4096, lruPages: 0 }], ownComms: [] }])).toBeNull();
    expect(
      blockReclaimWarning([
        { block: -1, reclaim: [{ comm: 'kdamond.0', reclaimPages: 100, lruPages: 0 }], ownComms: [] },
        { block: 0, reclaim: [], ownComms: [] },
        {
          block: 1,
          reclaim: [
            { comm: 'kdamond.0', reclaimPages: 3072, lruPages: 0 },
            { comm: 'kswapd0', reclaimPages: 0, lruPages: 12 },
            { comm: 'node', reclaimPages: 4096, lruPages: 0 },
          ],
          ownComms: [],
        },
      ]),
    ).toMatch(/^background reclaim during 2 of 3 blocks \(pages by thread: kdamond\.0 3172, kswapd0 12; per block: warm-up 100, block 1 3084\): .*Fix: /);
  });

  it("a pressure block's own memcg reclaim is not background; kswapd's still is, and the warning says what it left out", () => {
    const own = ['hbw-idle', 'hbw-retouch', 'node'];
    const pressureOnly = [
      { comm: 'hbw-retouch', reclaimPages: 0, lruPages: 9000 },
      { comm: 'node', reclaimPages: 0, lruPages: 2000 },
    ];
    expect(blockReclaimWarning([{ block: 0, reclaim: pressureOnly, ownComms: own }])).toBeNull();
    // the same reclaim in a block without pressure scenarios is background
    expect(blockReclaimWarning([{ block: 0, reclaim: pressureOnly, ownComms: [] }])).toMatch(/pages by thread: hbw-retouch 9000, node 2000;/);
    expect(blockReclaimWarning([{ block: 0, reclaim: [...pressureOnly, { comm: 'kswapd0', reclaimPages: 0, lruPages: 40 }], ownComms: own }])).toMatch(
      /^background reclaim during 1 of 1 blocks \(pages by thread: kswapd0 40; per block: block 0 40; not counted: the pressure phases' own memcg reclaim, hbw-retouch 9000, node 2000\): /,
    );
  });

  it('a budget that ended before the target says which metric is widest', () => {
    expect(stoppingWarning('target-reached', 0.025, { label: 'a userLatencyNs', halfWidth: 0.02 })).toBeNull();
    expect(stoppingWarning('time-budget', null, { label: 'a userLatencyNs', halfWidth: 0.2 })).toBeNull();
    expect(stoppingWarning('time-budget', 0.025, { label: 'a userLatencyNs', halfWidth: 0.04 })).toBe(
      'the time budget ended before every key metric reached +/- 2.5 %: a userLatencyNs is at +/- 4.0 %. Fix: raise --time-budget or --reps, or accept a wider --target-ci',
    );
    expect(stoppingWarning('reps-cap', 0.025, { label: 'b retouchNs', halfWidth: null })).toMatch(/^the --reps cap was reached before .*: b retouchNs has no interval yet\./);
  });
});
