import { describe, expect, it } from 'vitest';
import { SAMPLE_FIELDS } from '../../../core/metrics.ts';
import { methodology } from '../../../reports/methodology.ts';
import { fixtureRun } from './fixture.ts';

describe('methodology', () => {
  it('says what a sample is, how each figure is timed (from the registry), the probes, attribution and statistics', () => {
    const run = fixtureRun();
    const sections = methodology(run);
    expect(sections.map((s) => s.title)).toEqual([
      'One sample',
      'Order and warm-up',
      'What each figure is and who times it',
      'Probes',
      'Attribution',
      'Statistics',
      'Noise sources present',
    ]);
    const timing = sections[2]!.bullets.join('\n');
    expect(timing).toContain(SAMPLE_FIELDS.userLatencyNs.doc);
    expect(timing).toContain(SAMPLE_FIELDS.stallNs.doc);
    expect(sections[3]!.bullets.some((b) => b.startsWith('tracepoint:vmscan:mm_vmscan_reclaim_pages'))).toBe(true);
    expect(sections[1]!.paragraphs[0]).toContain('No sample was flagged as warm-up');
  });

  it('reports warm-up samples, interleaved blocks and the noise sources of the environment', () => {
    const run = fixtureRun();
    const samples = run.scenarios.flatMap((r) => r.samples) as Record<string, unknown>[];
    samples[0]!.warmUp = true;
    for (const [i, s] of samples.entries()) s.block = i % 2;
    Object.assign(run.environment, { virtualization: 'KVM', loadAverageStart: [1.5, 1, 0.5], loadAverageEnd: [2, 1.5, 1], backgroundReclaimers: ['DAMON kdamond.0 (pid 77)'] });
    const sections = methodology(run);
    const order = sections[1]!.paragraphs[0]!;
    expect(order).toContain('interleaved blocks');
    expect(order).toContain('1 sample was flagged as warm-up and left out of every statistic');
    const noise = sections.at(-1)!.bullets;
    expect(noise).toContain('virtualised (KVM): steal time and virtual-CPU scheduling add noise');
    expect(noise).toContain('load average (1 / 5 / 15 min): 1.5 / 1 / 0.5 at the start, 2 / 1.5 / 1 at the end');
    expect(noise.some((n) => n.startsWith('background reclaimers running: DAMON kdamond.0 (pid 77)'))).toBe(true);
  });

  it('says the probe figures are missing without bpftrace', () => {
    const run = fixtureRun();
    run.environment.bpftraceVersion = null;
    const probes = methodology(run)[3]!;
    expect(probes.paragraphs[0]).toMatch(/^bpftrace was not available/);
    expect(probes.bullets).toEqual([]);
  });
});
