/**
 * Interrupt storm: starts `hintbench run` again and again and interrupts each run at a random
 * instant, with SIGINT (Ctrl-C) or SIGKILL, sent to the runner alone or to its whole process
 * group. After every trial it checks what the runner left behind:
 *
 * - no process of the run outlives it (workloads, the ptrace tracer, bpftrace): this script
 *   makes itself a child subreaper (PR_SET_CHILD_SUBREAPER), so every orphan of the run is
 *   re-parented to it and found, however short-lived its parent was;
 * - no `hintbench-<runner pid>-*` cgroup is left (v1 freezer or cgroup2) after SIGINT; after
 *   SIGKILL the runner cannot remove its cgroup, so one may stay, but never with a task in it,
 *   and a later run must remove it: a final uninterrupted run ends the storm, after which no
 *   cgroup of any of the storm's runs may exist;
 * - no task of the run is left stopped or traced;
 * - results.json, when it exists, is valid JSON that passes the schema check;
 * - every repetition the run printed as finished is in results.json;
 * - SIGINT ends the run with exit code 130 and one `Error: interrupted by SIGINT` line.
 *
 * What a trial leaves (orphans, cgroups) is counted, then cleaned up so the next trial starts
 * clean. Needs root, bpftrace, swap and tracefs (the host prepared, runs use --no-setup).
 *
 *   node --import tsx test/interrupt-storm.ts [--trials 30] [--suite FILE] [--seed N] [--json PATH]
 *
 * Prints one summary line and writes every trial's findings as JSON (default
 * results/benchmarks/interrupt-storm.json). Exits 0 when every trial passed, 1 otherwise.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { writeBenchmark } from '../bench/benchmarks/output.ts';
import { isRoot } from '../core/process/privileges.ts';
import { mulberry32 } from '../core/stats/random.ts';
import { setChildSubreaper } from '../core/sys/prctl.ts';
import { WNOHANG, waitpid } from '../core/sys/wait.ts';
import { validateRunResult } from '../reports/json.ts';
import { descendants, readProcs, stillAlive, type Proc } from './helpers/proc-tree.ts';

const CLI = fileURLToPath(new URL('../bench/hintbench.js', import.meta.url));
const DEFAULT_SUITE = fileURLToPath(new URL('./fixtures/suites/storm.json', import.meta.url));
/** Longest wait for a runner to exit after SIGINT before it counts as hung, ms. */
const EXIT_TIMEOUT_MS = 90_000;
/** Longest wait for the run's processes to disappear after the runner exited, ms. */
const ORPHAN_GRACE_MS = 10_000;
/** Descendants are sampled this often while a run is going, ms. */
const POLL_MS = 20;

/** How a trial interrupts its run. */
interface Kind {
  signal: 'SIGINT' | 'SIGKILL';
  /** `group`: the runner's whole process group (a terminal's Ctrl-C); `runner`: the runner alone. */
  target: 'group' | 'runner';
}
const KINDS: readonly Kind[] = [
  { signal: 'SIGINT', target: 'group' },
  { signal: 'SIGKILL', target: 'runner' },
  { signal: 'SIGINT', target: 'runner' },
  { signal: 'SIGKILL', target: 'group' },
];

/** A process of the run found alive after the grace period. */
interface Leftover {
  pid: number;
  comm: string;
  state: string;
  tracerPid: number;
  cmdline: string;
}

/** Findings of one trial. */
interface Trial {
  trial: number;
  signal: Kind['signal'];
  target: Kind['target'];
  delayMs: number;
  runnerPid: number;
  exitCode: number | null;
  exitSignal: string | null;
  /** What the run was doing when the signal was sent (its last progress line). */
  lastLine: string;
  /** The run had finished (report written) before the signal arrived. */
  finishedFirst: boolean;
  repsReported: number;
  repsInFile: number;
  missingReps: string[];
  results: 'valid' | 'absent' | string;
  interruptedScenarios: number;
  /** Interrupted scenarios (SIGINT only: SIGKILL leaves no chance) whose finished repetitions got their probe figures. */
  interruptedWithProbeFigures: number;
  sigintInterruptedWithSamples: number;
  orphans: Leftover[];
  /** Cgroups of the run that existed right after it ended. */
  cgroupsLeft: string[];
  /** Tasks found inside those cgroups. */
  tasksInCgroups: number[];
  stoppedOrTraced: string[];
  tempFilesLeft: string[];
  stderrTail: string;
  problems: string[];
}

