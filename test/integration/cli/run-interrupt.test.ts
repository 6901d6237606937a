/**
 * An interrupted `hintbench run` keeps every repetition it reported as finished: Ctrl-C
 * inside a block keeps every finished repetition with its probe figures, SIGKILL keeps them
 * too (those of the block in progress without the figures, which only a clean stop can
 * deliver), and an interrupt storm (SIGINT and SIGKILL at random instants) leaves no process,
 * cgroup or stopped task behind and never an invalid results.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../core/types.ts';
import { readResultsJson } from '../../../reports/json.ts';
import { canRun } from '../../helpers/prereq.ts';
import { descendants, readProcs, stillAlive } from '../../helpers/proc-tree.ts';
import { waitFor } from '../ptrace/helpers.ts';
import { CLI, suiteFixture } from './run-cli.ts';

const ready = canRun('interrupting hintbench run', { root: true, bpftrace: true, swap: true, tracefs: true });
const STORM = fileURLToPath(new URL('../../interrupt-storm.ts', import.meta.url));

/** Starts the tiny suite in its own process group; resolves the runner and its output so far. */
function startRun(out: string): { pid: number; stdout: () => string; stderr: () => string; exited: Promise<{ code: number | null; signal: string | null }> } {
  const child = spawn(process.execPath, [CLI, 'run', '--suite', suiteFixture('tiny'), '--no-setup', '--out', out], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return { pid: child.pid!, stdout: () => stdout, stderr: () => stderr, exited };
}

/** `<scenario id>#<repetition>` of every repetition the run printed as finished (progress on stderr). */
function reported(stderr: string): string[] {
  return [...stderr.matchAll(/^(?:warm-up|block [^[\n]+) \[\d+\/\d+\] (\S+) rep (\d+): /gm)].map((m) => `${m[1]}#${m[2]}`);
}

function inFile(run: RunResult): string[] {
  return run.scenarios.flatMap((s) => s.samples.map((x) => `${s.scenario.id}#${x.repetition}`));
}

/** The second repetition of the first measured block has finished (after the 3 warm-ups). */
const INSIDE_FIRST_BLOCK = /^block 1\/3 \[2\/3\] \S+ rep 1: /m;

describe.skipIf(!ready)('interrupting hintbench run inside a scenario', () => {
  let base: string;
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'hintbench-run-int-'));
  });
  afterAll(() => {
    rmSync(base, { recursive: true, force: true });
  });

  it('Ctrl-C keeps the finished repetitions of every scenario, with their probe figures, marked interrupted', async () => {
    const out = join(base, 'sigint');
    const run = startRun(out);
    expect(await waitFor(() => INSIDE_FIRST_BLOCK.test(run.stderr()), 90_000), run.stderr()).toBe(true);
    process.kill(-run.pid, 'SIGINT');
    const how = await run.exited;
    expect(how.code, run.stderr()).toBe(130);
    expect(run.stderr()).toMatch(/^Error: interrupted by SIGINT\. Fix: rerun when ready; what was measured is in \S+ \(hintbench report \S+ rebuilds its report\)$/m);
    const results = readResultsJson(join(out, 'results.json'));
    expect(results.finishedAt).toBeNull();
    expect(inFile(results)).toEqual(expect.arrayContaining(reported(run.stderr())));
    expect(results.stopping?.reason).toBe('interrupted');
    expect(results.scenarios.map((x) => x.status)).toEqual(['interrupted', 'interrupted', 'interrupted']);
    const hinted = results.scenarios.filter((x) => x.scenario.mechanism !== 'none');
    for (const s of results.scenarios) {
      const measured = s.samples.filter((x) => !x.warmUp).length;
      expect(s.samples[0]!.warmUp).toBe(true);
      expect(s.error).toBe(`interrupted by SIGINT after ${measured} of 3 repetitions`);
    }
    for (const s of hinted) {
      expect(s.summary.userLatencyNs?.n ?? 0).toBe(s.samples.filter((x) => !x.warmUp).length);
      for (const x of s.samples) {
        expect(x.kernelLatencyNs, 'probe figures attributed after a clean stop').not.toBeNull();
        expect(x.reclaimedPages).toBeGreaterThan(0);
        expect(x.probeSyscalls).toBe(x.syscalls);
      }
      expect(s.warnings.join(' ')).not.toMatch(/not attributed|no probe figures/);
    }
    const s = results.scenarios.find((x) => x.samples.some((y) => !y.warmUp))!;
    // samples.csv and the report hold them as well
    const csvRows = readFileSync(join(out, 'samples.csv'), 'utf8').trim().split('\n').length - 1;
    expect(csvRows).toBe(inFile(results).length);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain(`${s.scenario.id.replaceAll('_', '\\_')} (interrupted): interrupted by SIGINT`);
  });

  it('SIGKILL of the runner keeps every repetition it reported; its processes die with it', async () => {
    const out = join(base, 'sigkill');
    const run = startRun(out);
    expect(await waitFor(() => INSIDE_FIRST_BLOCK.test(run.stderr()), 90_000), run.stderr()).toBe(true);
    const children = descendants(readProcs(), run.pid);
    process.kill(run.pid, 'SIGKILL');
    expect((await run.exited).signal).toBe('SIGKILL');
    const results = readResultsJson(join(out, 'results.json'));
    const printed = reported(run.stderr());
    expect(printed.length).toBeGreaterThanOrEqual(5);
    expect(inFile(results)).toEqual(expect.arrayContaining(printed));
    expect(results.stopping?.reason).toBeNull();
    for (const s of results.scenarios) {
      expect(s.status).toBe('interrupted');
      expect(s.error).toMatch(/^the run ended after \d of 3 repetitions$/);
    }
    expect(results.scenarios.some((s) => s.warnings.some((w) => /block in progress have no probe figures yet/.test(w)))).toBe(true);
    const left = (): string =>
      children
        .filter((p) => stillAlive(p))
        .map((p) => `${p.pid} ${p.comm}`)
        .join(', ');
    const allGone = await waitFor(() => children.every((p) => !stillAlive(p)), 15_000);
    const survivors = left();
    // whatever outlived the run is ended here, so that a failure leaves nothing running
    for (const p of children) if (stillAlive(p)) process.kill(p.pid, 'SIGTERM');
    expect(allGone, `still alive: ${survivors}`).toBe(true);
  });

  it('an interrupt storm of 6 runs: nothing left behind, results.json always valid, every reported repetition kept', () => {
    const json = join(base, 'storm.json');
    const r = spawnSync(process.execPath, ['--import', 'tsx', STORM, '--trials', '6', '--json', json], { encoding: 'utf8', timeout: 900_000 });
    const figures = existsSync(json) ? (JSON.parse(readFileSync(json, 'utf8')) as Record<string, unknown>) : {};
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(
      /^interrupt storm: 6 trials \(3 SIGINT, 3 SIGKILL\), 6 passed; orphans 0, cgroups left 0 \(\d+ left by SIGKILL, 0 of them not removed by the next run\), stopped\/traced 0, invalid results\.json 0, missing repetitions 0 of \d+ reported/,
    );
    expect(figures).toMatchObject({ trials: 6, passed: 6, orphans: 0, cgroupsLeft: 0, stoppedOrTraced: 0, invalidResults: 0, missingReps: 0 });
  }, 900_000);
});
