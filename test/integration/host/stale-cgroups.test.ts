/**
 * A runner SIGKILLed while its workload is frozen leaves a frozen `hintbench-*` cgroup (on the
 * v1 freezer the workload stays in it, frozen, its parent-death SIGKILL pending; on cgroup2
 * the SIGKILL goes through and the cgroup is left frozen and empty). The doctor reports it
 * with its tasks, and teardown or setup (the start of every run) thaw it, move the tasks out
 * and remove it, while the cgroups of live runners are left alone. Real cgroups, both freezers
 * where mounted.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { thawMoveRemove } from '../../../core/cgroup/freezer.ts';
import { readCgroupMounts } from '../../../core/cgroup/mounts.ts';
import { runDoctor } from '../../../bench/host/doctor.ts';
import { readProcStat } from '../../../core/proc/stat.ts';
import { setupHost, teardownHost } from '../../../bench/host/setup.ts';
import { listHintbenchCgroups, parseCgroupName, removeStaleCgroups } from '../../../bench/host/stale-cgroups.ts';
import { canRun, canUse } from '../../helpers/prereq.ts';
import { startScriptRunner } from '../../helpers/script-runner.ts';

const run = canRun('stale cgroup cleanup', { root: true });
const mounts = readCgroupMounts();
const REPO = new URL('../../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'hintbench-stale-'));
/** Cgroups made here and the workloads frozen in them (pid null when unknown), cleaned up whatever happens. */
const made: Array<{ version: 'v1' | 'v2'; dir: string; pid: number | null }> = [];