function statusField(pid: number, name: string): string {
  try {
    return new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '';
  } catch {
    return '';
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 160);
  } catch {
    return '';
  }
}

/** Reaps zombies re-parented to this process (never the runner: libuv reaps that one). */
function reapOrphans(except: number): void {
  for (const p of readProcs().values()) {
    if (p.ppid === process.pid && p.state === 'Z' && p.pid !== except) waitpid(p.pid, null, WNOHANG);
  }
}

/** Cgroups named after the runner, in the cgroup2 and v1 freezer hierarchies. */
function cgroupsOf(runnerPid: number): string[] {
  const roots = ['/sys/fs/cgroup', '/sys/fs/cgroup/unified', '/sys/fs/cgroup/freezer'];
  const found: string[] = [];
  for (const r of roots) {
    try {
      for (const d of readdirSync(r)) if (d.startsWith(`hintbench-${runnerPid}-`)) found.push(join(r, d));
    } catch {
      // hierarchy not mounted
    }
  }
  return found;
}

/** Thaws a cgroup left behind, kills what is in it (processes of the run) and removes it. */
async function removeCgroup(dir: string): Promise<void> {
  for (const [file, value] of [
    ['cgroup.freeze', '0'],
    ['freezer.state', 'THAWED'],
  ] as const) {
    try {
      writeFileSync(join(dir, file), value);
    } catch {
      /* not this hierarchy's file */
    }
  }
  const end = Date.now() + 5000;
  while (Date.now() < end) {
    let pids: number[] = [];
    try {
      pids = readFileSync(join(dir, 'cgroup.procs'), 'utf8').trim().split('\n').filter(Boolean).map(Number);
    } catch {
      return;
    }
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await sleep(50);
  }
  try {
    rmdirSync(dir);
  } catch {
    /* reported as left over already */
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Repetitions a run reported as finished (progress lines on stderr): `<scenario id>#<repetition index>`. */
function reportedReps(stderr: string): string[] {
  const reps: string[] = [];
  for (const m of stderr.matchAll(/^(?:warm-up|block [^[\n]+) \[\d+\/\d+\] (\S+) rep (\d+): /gm)) reps.push(`${m[1]}#${m[2]}`);
  return reps;
}

/** Runs one trial; `delayMs` null runs to the end (calibration). */
async function runTrial(n: number, suite: string, kind: Kind | null, delayMs: number | null): Promise<Trial & { elapsedMs: number }> {
  // This script's own children (tsx's esbuild service) are not the run's.
  const own = new Set(descendants(readProcs(), process.pid).map((p) => `${p.pid}:${p.startTicks}`));
  const work = mkdtempSync(join(tmpdir(), 'hintbench-storm-'));
  const out = join(work, 'run');
  const t0 = Date.now();
  const child = spawn(process.execPath, [CLI, 'run', '--suite', suite, '--no-setup', '--out', out], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const runnerPid = child.pid!;
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  let done = false;
  void exited.then(() => {
    done = true;
  });

  // Sample the run's process tree until it ends, so processes it started are known by pid and start time.
  const seen = new Map<number, Proc>();
  const poller = setInterval(() => {
    for (const p of descendants(readProcs(), runnerPid)) if (!seen.has(p.pid)) seen.set(p.pid, p);
  }, POLL_MS);

  let lastLine = '';
  if (kind !== null && delayMs !== null) {
    await Promise.race([sleep(delayMs), exited]);
    lastLine = stderr.trimEnd().split('\n').at(-1) ?? '';
    if (!done) {
      for (const p of descendants(readProcs(), runnerPid)) if (!seen.has(p.pid)) seen.set(p.pid, p);
      try {
        process.kill(kind.target === 'group' ? -runnerPid : runnerPid, kind.signal);
      } catch {
        /* exited meanwhile */
      }
    }
  }
  const timeout = setTimeout(() => {
    try {
      process.kill(-runnerPid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, EXIT_TIMEOUT_MS);
  const how = await exited;
  clearTimeout(timeout);
  clearInterval(poller);
  const elapsedMs = Date.now() - t0;

  // Orphans: live processes of the run (seen under it, or re-parented to this subreaper).
  const problems: string[] = [];
  let leftovers: Proc[] = [];
  const end = Date.now() + ORPHAN_GRACE_MS;
  for (;;) {
    reapOrphans(runnerPid);
    const now = readProcs();
    const adopted = descendants(now, process.pid).filter((p) => p.pid !== runnerPid && p.state !== 'Z' && !own.has(`${p.pid}:${p.startTicks}`));
    leftovers = [...new Map([...[...seen.values()].filter((p) => stillAlive(p, now)), ...adopted].map((p) => [p.pid, p])).values()];
    if (leftovers.length === 0 || Date.now() > end) break;
    await sleep(100);
  }
  const orphans: Leftover[] = leftovers.map((p) => ({
    pid: p.pid,
    comm: p.comm,
    state: statusField(p.pid, 'State'),
    tracerPid: Number(statusField(p.pid, 'TracerPid') || 0),
    cmdline: cmdline(p.pid),
  }));
  if (orphans.length > 0) problems.push(`${orphans.length} process(es) outlived the run: ${orphans.map((o) => `${o.pid} ${o.comm} (${o.state})`).join(', ')}`);

  // Stopped or traced tasks of the run (any thread), and tasks anywhere traced by one of its processes.
  const runProcs = new Map<number, number>([...seen.values(), ...leftovers].map((p) => [p.pid, p.startTicks]));
  const stoppedOrTraced: string[] = [];
  const nowProcs = readProcs();
  for (const p of nowProcs.values()) {
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${p.pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      let status = '';
      try {
        status = readFileSync(`/proc/${p.pid}/task/${tid}/status`, 'utf8');
      } catch {
        continue;
      }
      const state = /^State:\s*(\S)/m.exec(status)?.[1] ?? '';
      const tracer = Number(/^TracerPid:\s*(\d+)/m.exec(status)?.[1] ?? 0);
      const ours = runProcs.get(p.pid) === p.startTicks;
      const tracedByRun = tracer !== 0 && runProcs.get(tracer) === nowProcs.get(tracer)?.startTicks;
      if ((ours && (state === 'T' || state === 't' || tracer !== 0)) || tracedByRun) stoppedOrTraced.push(`${p.pid}/${tid} ${p.comm} state ${state} tracer ${tracer}`);
    }
  }
  if (stoppedOrTraced.length > 0) problems.push(`stopped or traced: ${stoppedOrTraced.join(', ')}`);

  const cgroupsLeft = cgroupsOf(runnerPid);
  const tasksInCgroups = cgroupsLeft.flatMap((cg) => {
    try {
      return readFileSync(join(cg, 'cgroup.procs'), 'utf8').trim().split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
  if (tasksInCgroups.length > 0) problems.push(`tasks ${tasksInCgroups.join(', ')} left in cgroups ${cgroupsLeft.join(', ')}`);
  else if (cgroupsLeft.length > 0 && kind?.signal !== 'SIGKILL') problems.push(`cgroups left: ${cgroupsLeft.join(', ')}`);

  // results.json: valid whenever it exists, and holding every repetition reported as finished.
  const reps = reportedReps(stderr);
  let results: Trial['results'] = 'absent';
  let repsInFile = 0;
  let interruptedScenarios = 0;
  let interruptedWithProbeFigures = 0;
  let sigintInterruptedWithSamples = 0;
  let finishedAt: string | null = null;
  const missingReps: string[] = [];
  const resultsPath = join(out, 'results.json');
  if (existsSync(resultsPath)) {
    try {
      const run = validateRunResult(JSON.parse(readFileSync(resultsPath, 'utf8')), resultsPath);
      results = 'valid';
      finishedAt = run.finishedAt;
      const inFile = new Set(run.scenarios.flatMap((s) => s.samples.map((x) => `${s.scenario.id}#${x.repetition}`)));
      repsInFile = inFile.size;
      for (const r of reps) if (!inFile.has(r)) missingReps.push(r);
      for (const s of run.scenarios.filter((x) => x.status === 'interrupted')) {
        interruptedScenarios++;
        if (kind?.signal === 'SIGINT' && s.samples.length > 0 && s.scenario.mechanism !== 'none') sigintInterruptedWithSamples++;
        if (kind?.signal === 'SIGINT' && s.samples.length > 0 && s.scenario.mechanism !== 'none' && s.samples.every((x) => x.kernelLatencyNs !== null))
          interruptedWithProbeFigures++;
      }
    } catch (err) {
      results = `invalid: ${(err as Error).message.split('\n')[0]}`;
      problems.push(`results.json ${results}`);
    }
  } else if (reps.length > 0) {
    problems.push(`results.json is missing although ${reps.length} repetitions were reported`);
  }
  if (missingReps.length > 0) problems.push(`repetitions reported but not in results.json: ${missingReps.join(', ')}`);

  const finishedFirst = finishedAt !== null && /^Report: /m.test(stdout);
  const errorLines = stderr.split('\n').filter((l) => l.startsWith('Error: '));
  const wroteNothing = !existsSync(out) || readdirSync(out).length === 0;
  if (kind?.signal === 'SIGINT' && !finishedFirst) {
    // Before Node has run any of hintbench (its first few hundred ms) SIGINT still has its
    // default action: the process dies by the signal. That is fine only if nothing was written.
    if (how.signal === 'SIGINT') {
      if (!wroteNothing) problems.push('SIGINT killed the runner by its default action after it had written to its results directory');
    } else {
      if (how.code !== 130) problems.push(`SIGINT: exit code ${how.code ?? how.signal}, expected 130`);
      if (errorLines.length !== 1 || !/^Error: interrupted by SIGINT/.test(errorLines[0]!)) problems.push(`SIGINT: stderr error lines ${JSON.stringify(errorLines)}`);
    }
  }
  if (kind === null && how.code !== 0) problems.push(`uninterrupted run exited ${how.code ?? how.signal}`);

  const tempFilesLeft = existsSync(out) ? readdirSync(out).filter((f) => f.endsWith('.tmp')) : [];

  // Clean up after the trial so the next one starts clean.
  // Empty cgroups of a SIGKILLed run stay for the final run to remove; any other is removed now.
  for (const cg of cgroupsLeft) if (tasksInCgroups.length > 0 || kind?.signal !== 'SIGKILL') await removeCgroup(cg);
  for (const p of leftovers) {
    try {
      process.kill(p.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  if (leftovers.length > 0) await sleep(2000);
  for (const p of leftovers) {
    try {
      if (stillAlive(p, readProcs())) process.kill(p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  if (leftovers.length > 0) {
    const until = Date.now() + 5000;
    while (Date.now() < until && leftovers.some((p) => stillAlive(p, readProcs()))) await sleep(50);
    reapOrphans(runnerPid);
  }
  rmSync(work, { recursive: true, force: true });

  return {
    trial: n,
    signal: kind?.signal ?? 'SIGINT',
    target: kind?.target ?? 'runner',
    delayMs: delayMs ?? -1,
    runnerPid,
    exitCode: how.code,
    exitSignal: how.signal,
    lastLine,
    finishedFirst,
    repsReported: reps.length,
    repsInFile,
    missingReps,
    results,
    interruptedScenarios,
    interruptedWithProbeFigures,
    sigintInterruptedWithSamples,
    orphans,
    cgroupsLeft,
    tasksInCgroups,
    stoppedOrTraced,
    tempFilesLeft,
    stderrTail: stderr.trim().split('\n').slice(-3).join(' | '),
    problems,
    elapsedMs,
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { trials: { type: 'string', default: '30' }, suite: { type: 'string', default: DEFAULT_SUITE }, seed: { type: 'string' }, json: { type: 'string' } },
    strict: true,
  });
  const trials = Number(values.trials);
  if (!Number.isInteger(trials) || trials < 1) throw new Error(`--trials must be a positive integer, got ${values.trials}`);
  if (!isRoot()) throw new Error('the interrupt storm needs root (it runs hintbench run)');
  const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
  const random = mulberry32(seed);
  setChildSubreaper();

  // Calibration: one run to the end gives the span the random instants are drawn from.
  const calibration = await runTrial(0, values.suite, null, null);
  process.stderr.write(`calibration: a full run took ${calibration.elapsedMs} ms${calibration.problems.length > 0 ? `; problems: ${calibration.problems.join('; ')}` : ''}\n`);
  const spanMs = calibration.elapsedMs;

  const results: Trial[] = [];
  for (let i = 1; i <= trials; i++) {
    const kind = KINDS[(i - 1) % KINDS.length]!;
    const delayMs = Math.round(random() * spanMs);
    const t = await runTrial(i, values.suite, kind, delayMs);
    results.push(t);
    process.stderr.write(
      `trial ${i}/${trials}: ${kind.signal} to ${kind.target} at ${delayMs} ms (${t.lastLine.slice(0, 70) || 'before any output'}): exit ${t.exitCode ?? t.exitSignal}, ${t.repsReported} reps reported, ${t.repsInFile} in results.json, ${t.problems.length === 0 ? 'ok' : `PROBLEMS: ${t.problems.join('; ')}`}\n`,
    );
  }

  // A last uninterrupted run: it must succeed and remove the cgroups SIGKILLed runs left.
  const sweep = await runTrial(trials + 1, values.suite, null, null);
  const staleAtEnd = results.flatMap((t) => t.cgroupsLeft).filter((cg) => existsSync(cg));
  for (const cg of staleAtEnd) await removeCgroup(cg);
  process.stderr.write(
    `final run: ${sweep.problems.length === 0 ? 'ok' : `PROBLEMS: ${sweep.problems.join('; ')}`}; cgroups of SIGKILLed runs still there after it: ${staleAtEnd.length === 0 ? 'none' : staleAtEnd.join(', ')}\n`,
  );

  const count = (f: (t: Trial) => number): number => results.reduce((s, t) => s + f(t), 0);
  const figures = {
    seed,
    suite: values.suite,
    calibrationMs: spanMs,
    calibrationProblems: calibration.problems,
    trials: results.length,
    sigint: results.filter((t) => t.signal === 'SIGINT').length,
    sigkill: results.filter((t) => t.signal === 'SIGKILL').length,
    passed: results.filter((t) => t.problems.length === 0).length,
    orphans: count((t) => t.orphans.length),
    orphansByComm: results
      .flatMap((t) => t.orphans.map((o) => o.comm))
      .reduce<Record<string, number>>((m, c) => {
        m[c] = (m[c] ?? 0) + 1;
        return m;
      }, {}),
    /** Cgroups SIGKILLed runs left (empty; a later run must remove them). */
    cgroupsLeftByKill: results.filter((t) => t.signal === 'SIGKILL').reduce((n, t) => n + t.cgroupsLeft.length, 0),
    /** Cgroups left that count as failures: after SIGINT, with tasks in them, or still there after the final run. */
    cgroupsLeft: results.filter((t) => t.signal !== 'SIGKILL' || t.tasksInCgroups.length > 0).reduce((n, t) => n + t.cgroupsLeft.length, 0) + staleAtEnd.length,
    staleCgroupsAfterFinalRun: staleAtEnd,
    finalRunProblems: sweep.problems,
    stoppedOrTraced: count((t) => t.stoppedOrTraced.length),
    invalidResults: results.filter((t) => t.results !== 'valid' && t.results !== 'absent').length,
    absentResults: results.filter((t) => t.results === 'absent').length,
    repsReported: count((t) => t.repsReported),
    missingReps: count((t) => t.missingReps.length),
    interruptedScenarios: count((t) => t.interruptedScenarios),
    /** Interrupted scenarios of SIGINT trials with at least one finished repetition (the ones that can keep probe figures). */
    sigintInterruptedWithSamples: count((t) => t.sigintInterruptedWithSamples),
    interruptedWithProbeFigures: count((t) => t.interruptedWithProbeFigures),
    finishedBeforeSignal: results.filter((t) => t.finishedFirst).length,
    tempFilesLeft: count((t) => t.tempFilesLeft.length),
    results,
  };
  const ok = figures.passed === figures.trials && calibration.problems.length === 0 && sweep.problems.length === 0 && staleAtEnd.length === 0;
  writeBenchmark(
    'interrupt-storm',
    figures,
    `interrupt storm: ${figures.trials} trials (${figures.sigint} SIGINT, ${figures.sigkill} SIGKILL), ${figures.passed} passed; orphans ${figures.orphans}, cgroups left ${figures.cgroupsLeft} (${figures.cgroupsLeftByKill} left by SIGKILL, ${staleAtEnd.length} of them not removed by the next run), stopped/traced ${figures.stoppedOrTraced}, invalid results.json ${figures.invalidResults}, missing repetitions ${figures.missingReps} of ${figures.repsReported} reported; ${figures.interruptedWithProbeFigures} of ${figures.sigintInterruptedWithSamples} scenarios interrupted by SIGINT kept their probe figures, ${figures.tempFilesLeft} temp files left (seed ${seed})`,
    values.json,
  );
  return ok ? 0 : 1;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`Error: ${(err as Error).message}\n`);
      process.exitCode = 2;
    },
  );
}
