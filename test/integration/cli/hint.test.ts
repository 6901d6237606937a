/**
 * `hintbench hint` against a live workload process, through the real command line, with
 * both mechanisms and the probe: its figures must match the target's own /proc readings.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStatus } from '../../../core/proc/status.ts';
import { spawnWorkload, type WorkloadHandle } from '../../../workloads/client.ts';
import { canRun } from '../../helpers/prereq.ts';

const run = promisify(execFile);
const CLI = new URL('../../../bench/hintbench.js', import.meta.url).pathname;
const ready = canRun('hintbench hint', { root: true, bpftrace: true, swap: true, tracefs: true });
const PAGE = 4096;
const SIZE = 32 * 1024 * 1024;

async function hint(args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [CLI, 'hint', ...args, '--json'], { timeout: 60_000 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe.skipIf(!ready)('hintbench hint on a live process', () => {
  let w: WorkloadHandle;
  beforeAll(async () => {
    w = await spawnWorkload({ kind: 'anon', content: 'random', sizeMiB: 32, vmas: 1 });
  });
  afterAll(async () => {
    await w?.exit();
  });

  it('PAGEOUT of one explicit range via process_madvise: bytes, pages and swap agree', async () => {
    const region = w.regions[0]!;
    const range = `${region.startAddr.toString(16)}-${(region.startAddr + region.lengthBytes).toString(16)}`;
    const r = await hint(['--pid', String(w.pid), '--advice', 'pageout', '--ranges', range]);
    for (const key of [
      'pid',
      'mechanism',
      'advice',
      'bytesAdvised',
      'latencyNs',
      'latencyP99Ns',
      'samplesNs',
      'rssBeforeBytes',
      'rssAfterBytes',
      'swapBeforeBytes',
      'swapAfterBytes',
      'error',
    ]) {
      expect(r, key).toHaveProperty(key);
    }
    expect(r.error).toBeNull();
    expect(r.pid).toBe(w.pid);
    expect(r.mechanism).toBe('process_madvise');
    expect(r.bytesAdvised).toBe(SIZE);
    expect(Math.abs((r.reclaimedPages as number) - SIZE / PAGE)).toBeLessThanOrEqual(0.02 * (SIZE / PAGE));
    const swapGrowthPages = ((r.swapAfterBytes as number) - (r.swapBeforeBytes as number)) / PAGE;
    expect(Math.abs(swapGrowthPages - SIZE / PAGE)).toBeLessThanOrEqual(0.02 * (SIZE / PAGE));
    expect(readStatus(w.pid).swapBytes).toBe(r.swapAfterBytes);
    expect(r.kernelLatencyNs as number).toBeLessThanOrEqual(r.latencyNs as number);
    const touched = await w.retouch();
    expect(Math.abs(touched.majorFaults - SIZE / PAGE)).toBeLessThanOrEqual(0.02 * (SIZE / PAGE));
    expect((await w.verify()).intact).toBe(true);
  });

  it('COLD of all anon VMAs via ptrace, repeated: median, p99 and every sample; target untraced after', async () => {
    const r = await hint(['--pid', String(w.pid), '--advice', 'cold', '--via', 'ptrace', '--repeat', '7']);
    expect(r.error).toBeNull();
    expect(r.mechanism).toBe('ptrace');
    const samples = r.samplesNs as number[];
    expect(samples).toHaveLength(7);
    const sorted = [...samples].sort((a, b) => a - b);
    expect(r.latencyNs).toBe(sorted[3]);
    expect(r.latencyP99Ns).toBe(sorted[6]);
    expect(r.bytesAdvised as number).toBeGreaterThanOrEqual(SIZE);
    expect(r.reclaimedPages).toBe(0);
    expect(readStatus(w.pid).tracerPid).toBe(0);
    expect((await w.verify()).intact).toBe(true);
  });

  it('plain text output names the figures', async () => {
    const { stdout } = await run(process.execPath, [CLI, 'hint', '--pid', String(w.pid), '--advice', 'cold', '--no-probe'], { timeout: 60_000 });
    expect(stdout).toMatch(new RegExp(`^pid ${w.pid} \\(tid ${w.pid}\\): cold via process_madvise`));
    expect(stdout).toMatch(/bytes advised +\d+/);
    expect(stdout).toMatch(/pages reclaimed +n\/a \(no probe\)/);
  });
});
