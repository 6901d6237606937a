/**
 * SIGKILL trials against a process that holds a probe session: an owner process starts
 * bpftrace through bpf/session.ts and is SIGKILLed at a random instant (before, during or
 * after the probe start-up); then every process that belongs to it is looked for until none
 * is left or the grace period passes. Used by test/integration/bpf/orphan.test.ts and by
 * test/kill/probe-sigkill.ts (the many-trial measurement).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const SESSION = new URL('../../bpf/session.ts', import.meta.url).href;
const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Outcome of one trial. */
export interface ProbeKillTrial {
  /** Delay between the owner's "starting" (or "attached") line and its SIGKILL, in ms. */
  killDelayMs: number;
  /** Whether the probes were attached (owner printed "attached") before the kill. */
  phase: 'before-attach' | 'after-attach';
  /** Pid of the owner that was killed. */
  ownerPid: number;
  /** Processes of the owner (bpftrace, its wrapper, a fork not yet exec'd) seen right after the owner was reaped. */
  seenAfterKill: number;
  /** Processes still alive when the grace period ended: orphans. */
  orphans: Array<{ pid: number; comm: string }>;
  /** Time until no process of the owner was left, in ms (the grace period when orphans remain). */
  goneAfterMs: number;
}

/** Pids whose command line contains one of `needles` (zombies have none and are not listed). */
export function processesMatching(needles: readonly string[]): Array<{ pid: number; comm: string }> {
  const out: Array<{ pid: number; comm: string }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let cmdline: string;
    let comm = '?';
    try {
      cmdline = readFileSync(`/proc/${name}/cmdline`, 'latin1');
      comm = readFileSync(`/proc/${name}/comm`, 'utf8').trim();
    } catch {
      continue; // exited meanwhile
    }
    if (needles.some((n) => cmdline.includes(n))) out.push({ pid: Number(name), comm });
  }
  return out;
}

/**
 * Runs one trial: the owner starts a probe session with `scripts`, prints "starting" just
 * before startProbeSession() and "attached <pid>" after; it is SIGKILLed `killDelayMs` after
 * "starting". Processes of the owner are recognised by a marker in its argv (a fork not yet
 * exec'd carries it) and by the ready sentinel `pid == <owner>` in bpftrace's program text.
 */
export async function runProbeKillTrial(opts: {
  killDelayMs: number;
  graceMs: number;
  scripts?: string[];
  /** Count the delay from the "starting" line (default) or from "attached". */
  from?: 'starting' | 'attached';
}): Promise<ProbeKillTrial> {
  const marker = `hb-kill-trial-${randomBytes(6).toString('hex')}`;
  const code = `import { startProbeSession } from ${JSON.stringify(SESSION)};
process.stdout.write('starting\\n');
const s = await startProbeSession({ scripts: ${JSON.stringify(opts.scripts ?? ['refaults'])} });
process.stdout.write('attached ' + s.pid + '\\n');
setInterval(() => {}, 1000);`;
  const owner = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code, marker], { stdio: ['ignore', 'pipe', 'inherit'], cwd: REPO });
  const ownerPid = owner.pid ?? -1;
  const exited = new Promise<void>((resolve) => owner.once('exit', () => resolve()));
  let attached = false;
  const wanted = opts.from === 'attached' ? 'attached ' : 'starting\n';
  const started = new Promise<void>((resolve, reject) => {
    let buf = '';
    owner.stdout.setEncoding('utf8');
    owner.stdout.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.includes('attached ')) attached = true;
      if (buf.includes(wanted)) resolve();
    });
    void exited.then(() => reject(new Error(`owner ${ownerPid} exited before printing ${JSON.stringify(wanted.trim())}`)));
  });
  await started;
  await sleep(opts.killDelayMs);
  const phase = attached ? 'after-attach' : 'before-attach';
  owner.kill('SIGKILL');
  await exited;
  const needles = [marker, `/pid == ${ownerPid}/`];
  const seenAfterKill = processesMatching(needles).length;
  const t0 = Date.now();
  let left = processesMatching(needles);
  while (left.length > 0 && Date.now() - t0 < opts.graceMs) {
    await sleep(50);
    left = processesMatching(needles);
  }
  return { killDelayMs: opts.killDelayMs, phase, ownerPid, seenAfterKill, orphans: left, goneAfterMs: Date.now() - t0 };
}

/** Ends orphans a trial left (SIGINT first, so bpftrace detaches cleanly, then SIGKILL). */
export async function reapOrphans(orphans: ReadonlyArray<{ pid: number }>): Promise<void> {
  for (const o of orphans) {
    try {
      process.kill(o.pid, 'SIGINT');
    } catch {
      /* gone */
    }
  }
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && orphans.some((o) => alive(o.pid))) await sleep(50);
  for (const o of orphans) {
    try {
      process.kill(o.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}
