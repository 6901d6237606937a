/**
 * An interrupted `hintbench run` keeps every repetition it reported as finished: Ctrl-C
 * inside a scenario keeps that scenario's finished repetitions with their probe figures,
 * SIGKILL keeps them too (without the figures, which only a clean stop can deliver), and an
 * interrupt storm (SIGINT and SIGKILL at random instants) leaves no process, cgroup or
 * stopped task behind and never an invalid results.json.
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

/** `<scenario id>#<repetition>` of every repetition the run printed as finished. */
function reported(stdout: string): string[] {
  return [...stdout.matchAll(/^\[\d+\/\d+\] (\S+) rep (\d+)\/\d+: /gm)].map((m) => `${m[1]}#${Number(m[2]) - 1}`);
}

function inFile(run: RunResult): string[] {
  return run.scenarios.flatMap((s) => s.samples.map((x) => `${s.scenario.id}#${x.repetition}`));
}

const SECOND_SCENARIO_FIRST_REP = /^\[2\/3\] \S+ rep 1\/3: /m;

describe.skipIf(!ready)('interrupting hintbench run inside a scenario', () => {
  let base: string;
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'hintbench-run-int-'));
  });
  afterAll(() => {
    rmSync(base, { recursive: true, force: true });
  });

  it('Ctrl-C keeps the finished repetitions of the scenario in progress, with their probe figures, marked interrupted', async () => {
    const out = join(base, 'sigint');
    const run = startRun(out);
    expect(await waitFor(() => SECOND_SCENARIO_FIRST_REP.test(run.stdout()), 90_000), run.stderr()).toBe(true);
    process.kill(-run.pid, 'SIGINT');
    const how = await run.exited;
    expect(how.code, run.stderr()).toBe(130);
    expect(run.stderr()).toMatch(/^Error: interrupted by SIGINT\. Fix: rerun when ready; what was measured is in \S+ \(hintbench report \S+ rebuilds its report\)$/m);
    const results = readResultsJson(join(out, 'results.json'));
    expect(results.finishedAt).toBeNull();
    expect(inFile(results)).toEqual(expect.arrayContaining(reported(run.stdout())));
    const [first, ...rest] = results.scenarios;
    expect(first!.status).toBe('ok');
    expect(first!.samples).toHaveLength(3);
    const interrupted = rest.filter((s) => s.status === 'interrupted');
    expect(interrupted).toHaveLength(1);
    const s = interrupted[0]!;
    expect(s.samples.length).toBeGreaterThanOrEqual(1);
    expect(s.error).toBe(`interrupted by SIGINT after ${s.samples.length} of 3 repetitions`);
    expect(s.summary.userLatencyNs?.n).toBe(s.samples.length);
    for (const x of s.samples) {
      expect(x.kernelLatencyNs, 'probe figures attributed after a clean stop').not.toBeNull();
      expect(x.reclaimedPages).toBeGreaterThan(0);
      expect(x.probeSyscalls).toBe(x.syscalls);
    }
    expect(s.warnings.join(' ')).not.toMatch(/not attributed/);
    // samples.csv and the report hold them as well
    const csvRows = readFileSync(join(out, 'samples.csv'), 'utf8').trim().split('\n').length - 1;
    expect(csvRows).toBe(inFile(results).length);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain(`${s.scenario.id.replaceAll('_', '\\_')} (interrupted): interrupted by SIGINT`);
  });

  it('SIGKILL of the runner keeps every repetition it reported; its processes die with it', async () => {
    const out = join(base, 'sigkill');
    const run = startRun(out);
    expect(await waitFor(() => SECOND_SCENARIO_FIRST_REP.test(run.stdout()), 90_000), run.stderr()).toBe(true);
    const children = descendants(readProcs(), run.pid);
    process.kill(run.pid, 'SIGKILL');
    expect((await run.exited).signal).toBe('SIGKILL');
    const results = readResultsJson(join(out, 'results.json'));
    const printed = reported(run.stdout());
    expect(printed.length).toBeGreaterThanOrEqual(4);
    expect(inFile(results)).toEqual(expect.arrayContaining(printed));
    const last = results.scenarios.at(-1)!;
    expect(last.status).toBe('interrupted');
    expect(last.error).toMatch(/^the run ended during this scenario after \d of 3 repetitions$/);
    expect(last.warnings.join(' ')).toMatch(/probe figures .* are not attributed/);
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
