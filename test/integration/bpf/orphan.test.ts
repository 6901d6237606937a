/** A bpftrace child never outlives the Node process that started it, however that process ends. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { canRun } from '../../helpers/prereq.ts';

const run = canRun('bpf session cleanup', { root: true, bpftrace: true, tracefs: true });
const SESSION = new URL('../../../bpf/session.ts', import.meta.url).href;

async function startOwner(how: string): Promise<{ bpftracePid: number; exited: Promise<unknown>; kill: (s: NodeJS.Signals) => void }> {
  const code = `import { startProbeSession } from ${JSON.stringify(SESSION)};
const s = await startProbeSession({ scripts: ['refaults'] });
console.log(s.pid);
${how}`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'], cwd: new URL('../../..', import.meta.url).pathname });
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
});
