/** `hintbench run --suite FILE` with a pressure field, end to end: the runner's pressure family and a results.json that validates. */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { readResultsJson } from '../../../reports/json.ts';
import { canRun } from '../../helpers/prereq.ts';
import { processExists } from '../../../core/proc/stat.ts';

const run = promisify(execFile);
const CLI = new URL('../../../bench/hintbench.js', import.meta.url).pathname;
const ready = canRun('run a pressure suite file', { root: true, bpftrace: true, swap: true, tracefs: true });

describe.skipIf(!ready)('hintbench run --suite FILE with pressure scenarios', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hintbench-pressure-suite-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs limit and balloon scenarios, external and self deliveries, and writes a results.json that validates', async () => {
    const file = join(dir, 'pressure-tiny.json');
    writeFileSync(
      file,
      JSON.stringify({
        pressure: {
          strategies: ['none', 'pageout_cold_set'],
          mechanisms: ['ptrace'],
          selfDeliveries: ['self_process_madvise'],
          hot: { sizeMiB: 8 },
          cold: { sizeMiB: 24 },
          modes: ['limit', 'balloon'],
          balloonMiB: 32,
        },
        repetitions: 1,
      }),
    );
    const out = join(dir, 'out');
    const { stdout } = await run(process.execPath, [CLI, 'run', '--suite', file, '--no-setup', '--no-warm-up', '--out', out], { timeout: 240_000 });
    expect(stdout).toMatch(/Running suite 'pressure-tiny': 6 scenarios, 6 samples/);
    // Validated against the results schema on read.
    const result = readResultsJson(join(out, 'results.json'));
    expect(result.scenarios.map((s) => s.scenario.id).sort()).toEqual(
      [
        'pressure/none/none/hot-anon-random-8MiB+cold-anon-random-24MiB/limit-78MiB',
        'pressure/pageout_cold_set/ptrace/hot-anon-random-8MiB+cold-anon-random-24MiB/limit-78MiB',
        'pressure/pageout_cold_set/self_process_madvise/hot-anon-random-8MiB+cold-anon-random-24MiB/limit-78MiB',
        'pressure/none/none/hot-anon-random-8MiB+cold-anon-random-24MiB/balloon-32MiB-limit-128MiB',
        'pressure/pageout_cold_set/ptrace/hot-anon-random-8MiB+cold-anon-random-24MiB/balloon-32MiB-limit-128MiB',
        'pressure/pageout_cold_set/self_process_madvise/hot-anon-random-8MiB+cold-anon-random-24MiB/balloon-32MiB-limit-128MiB',
      ].sort(),
    );
    for (const sr of result.scenarios) {
      expect(sr.status).toBe('ok');
      const [s] = sr.samples;
      expect(s).toBeDefined();
      expect(s!.errors).toEqual([]);
      expect(s!.dataIntact).toBe(true);
      expect(s!.hotPages).toBe(2048);
      expect(s!.coldPages).toBe(6144);
      expect(s!.accessP99Ns).not.toBeNull();
      expect(s!.pressureTimeline!.length).toBeGreaterThan(0);
      expect(s!.oomKills).toBe(0);
      expect(processExists(s!.pid)).toBe(false);
      if (sr.scenario.pressure!.strategy === 'pageout_cold_set') {
        expect(s!.bytesAdvised).toBe(24 * 1024 * 1024);
        // The cgroup's usage dropped by about the cold set.
        expect(s!.hintFreedBytes!).toBeGreaterThan(0.95 * 24 * 1024 * 1024);
        expect(s!.userLatencyNs).not.toBeNull();
      } else {
        expect(s!.syscalls).toBe(0);
        expect(s!.userLatencyNs).toBeNull();
      }
      expect(sr.summary.hotRefaultPages).toBeDefined();
    }
    // The pressure phases' own reclaim (workload, balloon, the runner lowering the limit) is
    // not reported as background reclaim by others; kswapd or DAMON would still be.
    const background = result.warnings.find((w) => w.startsWith('background reclaim during'));
    if (background !== undefined) expect(background).not.toMatch(/pages by thread: [^;]*\b(hbw-idle|hbw-retouch|node) \d/);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    // No lab cgroup of this run is left.
    const v1 = '/sys/fs/cgroup/memory';
    if (existsSync(v1)) expect(readdirSync(v1).filter((n) => n.startsWith('hintbench-') && result.scenarios.some((sr) => n.endsWith(`-${sr.samples[0]!.pid}`)))).toEqual([]);
    expect(readFileSync(join(out, 'results.json'), 'utf8')).toContain('"schemaVersion": 2');
  });
});