afterAll(async () => {
  for (const m of made) {
    if (existsSync(m.dir)) await thawMoveRemove(m).catch(() => undefined);
    if (m.pid !== null && m.pid > 0) {
      try {
        process.kill(m.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

/** A runner that spawns a 32 MiB workload, freezes it with freezeProcess() and waits to be killed. */
async function startFreezingRunner(version: 'v1' | 'v2'): Promise<{ runnerPid: number; workloadPid: number; cgroup: string; kill: () => Promise<void> }> {
  const code = `import { spawnWorkload } from ${JSON.stringify(new URL('../../../workloads/client.ts', import.meta.url).href)};
import { freezeProcess } from ${JSON.stringify(new URL('../../../bench/runner/freeze.ts', import.meta.url).href)};
import { readStatus } from ${JSON.stringify(new URL('../../../core/proc/status.ts', import.meta.url).href)};
const w = await spawnWorkload({ kind: 'anon', content: 'random', sizeMiB: 32, vmas: 1 });
while (readStatus(w.pid).state !== 'S') await new Promise((r) => setTimeout(r, 5));
const cg = await freezeProcess(w.pid, { version: ${JSON.stringify(version)}, timeoutMs: 30000 });
process.stdout.write(JSON.stringify({ pid: w.pid, dir: cg.dir }) + '\\n');
setInterval(() => {}, 1000);`;
  const runner = await startScriptRunner(code, 'runner');
  const { pid, dir: cgroup } = JSON.parse(runner.firstLine) as { pid: number; dir: string };
  made.push({ version, dir: cgroup, pid });
  return { runnerPid: runner.pid, workloadPid: pid, cgroup, kill: runner.kill };
}

async function waitFor(pred: () => boolean, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pred()) return true;
    await sleep(10);
  }
  return pred();
}

const alive = (pid: number): boolean => {
  const s = readProcStat(pid);
  return s !== null && s.state !== 'Z';
};

describe.skipIf(!run)('stale hintbench cgroups', () => {
  for (const version of ['v1', 'v2'] as const) {
    const mounted = version === 'v1' ? mounts.v1Freezer !== null : mounts.v2 !== null;
    const have = run && canUse(`cgroup ${version} freezer`, mounted, version === 'v1' ? 'mount the v1 freezer hierarchy' : 'mount cgroup2');
    it.skipIf(!have)(`${version}: reported by the doctor after the runner is SIGKILLed, then thawed and removed by ${version === 'v1' ? 'teardown' : 'setup'}`, async () => {
      const r = await startFreezingRunner(version);
      expect(parseCgroupName(r.cgroup.slice(r.cgroup.lastIndexOf('/') + 1))).toMatchObject({ ownerPid: r.runnerPid, targetPid: r.workloadPid });
      // In use while the runner lives: neither reported nor removed.
      await removeStaleCgroups();
      expect(existsSync(r.cgroup)).toBe(true);
      expect(listHintbenchCgroups().find((c) => c.dir === r.cgroup)).toMatchObject({ ownerAlive: true, frozen: true });
      expect((await runDoctor()).checks.find((c) => c.id === 'stale-cgroups')?.detail).not.toContain(r.cgroup);

      await r.kill();
      let heldRss = '';
      if (version === 'v1') {
        // The v1 freezer holds the workload with its parent-death SIGKILL pending: it stays, frozen.
        expect(alive(r.workloadPid)).toBe(true);
        heldRss = / (\d+ kB)/.exec(/^VmRSS:.*$/m.exec(readFileSync(`/proc/${r.workloadPid}/status`, 'utf8'))?.[0] ?? '')?.[1] ?? '?';
      } else {
        expect(await waitFor(() => !alive(r.workloadPid)), 'cgroup2 lets SIGKILL through a freeze').toBe(true);
      }
      const stale = listHintbenchCgroups().find((c) => c.dir === r.cgroup);
      expect(stale).toMatchObject({ version, ownerAlive: false, frozen: true });
      const doctor = (await runDoctor()).checks.find((c) => c.id === 'stale-cgroups');
      expect(doctor?.status).toBe('warn');
      expect(doctor?.detail).toContain(`${r.cgroup} (${version}, frozen, owner pid ${r.runnerPid} dead)`);
      if (version === 'v1') expect(doctor?.detail).toMatch(new RegExp(`holds pid ${r.workloadPid} \\S+ \\(D\\)`)); // comm is the workload's thread name

      const lines: string[] = [];
      const t0 = performance.now();
      if (version === 'v1') await teardownHost({ statePath: join(dir, 'v1.json'), log: (l) => lines.push(l) });
      else await setupHost({ statePath: join(dir, 'v2.json'), log: (l) => lines.push(l) });
      const cleanupMs = performance.now() - t0;
      const line = lines.find((l) => l.includes(r.cgroup));
      expect(line).toMatch(new RegExp(`^removed stale cgroup ${r.cgroup} of dead pid ${r.runnerPid} \\(thawed it`));
      expect(existsSync(r.cgroup)).toBe(false);
      // Thawed, the v1 workload receives its pending SIGKILL.
      expect(await waitFor(() => !alive(r.workloadPid)), `workload ${r.workloadPid} still alive after the thaw`).toBe(true);
      expect((await runDoctor()).checks.find((c) => c.id === 'stale-cgroups')?.detail).not.toContain(r.cgroup);
      process.stderr.write(
        `stale-cgroups ${version}: ${line} in ${cleanupMs.toFixed(0)} ms (${version === 'v1' ? 'teardown' : 'setup'}, including its other steps)${heldRss === '' ? '' : `; the frozen workload held ${heldRss} RSS until then`}\n`,
      );
    });
  }

  it('a runner exiting with its workload still frozen (no leaveState) thaws it and removes the cgroup on the way out', async () => {
    const code = `import { spawnWorkload } from ${JSON.stringify(new URL('../../../workloads/client.ts', import.meta.url).href)};
import { enterState } from ${JSON.stringify(new URL('../../../bench/runner/target-state.ts', import.meta.url).href)};
import { listHintbenchCgroups } from ${JSON.stringify(new URL('../../../bench/host/stale-cgroups.ts', import.meta.url).href)};
const w = await spawnWorkload({ kind: 'anon', content: 'zero', sizeMiB: 4, vmas: 1 });
await enterState(w, 'frozen');
const cg = listHintbenchCgroups().find((c) => c.owner.ownerPid === process.pid);
process.stdout.write(JSON.stringify({ pid: w.pid, dir: cg?.dir ?? null, frozen: cg?.frozen ?? false }) + '\\n');
process.exit(3);`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', cwd: REPO, timeout: 60_000 });
    expect(r.status, r.stderr).toBe(3);
    const out = JSON.parse(r.stdout) as { pid: number; dir: string | null; frozen: boolean };
    expect(out.dir).not.toBeNull();
    expect(out.frozen).toBe(true);
    made.push({ version: out.dir!.startsWith(mounts.v1Freezer ?? '\0') ? 'v1' : 'v2', dir: out.dir!, pid: out.pid });
    expect(existsSync(out.dir!), `${out.dir} left behind`).toBe(false);
    // Thawed and back home, the workload dies with its runner.
    expect(await waitFor(() => !alive(out.pid))).toBe(true);
  });

  it('through the CLI: a `hintbench run` SIGKILLed in a frozen scenario, then `doctor` and `teardown`', async () => {
    const CLI = new URL('../../../bench/hintbench.js', import.meta.url).pathname;
    const env = { ...process.env, HINTBENCH_HOST_STATE: join(dir, 'cli.json') };
    const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000, env });
    const suite = join(dir, 'frozen.json');
    writeFileSync(
      suite,
      JSON.stringify({
        name: 'frozen-kill',
        mechanisms: ['process_madvise'],
        advices: ['pageout'],
        memories: [{ sizeMiB: 64, content: 'random' }],
        targetStates: ['frozen'],
        baseline: false,
        repetitions: 200,
      }),
    );
    // Kill the run as soon as one of its cgroups is frozen; a kill that lands just after the
    // cgroup was thawed and removed leaves nothing to find, and the run is tried again.
    let left: { cgroup: string; runPid: number } | null = null;
    let attempts = 0;
    while (left === null && attempts < 5) {
      attempts++;
      const runner = spawn(process.execPath, [CLI, 'run', '--no-setup', '--suite', suite, '--out', join(dir, `out-${attempts}`)], { stdio: 'ignore', env });
      const exited = new Promise<void>((resolve) => runner.once('exit', () => resolve()));
      let ended = false;
      void exited.then(() => {
        ended = true;
      });
      let seen: string | undefined;
      while (!ended && seen === undefined) {
        seen = listHintbenchCgroups().find((c) => c.owner.ownerPid === runner.pid && c.frozen)?.dir;
        if (seen === undefined) await sleep(2);
      }
      runner.kill('SIGKILL');
      await exited;
      if (seen !== undefined && existsSync(seen)) {
        left = { cgroup: seen, runPid: runner.pid! };
        made.push({ version: seen.startsWith(mounts.v1Freezer ?? '\0') ? 'v1' : 'v2', dir: seen, pid: null });
      }
    }
    expect(left, `no cgroup left after ${attempts} killed runs`).not.toBeNull();
    const doctor = cli(['doctor', '--json']);
    const check = (JSON.parse(doctor.stdout) as { checks: Array<{ id: string; status: string; detail: string }> }).checks.find((c) => c.id === 'stale-cgroups');
    expect(check?.status).toBe('warn');
    expect(check?.detail).toMatch(new RegExp(`${left!.cgroup} \\(v[12], frozen, `));
    expect(check?.detail).toContain(`owner pid ${left!.runPid} dead`);
    const teardown = cli(['teardown']);
    expect(teardown.status, teardown.stderr).toBe(0);
    expect(teardown.stdout).toContain(`removed stale cgroup ${left!.cgroup} of dead pid ${left!.runPid}`);
    expect(existsSync(left!.cgroup)).toBe(false);
    process.stderr.write(`stale-cgroups cli: run killed with ${left!.cgroup} in place after ${attempts} attempt(s); teardown: ${teardown.stdout.trim()}\n`);
  });
});
