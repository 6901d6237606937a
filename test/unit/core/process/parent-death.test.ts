/**
 * The parent-death guard (core/process/parent-death.ts) on real processes, without root: the
 * guarded command keeps its pid, dies when its starter is SIGKILLed, and never runs when
 * the starter is not its parent any more (the fork-to-prctl race).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { GUARD_PARENT_GONE_EXIT, pdeathsigSetpriv, withParentDeathSignal } from '../../../../core/process/parent-death.ts';
import { canUse } from '../../../helpers/prereq.ts';

const MODULE = new URL('../../../../core/process/parent-death.ts', import.meta.url).href;
const REPO = fileURLToPath(new URL('../../../..', import.meta.url));
const have = canUse('setpriv --pdeathsig (util-linux 2.33+)', pdeathsigSetpriv() !== null, 'apt-get install -y util-linux');

/** comm and parent pid of a live (non-zombie) process, or null. */
function proc(pid: number): { comm: string; ppid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const [state, ppid] = stat.slice(close + 2).split(' ');
    if (state === 'Z') return null;
    return { comm: stat.slice(stat.indexOf('(') + 1, close), ppid: Number(ppid) };
  } catch {
    return null;
  }
}

async function waitFor(pred: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pred()) return true;
    await sleep(10);
  }
  return pred();
}

describe.skipIf(!have)('withParentDeathSignal', () => {
  it('marks the command as guarded and keeps its arguments last', () => {
    const c = withParentDeathSignal('/bin/echo', ['a b', '$HOME']);
    expect(c.guarded).toBe(true);
    expect(c.args.slice(0, 3)).toEqual(['--pdeathsig', 'SIGKILL', '--']);
    expect(c.args.slice(-3)).toEqual(['/bin/echo', 'a b', '$HOME']);
    const r = spawnSync(c.file, c.args, { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('a b $HOME\n'); // no shell expansion of the command's arguments
  });

  it('does not run the command when the starter is no longer its parent', () => {
    const c = withParentDeathSignal('/bin/echo', ['ran'], 1); // as if the starter had died and init adopted the child
    const r = spawnSync(c.file, c.args, { encoding: 'utf8' });
    expect(r.status).toBe(GUARD_PARENT_GONE_EXIT);
    expect(r.stdout).toBe('');
  });

  it('kills the command when its starter is SIGKILLed, keeping one pid through the wrapper', async () => {
    const code = `import { spawn } from 'node:child_process';
import { withParentDeathSignal } from ${JSON.stringify(MODULE)};
const c = withParentDeathSignal('/bin/sleep', ['1000']);
const child = spawn(c.file, c.args, { stdio: 'ignore' });
process.stdout.write(child.pid + '\\n');
setInterval(() => {}, 1000);`;
    const starter = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'], cwd: REPO });
    const exited = new Promise((resolve) => starter.once('exit', resolve));
    const pid = await new Promise<number>((resolve, reject) => {
      starter.stdout.setEncoding('utf8');
      starter.stdout.once('data', (s: string) => resolve(Number(s.trim())));
      starter.once('exit', () => reject(new Error('starter exited early')));
    });
    try {
      // Through setpriv and the guard shell the same pid ends up running sleep.
      expect(await waitFor(() => proc(pid)?.comm === 'sleep', 20_000)).toBe(true);
      expect(proc(pid)?.ppid).toBe(starter.pid);
      starter.kill('SIGKILL');
      await exited;
      expect(await waitFor(() => proc(pid) === null, 20_000), `sleep ${pid} outlived its SIGKILLed starter`).toBe(true);
    } finally {
      starter.kill('SIGKILL');
      if (proc(pid)?.comm === 'sleep') process.kill(pid, 'SIGKILL');
    }
  });
});
