/**
 * `npm run test:stress`: the integration tests once more while two CPU hogs keep both CPUs of
 * a small machine busy, so a test that only holds on an idle CPU fails here, not in someone
 * else's CI. The hogs are `stress-ng -c 2` when it is installed, else two tiny Node spin
 * loops. They run in their own process group, are killed by that group's id however the run
 * ends, and die with this process (PDEATHSIG, or a parent check in the built-in hog).
 *
 *   npm run test:stress                          # test/integration
 *   npm run test:stress -- test/integration/bpf  # other vitest arguments instead
 *
 * Exits with vitest's exit code; exits 1 when a hog died before the end (the run was then
 * not under load). Prints the hogs' CPU time so the log shows the load was real.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { statField } from '../core/proc/stat.ts';

const HOGS = 2;
/** stress-ng stops by itself after this long even if nothing kills it. */
const HOG_BACKSTOP_S = 3600;
const CLOCK_TICKS_PER_S = 100;
const root = fileURLToPath(new URL('..', import.meta.url));
const log = (line: string): void => {
  process.stderr.write(`[stress] ${line}\n`);
};

/** True when `cmd --version` runs. */
function have(cmd: string): boolean {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** A Node spin loop that exits when its parent is gone (it is then re-parented). */
const NODE_HOG = 'const p = process.ppid; for (;;) { for (let i = 0; i < 5e7; i++); if (process.ppid !== p) process.exit(0); }';

/** The hog processes: one process group whose leader this process started. */
interface Hogs {
  what: string;
  leader: ChildProcess;
  pgid: number;
  /** Set once the group is empty: its id must not be signalled again (it could be reused). */
  stopped: boolean;
}

function startHogs(): Hogs {
  const stressNg = have('stress-ng');
  const pdeath = have('setpriv') ? ['setpriv', '--pdeathsig', 'KILL'] : [];
  const [cmd, ...args] = stressNg
    ? [...pdeath, 'stress-ng', '--cpu', String(HOGS), '--timeout', `${HOG_BACKSTOP_S}s`, '--quiet']
    : [
        ...pdeath,
        process.execPath,
        '-e',
        `for (let i = 1; i < ${HOGS}; i++) require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(NODE_HOG)}], { stdio: 'ignore' }); ${NODE_HOG}`,
      ];
  const leader = spawn(cmd!, args, { detached: true, stdio: 'ignore' });
  if (leader.pid === undefined) throw new Error(`could not start the CPU hogs (${cmd})`);
  return { what: stressNg ? `stress-ng --cpu ${HOGS}` : `${HOGS} built-in Node spin loops`, leader, pgid: leader.pid, stopped: false };
}

/** Pids of the live processes in process group `pgid`. */
function groupPids(pgid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (statField(stat, 5) === pgid && !/\) Z /.test(stat)) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** CPU seconds (user + system) used so far by the processes of group `pgid`. */
function groupCpuSeconds(pgid: number): number {
  let ticks = 0;
  for (const pid of groupPids(pgid)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      ticks += statField(stat, 14) + statField(stat, 15);
    } catch {
      // gone meanwhile
    }
  }
  return ticks / CLOCK_TICKS_PER_S;
}

/** Kills the hogs' process group (SIGTERM, then SIGKILL) and waits until it is empty. */
async function stopHogs(h: Hogs): Promise<void> {
  if (h.stopped) return;
  const signalGroup = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-h.pgid, sig);
    } catch {
      // already gone
    }
  };
  signalGroup('SIGTERM');
  const leaderGone = h.leader.exitCode !== null || h.leader.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => h.leader.once('exit', () => r()));
  const timer = setTimeout(() => signalGroup('SIGKILL'), 5_000);
  await leaderGone;
  clearTimeout(timer);
  for (let i = 0; i < 100 && groupPids(h.pgid).length > 0; i++) {
    if (i === 50) signalGroup('SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
  }
  const left = groupPids(h.pgid);
  if (left.length > 0) log(`hog processes ${left.join(', ')} are still there after SIGKILL`);
  else h.stopped = true;
}

async function main(): Promise<number> {
  const vitestArgs = process.argv.slice(2);
  const hogs = startHogs();
  let vitest: ChildProcess | null = null;
  // Ctrl-C or SIGTERM: pass it on to vitest (which stops and restores the host), then the
  // normal end below stops the hogs.
  const onSignal = (sig: NodeJS.Signals): void => {
    if (vitest?.pid !== undefined && vitest.exitCode === null && vitest.signalCode === null) vitest.kill(sig);
    else void stopHogs(hogs).finally(() => process.exit(128 + (sig === 'SIGINT' ? 2 : 15)));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.once('exit', () => {
    if (hogs.stopped) return;
    try {
      process.kill(-hogs.pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  const startedAt = process.hrtime.bigint();
  try {
    log(`CPU hogs: ${hogs.what} (process group ${hogs.pgid}); running the integration tests under them`);
    // setpriv --pdeathsig: vitest gets SIGTERM if this process is killed outright
    const pdeath = have('setpriv') ? ['setpriv', '--pdeathsig', 'TERM'] : [];
    const [cmd, ...args] = [
      ...pdeath,
      process.execPath,
      fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url)),
      'run',
      '--config',
      'test/vitest.config.ts',
      ...(vitestArgs.length > 0 ? vitestArgs : ['--project', 'integration']),
    ];
    const child = spawn(cmd!, args, { cwd: root, stdio: 'inherit' });
    vitest = child;
    const code = await new Promise<number>((resolve) => child.once('exit', (c, sig) => resolve(c ?? (sig === 'SIGINT' ? 130 : 143))));
    const wallS = Number(process.hrtime.bigint() - startedAt) / 1e9;
    const cpuS = groupCpuSeconds(hogs.pgid);
    const alive = groupPids(hogs.pgid).length;
    log(
      `tests exited ${code} after ${wallS.toFixed(1)} s; the hogs used ${cpuS.toFixed(1)} CPU-s (${(cpuS / wallS).toFixed(2)} CPUs on average), ${alive} hog process(es) still running`,
    );
    if (alive === 0 || hogs.leader.exitCode !== null) {
      log('the CPU hogs died before the tests ended: this was not a run under load');
      return code === 0 ? 1 : code;
    }
    return code;
  } finally {
    await stopHogs(hogs);
  }
}

process.exitCode = await main();
