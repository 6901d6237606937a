/**
 * A long `hintbench hint --via process_madvise --repeat` stops on SIGINT, SIGTERM, SIGHUP and
 * when its parent dies, keeping the samples measured so far; --repeat is bounded before
 * anything starts, and with the probe every repetition keeps its kernel-side figures.
 *
 * The target holds 16 MiB of resident data, so one MADV_COLD hint costs tens of microseconds
 * or more: the 1,000,000 hints asked for would run for minutes, and an exit within the test's
 * timeout shows that the signal stopped the loop.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBE_RECORDS_MAX, PROBE_RECORDS_SPARE } from '../../../bench/live/probe-capacity.ts';
import { canRun } from '../../helpers/prereq.ts';
import { CLI, cli, errorLines, hinting, running, startLiveTarget, until, type LiveTargetProcess } from './live-target.ts';

const ready = canRun('interrupting hintbench hint', { root: true, bpftrace: true, tracefs: true });
const REPEAT = 1_000_000;

interface HintJson {
  samplesNs: number[];
  error: string | null;
  kernelLatencyNs: number | null;
  kernelSamples: number | null;
  notes: string[];
  warnings: string[];
}

describe.skipIf(!ready)('interrupting hintbench hint', () => {
  let t: LiveTargetProcess;
  let dir: string;
  beforeAll(async () => {
    t = await startLiveTarget('plain', 16);
    dir = mkdtempSync(join(tmpdir(), 'hintbench-hint-int-'));
  });
  afterAll(async () => {
    await t?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('%s stops --repeat 1000000 after the hint in progress: exit 130, every sample so far kept', async (sig) => {
    const child = spawn(process.execPath, [CLI, 'hint', '--pid', String(t.pid), '--advice', 'cold', '--repeat', String(REPEAT), '--no-probe', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    expect(await hinting(child.pid!)).toBe(true);
    process.kill(child.pid!, sig);
    expect(await exited).toBe(130);
    const r = JSON.parse(stdout) as HintJson;
    const m = new RegExp(`^interrupted by ${sig} after (\\d+) of ${REPEAT} hints$`).exec(r.error ?? '');
    expect(m, r.error ?? 'no error').not.toBeNull();
    expect(r.samplesNs).toHaveLength(Number(m![1]));
    expect(r.samplesNs.length).toBeGreaterThan(0);
    expect(r.samplesNs.length).toBeLessThan(REPEAT);
  });

  it('with the probe, SIGINT keeps the kernel-side figures of every hint delivered before the stop', async () => {
    const child = spawn(process.execPath, [CLI, 'hint', '--pid', String(t.pid), '--advice', 'cold', '--repeat', '100000', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    expect(await hinting(child.pid!)).toBe(true);
    process.kill(child.pid!, 'SIGINT');
    expect(await exited).toBe(130);
    const r = JSON.parse(stdout) as HintJson;
    expect(r.error).toMatch(/^interrupted by SIGINT after \d+ of 100000 hints$/);
    expect(r.kernelSamples).toBe(r.samplesNs.length);
    expect(r.warnings.filter((n) => n.startsWith('kernel-side'))).toEqual([]);
    expect(r.samplesNs.length).toBeGreaterThan(0);
    expect(r.kernelLatencyNs).toBeGreaterThan(0);
  });

  it('the parent dying (SIGKILL) stops it as well: no hintbench left running', async () => {
    const out = join(dir, 'orphan.json');
    const sh = spawn('sh', ['-c', `"${process.execPath}" "${CLI}" hint --pid ${t.pid} --advice cold --repeat ${REPEAT} --no-probe --json > "${out}" 2>/dev/null & echo $!; wait`], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const pid = await new Promise<number>((r) => sh.stdout!.once('data', (d: Buffer) => r(Number(d.toString().trim()))));
    expect(await hinting(pid)).toBe(true);
    sh.kill('SIGKILL');
    expect(await until(() => !running(pid), 60_000)).toBe(true);
    const r = JSON.parse(readFileSync(out, 'utf8')) as HintJson;
    expect(r.error).toMatch(new RegExp(`^interrupted by the exit of the parent process \\(pid ${sh.pid}\\) after (\\d+) of ${REPEAT} hints$`));
  });

  it('--repeat is bounded before anything starts: a clear one-line error, not a start', async () => {
    for (const [repeat, message] of [
      ['99999999999999999999', 'Error: --repeat 99999999999999999999 is too large: at most 1000000. Fix: pass --repeat 1000000 or less'],
      ['1000001', 'Error: --repeat 1000001 is too large: at most 1000000. Fix: pass --repeat 1000000 or less'],
      ['0', "Error: --repeat must be an integer >= 1, got '0'. Fix: pass e.g. --repeat 1"],
    ] as const) {
      const r = await cli(['hint', '--pid', String(t.pid), '--advice', 'cold', '--repeat', repeat]);
      expect(r.code, repeat).toBe(2); // a bad value on the command line
      expect(errorLines(r)).toEqual([message]);
    }
    // with the probe, the records it can keep bound --repeat: refused before bpftrace starts
    const most = PROBE_RECORDS_MAX - PROBE_RECORDS_SPARE;
    const r = await cli(['hint', '--pid', String(t.pid), '--advice', 'cold', '--ranges', t.range, '--repeat', String(most + 1)]);
    expect(r.code).toBe(1);
    expect(errorLines(r)).toEqual([
      `Error: --repeat ${most + 1} needs ${most + 1} probe records (1 hint syscall per hint), more than the probe keeps (${most}). Fix: use --repeat ${most} or less, or add --no-probe (no kernel-side latency or reclaimed pages)`,
    ]);
  });
});

describe.skipIf(!ready)('hintbench hint --repeat beyond the old probe map size', () => {
  let sleeper: ReturnType<typeof spawn>;
  beforeAll(() => {
    sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
  });
  afterAll(() => {
    sleeper?.kill('SIGKILL');
  });

  it('40000 hints keep kernel latency for every one (the map used to hold 32768 and the figures went null)', async () => {
    const r = await cli(['hint', '--pid', String(sleeper.pid), '--advice', 'cold', '--repeat', '40000', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as HintJson;
    expect(j.error).toBeNull();
    expect(j.samplesNs).toHaveLength(40_000);
    expect(j.kernelSamples).toBe(40_000);
    expect(j.kernelLatencyNs).toBeGreaterThan(0);
    expect(j.notes).toEqual([]);
    expect(j.warnings).toEqual([]);
  });
});
