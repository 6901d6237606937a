/**
 * Ctrl-C and SIGTERM: hintbench finishes the step in progress (never leaving an injection
 * half done), keeps what it measured, exits 130, and leaves no process of its own behind.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStatus } from '../../../core/proc/status.ts';
import { statField } from '../../../core/proc/stat.ts';
import { startProbeSession } from '../../../bpf/session.ts';
import { spawnWorkload, type WorkloadHandle } from '../../../workloads/client.ts';
import { canRun } from '../../helpers/prereq.ts';

const CLI = new URL('../../../bench/hintbench.js', import.meta.url).pathname;
const ready = canRun('interrupting hintbench', { root: true, bpftrace: true, swap: true, tracefs: true });

/** Pids of processes whose parent is `ppid`. */
function childrenOf(ppid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return statField(readFileSync(`/proc/${d}/stat`, 'utf8'), 4) === ppid; // field 4: ppid
      } catch {
        return false;
      }
    })
    .map(Number);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(pred: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return pred();
}

describe.skipIf(!ready)('interrupting hintbench', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hintbench-int-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('Ctrl-C (SIGINT to the whole process group) during a run keeps the results so far and leaves nothing behind', async () => {
    const out = join(dir, 'run');
    // detached: own process group, as a terminal's foreground job would be
    const child = spawn(process.execPath, [CLI, 'run', '--suite', 'smoke', '--no-setup', '--out', out], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    // interrupt once the warm-up block has finished its third repetition (progress goes to stderr)
    expect(await waitFor(() => /^warm-up \[3\/5\] /m.test(stderr), 90_000), stderr).toBe(true);
    const descendants = [...childrenOf(child.pid!)];
    process.kill(-child.pid!, 'SIGINT');
    const code = await exited;
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/Error: interrupted by SIGINT\. Fix: rerun when ready; what was measured is in \S+ \(hintbench report \S+ rebuilds its report\)/);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { finishedAt: string | null; scenarios: unknown[] };
    expect(results.finishedAt).toBeNull();
    expect(results.scenarios.length).toBeGreaterThanOrEqual(2);
    expect(existsSync(join(out, 'samples.csv'))).toBe(true);
    // the partial results get their report as well
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    expect(stdout).toMatch(/Partial report: .*report\.html/);
    // every process it had started is gone, and none is left traced or stopped
    expect(await waitFor(() => descendants.every((p) => !alive(p)), 30_000)).toBe(true);
    for (const p of descendants) if (alive(p)) expect(readStatus(p).tracerPid).toBe(0);
  });

  describe('hint --via ptrace --repeat', () => {
    let w: WorkloadHandle;
    beforeAll(async () => {
      w = await spawnWorkload({ kind: 'anon', content: 'random', sizeMiB: 8, vmas: 1 });
    });
    afterAll(async () => {
      await w?.exit();
    });

    it('SIGTERM stops after the injection in progress: exit 130, partial figures, target untouched', async () => {
      // One range, so one injected madvise(MADV_COLD) per hint: hint-latency.bt sees each
      // finished injection in the target, which is what the test waits for (no fixed delay).
      const region = w.regions[0]!;
      const range = `${region.startAddr.toString(16)}-${(region.startAddr + region.lengthBytes).toString(16)}`;
      const session = await startProbeSession({ scripts: ['hint-latency'] });
      const injected = (): number => session.snapshot().hints.filter((h) => h.pid === w.pid && h.behavior === 20).length;
      let seenBeforeTerm = 0;
      let stdout = '';
      let code: number | null = null;
      let tracer: number[] = [];
      try {
        const child = spawn(
          process.execPath,
          [CLI, 'hint', '--pid', String(w.pid), '--advice', 'cold', '--via', 'ptrace', '--ranges', range, '--repeat', '1000000', '--no-probe', '--json'],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
        const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
        expect(await waitFor(() => injected() > 10, 120_000), 'more than 10 injections seen by the probe').toBe(true);
        seenBeforeTerm = injected();
        tracer = childrenOf(child.pid!);
        process.kill(child.pid!, 'SIGTERM');
        code = await exited;
      } finally {
        await session.stop(); // idempotent: also stops the probes when a wait above fails
      }
      const report = await session.stop();
      expect(code).toBe(130);
      const r = JSON.parse(stdout) as { samplesNs: number[]; error: string; ranges: number };
      expect(r.ranges).toBe(1);
      // every injection the probe saw before SIGTERM finished, so each is a sample; the one in
      // progress at SIGTERM finishes too, and nothing starts after it
      expect(r.samplesNs.length).toBeGreaterThanOrEqual(seenBeforeTerm);
      const seenInTotal = report.hints.filter((h) => h.pid === w.pid && h.behavior === 20).length;
      expect(report.undeliveredLines.filter((u) => u.tid === w.pid)).toEqual([]);
      expect(seenInTotal).toBe(r.samplesNs.length);
      expect(r.error).toMatch(/^interrupted by SIGTERM after \d+ of 1000000 hints$/);
      expect(r.error).toBe(`interrupted by SIGTERM after ${r.samplesNs.length} of 1000000 hints`);
      expect(await waitFor(() => tracer.every((p) => !alive(p)), 30_000)).toBe(true);
      expect(readStatus(w.pid).tracerPid).toBe(0);
      expect(readStatus(w.pid).state).toBe('S');
      expect((await w.verify()).intact).toBe(true);
    });
  });
});
