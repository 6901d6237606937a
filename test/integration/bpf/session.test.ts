/**
 * The probe session's life cycle on the real bpftrace: start-up with every script, clean
 * stop with final maps, failures that name the script and the fix, abort, and no bpftrace
 * child left behind.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HintbenchError } from '../../../core/errors.ts';
import { PROBE_SCRIPTS, missingProbeTracepoints, startProbeSession } from '../../../bpf/session.ts';
import { readBpftraceVersion } from '../../../bpf/version.ts';
import { canRun } from '../../helpers/prereq.ts';

const run = canRun('bpf probe session', { root: true, bpftrace: true, tracefs: true });
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(!run)('probe session', () => {
  it('reports the installed bpftrace version and finds every tracepoint', async () => {
    expect(await readBpftraceVersion()).toMatch(/^\d+\.\d+(\.\d+)?$/);
    expect(await readBpftraceVersion('/nonexistent/bpftrace')).toBeNull();
    expect(missingProbeTracepoints()).toEqual([]);
    expect(missingProbeTracepoints(PROBE_SCRIPTS, '/nonexistent-root')).toBeNull();
  });

  it('starts all scripts, stops cleanly and leaves no bpftrace behind', async () => {
    const session = await startProbeSession({ scripts: [...PROBE_SCRIPTS] });
    process.stderr.write(`[bpf] start-up with all ${PROBE_SCRIPTS.length} scripts: ${session.startupMs.toFixed(0)} ms to attach ${session.attachedProbes} probes\n`);
    expect(session.attachedProbes).toBeGreaterThanOrEqual(9);
    expect(alive(session.pid)).toBe(true);
    const report = await session.stop();
    expect(alive(session.pid)).toBe(false);
    expect(await session.stop()).toBe(report);
    expect(report.warnings).toEqual([]);
  });

  it('fails with the script and the fix when bpftrace is missing', async () => {
    const err = await startProbeSession({ scripts: ['refaults'], bpftracePath: '/nonexistent/bpftrace' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HintbenchError);
    expect((err as HintbenchError).message).toMatch(/not found.*refaults/);
    expect((err as HintbenchError).fix).toMatch(/apt-get install -y bpftrace/);
  });

  it('fails with bpftrace stderr when bpftrace exits before attaching', async () => {
    const err = await startProbeSession({ scripts: ['stall'], bpftracePath: '/bin/false' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HintbenchError);
    expect((err as HintbenchError).message).toMatch(/exited \(code 1\) before attaching the probes of stall/);
  });

  it('times out, kills bpftrace and says so', async () => {
    const before = new Set(bpftracePids());
    const err = await startProbeSession({ scripts: ['hint-latency'], startTimeoutMs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HintbenchError);
    expect((err as HintbenchError).message).toMatch(/did not attach the probes of hint-latency within 1 ms/);
    expect(bpftracePids().filter((p) => !before.has(p))).toEqual([]);
  });

  it('rejects with the abort reason when aborted during start-up', async () => {
    const ac = new AbortController();
    const reason = new Error('cancelled by test');
    setTimeout(() => ac.abort(reason), 20);
    await expect(startProbeSession({ scripts: ['refaults'], signal: ac.signal })).rejects.toBe(reason);
  });
});

/** Pids of running bpftrace processes that are children of this process. */
function bpftracePids(): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (comm === 'bpftrace' && ppid === process.pid) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}
