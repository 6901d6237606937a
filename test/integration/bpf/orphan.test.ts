/**
 * A bpftrace child never outlives the Node process that started it, however that process
 * ends: process.exit(), SIGTERM, and SIGKILL at random instants of the probe start-up and
 * after it (test/kill/probe-sigkill.ts runs the same trial many more times).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { canRun } from '../../helpers/prereq.ts';
import { reapOrphans, runProbeKillTrial, type ProbeKillTrial } from '../../kill/probe-trials.ts';

const run = canRun('bpf session cleanup', { root: true, bpftrace: true, tracefs: true });
const SESSION = new URL('../../../bpf/session.ts', import.meta.url).href;

async function startOwner(how: string): Promise<{ bpftracePid: number; exited: Promise<unknown>; kill: (s: NodeJS.Signals) => void }> {
  const code = `import { startProbeSession } from ${JSON.stringify(SESSION)};
const s = await startProbeSession({ scripts: ['refaults'] });
console.log(s.pid);
${how}`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: new URL('../../..', import.meta.url).pathname,
  });
  const exited = once(child, 'exit');
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  return { bpftracePid: Number(chunk.toString().trim()), exited, kill: (sig) => child.kill(sig) };
}

/** Polls until `pid` has gone, up to 30 s (exit and reaping take longer on a loaded machine). */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 300; i++) {
    if (!existsSync(`/proc/${pid}`)) return true;
    await sleep(100);
  }
  return false;
}

describe.skipIf(!run)('bpftrace cleanup', () => {
  it('kills bpftrace when the owner calls process.exit() without stop()', async () => {
    const owner = await startOwner('process.exit(0);');
    expect(owner.bpftracePid).toBeGreaterThan(0);
    await owner.exited;
    expect(await gone(owner.bpftracePid)).toBe(true);
  });

  it('kills bpftrace when the owner is terminated by SIGTERM', async () => {
    const owner = await startOwner('setInterval(() => {}, 1000);');
    expect(existsSync(`/proc/${owner.bpftracePid}`)).toBe(true);
    owner.kill('SIGTERM');
    await owner.exited;
    expect(await gone(owner.bpftracePid)).toBe(true);
  });

  it(
    'leaves no bpftrace when the owner is SIGKILLed at random instants, start-up included',
    async () => {
      // bpftrace attaches ~50 ms after the owner's "starting" line here: 8 kills in the first
      // 120 ms after it (spawn, exec, attach), 4 at random instants after "attached".
      const plan = [
        ...Array.from({ length: 8 }, () => ({ killDelayMs: Math.round(Math.random() * 120), from: 'starting' as const })),
        ...Array.from({ length: 4 }, () => ({ killDelayMs: Math.round(Math.random() * 300), from: 'attached' as const })),
      ];
      const trials: ProbeKillTrial[] = [];
      for (const p of plan) {
        const t = await runProbeKillTrial({ ...p, graceMs: 20_000 });
        trials.push(t);
        await reapOrphans(t.orphans);
      }
      const left = trials.filter((t) => t.orphans.length > 0).map((t) => `kill at ${t.killDelayMs} ms (${t.phase}): ${t.orphans.map((o) => `${o.pid} ${o.comm}`).join(', ')}`);
      expect(left, 'processes still running 20 s after their owner was SIGKILLed').toEqual([]);
      expect(trials.filter((t) => t.phase === 'after-attach').length).toBeGreaterThanOrEqual(4);
    },
    12 * 30_000 + 60_000,
  ); // room for every trial to reach its 20 s grace and 10 s reaping, so a leak fails here rather than by timeout
});
