/**
 * The probe session's control flow against a stand-in bpftrace (a shell script), so it runs
 * without root: ready detection, streamed events, final maps on SIGINT, the SIGTERM fallback,
 * early exit and start-up timeout errors.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { HintbenchError } from '../../../core/errors.ts';
import { startProbeSession } from '../../../bpf/session.ts';

const FAKE = fileURLToPath(new URL('../../fixtures/bpftrace/fake-bpftrace.sh', import.meta.url));
const gone = (pid: number): boolean => !existsSync(`/proc/${pid}`) || /\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

describe('startProbeSession with a stand-in bpftrace', () => {
  afterEach(() => {
    delete process.env.FAKE_MODE;
  });

  it('streams hints, and reads the final maps after SIGINT', async () => {
    process.env.FAKE_MODE = 'ok';
    const s = await startProbeSession({ scripts: ['hint-latency', 'refaults'], bpftracePath: FAKE });
    expect(s.attachedProbes).toBe(2); // the ready sentinel is not counted
    const hints = await s.waitForHints(43, 0, 2000, 1, 2000);
    expect(hints).toEqual([{ pid: 42, tid: 43, syscall: 'process_madvise', behavior: 21, enterNs: 1000, latencyNs: 50, reclaimedPages: 4, ret: 16384 }]);
    expect(s.snapshot().majorFaults).toEqual([]);
    const report = await s.stop();
    expect(report.majorFaults).toEqual([
      { pid: 42, comm: 'hbw-retouch', count: 7 },
      { pid: 42, comm: 'a,b', count: 1 },
    ]);
    expect(report.hints).toHaveLength(1);
    expect(report.warnings).toEqual([]);
    expect(gone(s.pid)).toBe(true);
  });

  it('falls back to SIGTERM when bpftrace ignores SIGINT, and says the maps are lost', async () => {
    process.env.FAKE_MODE = 'ignore-int';
    const s = await startProbeSession({ scripts: ['refaults'], bpftracePath: FAKE, stopTimeoutMs: 300 });
    const report = await s.stop();
    expect(report.warnings.some((w) => /did not exit within 300 ms of SIGINT.*maps are lost/.test(w))).toBe(true);
    expect(report.majorFaults).toEqual([]);
    expect(gone(s.pid)).toBe(true);
  });

  it('names the script and line when bpftrace exits before attaching', async () => {
    process.env.FAKE_MODE = 'exit-early';
    const err = await startProbeSession({ scripts: ['stall'], bpftracePath: FAKE }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HintbenchError);
    const msg = (err as HintbenchError).message;
    expect(msg).toMatch(/exited \(code 1\) before attaching the probes of stall/);
    expect(msg).toMatch(/bpf\/stall\.bt:1:1-10: ERROR: syntax error/); // line 3 of the joined program: after the 2 hoisted #defines
    expect(msg).not.toMatch(/RLIMIT_MEMLOCK/);
    expect((err as HintbenchError).fix).toMatch(/hintbench doctor/);
  });

  it('times out when the probes never report ready', async () => {
    process.env.FAKE_MODE = 'silent';
    const err = await startProbeSession({ scripts: ['refaults'], bpftracePath: FAKE, startTimeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HintbenchError);
    expect((err as HintbenchError).message).toMatch(/did not attach the probes of refaults within 300 ms/);
  });

  it('refuses an empty script list', async () => {
    await expect(startProbeSession({ scripts: [], bpftracePath: FAKE })).rejects.toThrow(/no probe script selected/);
  });
});
