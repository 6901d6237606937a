/**
 * SIGKILLs whole `hintbench run`s at random instants and counts what outlives them: bpftrace
 * (recognised by the ready sentinel `pid == <run pid>` in its program), workloads and ptrace
 * tracers started from this checkout (their command lines name its files), and hintbench
 * cgroups owned by the run. Processes are given --grace-ms to go (parent-death signals act
 * at once; the ptrace tracer may finish an injection first). Cgroups a kill leaves are by
 * design (a SIGKILLed runner cannot remove them); the script then checks that the stale-cgroup
 * cleanup removes every one of them. Needs root, bpftrace, swap; run it under the
 * integration lock:
 *
 *   flock /tmp/hb-integration.lock node --import tsx test/kill/run-sigkill.ts [--trials 30] [--max-delay-ms 8000] [--json out.json] [--repo DIR]
 *
 * Prints one line and, with --json, writes every trial. Exit code 1 when a process outlived
 * its run or a cgroup was not cleaned up.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { listHintbenchCgroups, removeStaleCgroups } from '../../bench/host/stale-cgroups.ts';
import { processesMatching, reapOrphans } from './probe-trials.ts';

const { values } = parseArgs({
  options: {
    /** Checkout whose CLI is run (default this one), e.g. an export of an older commit to compare. */
    repo: { type: 'string', default: fileURLToPath(new URL('../..', import.meta.url)) },
    trials: { type: 'string', default: '30' },
    'max-delay-ms': { type: 'string', default: '8000' },
    'grace-ms': { type: 'string', default: '20000' },
    json: { type: 'string' },
  },
});
const REPO = values.repo;
const CLI = join(REPO, 'bench/hintbench.js');
const trials = Number(values.trials);
const maxDelayMs = Number(values['max-delay-ms']);
const graceMs = Number(values['grace-ms']);

const work = mkdtempSync(join(tmpdir(), 'hintbench-run-kill-'));
const suite = join(work, 'suite.json');
writeFileSync(
  suite,
  JSON.stringify({
    name: 'kill-trial',
    mechanisms: ['process_madvise', 'ptrace'],
    advices: ['pageout'],
    memories: [{ sizeMiB: 16, content: 'random' }],
    targetStates: ['sleeping', 'frozen'],
    baseline: false,
    repetitions: 3,
  }),
);

interface Trial {
  killDelayMs: number;
  runPid: number;
  /** The run had finished on its own before the kill. */
  finished: boolean;
  /** Processes of the run seen right after it was reaped. */
  seenAfterKill: number;
  orphans: Array<{ pid: number; comm: string }>;
  cgroupsLeft: string[];
  cgroupsRemoved: number;
}

const results: Trial[] = [];
for (let i = 0; i < trials; i++) {
  const killDelayMs = Math.round(Math.random() * maxDelayMs);
  const run = spawn(process.execPath, [CLI, 'run', '--no-setup', '--suite', suite, '--out', join(work, `out-${i}`)], {
    stdio: 'ignore',
    env: { ...process.env, HINTBENCH_HOST_STATE: join(work, 'state.json') },
  });
  const runPid = run.pid ?? -1;
  let finished = false;
  const exited = new Promise<void>((resolve) =>
    run.once('exit', () => {
      finished = true;
      resolve();
    }),
  );
  await Promise.race([sleep(killDelayMs), exited]);
  const finishedBefore = finished;
  run.kill('SIGKILL');
  await exited;
  const needles = [`/pid == ${runPid}/`, join(REPO, 'workloads/'), join(REPO, 'bench/mechanisms/ptrace/tracer-main.ts')];
  const seenAfterKill = processesMatching(needles).length;
  const t0 = Date.now();
  let left = processesMatching(needles);
  while (left.length > 0 && Date.now() - t0 < graceMs) {
    await sleep(50);
    left = processesMatching(needles);
  }
  const cgroupsLeft = listHintbenchCgroups()
    .filter((c) => c.owner.ownerPid === runPid)
    .map((c) => c.dir);
  const cleanup = cgroupsLeft.length > 0 ? await removeStaleCgroups() : { removed: [], failures: [] };
  const cgroupsRemoved = cleanup.removed.filter((l) => cgroupsLeft.some((d) => l.includes(d))).length;
  const t: Trial = { killDelayMs, runPid, finished: finishedBefore, seenAfterKill, orphans: left, cgroupsLeft, cgroupsRemoved };
  results.push(t);
  process.stderr.write(
    `trial ${i + 1}/${trials}: kill at ${killDelayMs} ms${finishedBefore ? ' (run had finished)' : ''}, ${seenAfterKill} process(es) after the kill, ${left.length} orphan(s)${left.length > 0 ? ` ${left.map((o) => `${o.pid}:${o.comm}`).join(',')}` : ''}, ${cgroupsLeft.length} cgroup(s) left, ${cgroupsRemoved} removed by the cleanup\n`,
  );
  if (left.length > 0) await reapOrphans(left);
}
rmSync(work, { recursive: true, force: true });

const orphans = results.reduce((n, t) => n + t.orphans.length, 0);
const orphanTrials = results.filter((t) => t.orphans.length > 0).length;
const cgroupsLeft = results.reduce((n, t) => n + t.cgroupsLeft.length, 0);
const cgroupsRemoved = results.reduce((n, t) => n + t.cgroupsRemoved, 0);
const killedMidRun = results.filter((t) => !t.finished).length;
const summary = { trials, maxDelayMs, graceMs, killedMidRun, orphans, orphanTrials, cgroupsLeft, cgroupsRemoved };
if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify({ summary, results }, null, 2)}\n`);
process.stdout.write(
  `run-sigkill: ${orphans} orphan process(es) in ${orphanTrials} of ${trials} trials (${killedMidRun} killed mid-run); ${cgroupsLeft} cgroup(s) left by kills, ${cgroupsRemoved} removed by the stale-cgroup cleanup\n`,
);
process.exitCode = orphans > 0 || cgroupsRemoved < cgroupsLeft ? 1 : 0;
