/**
 * SIGKILL at random instants during `hintbench hint --via ptrace --repeat N`: the whole
 * process group of hintbench (what `timeout -s KILL`, a service manager's final kill or an
 * OOM kill of the group do), or the tracer process alone. Used by the CI test (a few dozen
 * kills) and by `ptrace-kill.ts` (hundreds).
 *
 * One trial: start hintbench in a process group of its own; wait until the target is traced;
 * let a random number (0-4) of injections go by; wait for the next one to begin (TracerPid
 * set), spin a random 0..maxDelayUs, note the target's /proc/PID/syscall (its injected
 * madvise, 28, shows while the injected registers are in place), kill. Then: the target must
 * be alive, not traced, not stopped; after a group kill the tracer must finish and leave by
 * itself; after a tracer kill hintbench must exit with an error naming the target and its fate.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MAX_REPEAT } from '../../bench/live/hint.ts';
import { NR_MADVISE_X86_64 } from '../../bench/mechanisms/ptrace/stopped-target.ts';
import { KeptFiles } from '../../core/proc/kept-files.ts';
import { processExists } from '../../core/proc/stat.ts';
import { parseStatus } from '../../core/proc/status.ts';
import { waitUntil } from '../../core/process/wait.ts';

/** Waits until `pred` holds or `ms` pass (checking every 2 ms); resolves whether it held. */
const until = (pred: () => boolean, ms: number): Promise<boolean> => waitUntil(pred, { timeoutMs: ms, intervalMs: 2 });

const HINTBENCH = fileURLToPath(new URL('../../bench/hintbench.js', import.meta.url));

/** A target to kill hintbench over, and how to hint it. */
export interface KillTarget {
  pid: number;
  /** --ranges value (hex START-END). */
  ranges: string;
}

/** What one trial saw. */
export interface KillTrial {
  kind: 'group' | 'tracer';
  targetPid: number;
  tracerPid: number;
  /** Random spin after the injection began, in us. */
  delayUs: number;
  /** TracerPid of the target was the tracer's just before the kill. */
  tracedAtKill: boolean;
  /** First field of /proc/PID/syscall just before the kill (`28`: inside the injected madvise's stops; `running`...). */
  syscallAtKill: string;
  /** hintbench's exit: code (null when killed) and the last line of its stderr. */
  hintCode: number | null;
  hintStderr: string;
  /** Group kills: ms until the surviving tracer had left (null: it did not within 10 s). */
  tracerLeftMs: number | null;
  /** After the trial: target alive, still traced, in a stopped state. */
  targetAlive: boolean;
  leftTraced: boolean;
  leftStopped: boolean;
  /** Something went wrong with the trial itself (no injection seen...), or null. */
  problem: string | null;
}

/** Options of runKillTrials(). */
export interface KillTrialsOptions {
  kind: 'group' | 'tracer';
  trials: number;
  /** Targets used in turn. */
  targets: KillTarget[];
  /** madvise advice name for hintbench (`cold` or `pageout`). */
  advice: 'cold' | 'pageout';
  /** Largest random delay after an injection began, in us (default 150). */
  maxDelayUs?: number;
  /** Uniform random numbers in [0, 1) (seeded by the caller for reproducibility). */
  random: () => number;
  /** Called after every trial. */
  onTrial?: (t: KillTrial) => void;
}

/** Reads a small /proc file through a kept descriptor (cheap enough to poll in a spin); text() throws when it cannot be read. */
function procPoller(path: string): { text(): string; close(): void } {
  const file = new KeptFiles(1);
  const buf = Buffer.alloc(4096);
  return {
    text: () => {
      const text = file.text(path, buf);
      if (text === null) throw new Error(`cannot read ${path}`);
      return text;
    },
    close: () => file.reset(),
  };
}

function spinUs(us: number): void {
  const until = process.hrtime.bigint() + BigInt(Math.round(us * 1000));
  while (process.hrtime.bigint() < until) {
    /* spin */
  }
}

/** Runs one trial against `target`. */
async function trial(opts: KillTrialsOptions, target: KillTarget): Promise<KillTrial> {
  const rec: KillTrial = {
    kind: opts.kind,
    targetPid: target.pid,
    tracerPid: 0,
    delayUs: 0,
    tracedAtKill: false,
    syscallAtKill: '',
    hintCode: null,
    hintStderr: '',
    tracerLeftMs: null,
    targetAlive: true,
    leftTraced: false,
    leftStopped: false,
    problem: null,
  };
  const hint = spawn(
    process.execPath,
    [HINTBENCH, 'hint', '--pid', String(target.pid), '--advice', opts.advice, '--via', 'ptrace', '--repeat', String(MAX_REPEAT), '--no-probe', '--ranges', target.ranges],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  hint.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const hintExit = new Promise<number | null>((res) => hint.on('close', (code) => res(code)));
  const status = procPoller(`/proc/${target.pid}/status`);
  const syscallFile = procPoller(`/proc/${target.pid}/syscall`);
  try {
    // Until the first injection (or hintbench exits: a refusal must not cost the full wait).
    let hintExited = false;
    void hintExit.then(() => {
      hintExited = true;
    });
    let injecting = false;
    await until(() => {
      injecting = parseStatus(status.text()).tracerPid !== 0;
      return injecting || hintExited;
    }, 30_000);
    if (!injecting) {
      rec.problem = `no injection into pid ${target.pid} ${hintExited ? 'before hintbench exited' : 'within 30 s'} (hintbench said: ${stderr.trim().split('\n').pop() ?? ''})`;
      try {
        process.kill(-hint.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      return rec;
    }
    // Let 0-4 injections go by, then catch the start of the next one (spinning: an injection
    // lasts tens of microseconds).
    const skip = Math.floor(opts.random() * 5);
    const deadline = process.hrtime.bigint() + 5_000_000_000n;
    let seen = 0;
    let traced = true;
    let tracer = 0;
    while (process.hrtime.bigint() < deadline) {
      const tp = parseStatus(status.text()).tracerPid;
      if (tp !== 0 && !traced) {
        if (seen >= skip) {
          tracer = tp;
          break;
        }
        seen++;
      }
      traced = tp !== 0;
    }
    if (tracer === 0) {
      rec.problem = 'injections stopped coming';
      try {
        process.kill(-hint.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      return rec;
    }
    rec.tracerPid = tracer;
    rec.delayUs = Math.round(opts.random() * (opts.maxDelayUs ?? 150));
    spinUs(rec.delayUs);
    const sys = syscallFile.text().trim();
    rec.tracedAtKill = parseStatus(status.text()).tracerPid === tracer;
    rec.syscallAtKill = sys.split(' ')[0] ?? '';
    if (opts.kind === 'group') process.kill(-hint.pid!, 'SIGKILL');
    else process.kill(tracer, 'SIGKILL');
    const t0 = Date.now();
    rec.hintCode = await hintExit;
    rec.hintStderr =
      stderr
        .trim()
        .split('\n')
        .filter((l) => l !== '')
        .pop() ?? '';
    if (opts.kind === 'group') {
      rec.tracerLeftMs = (await until(() => !processExists(tracer), 10_000)) ? Date.now() - t0 : null;
    } else {
      await until(() => !processExists(tracer), 10_000);
    }
    // The target: untraced, not stopped, alive.
    await until(() => {
      const s = parseStatus(status.text());
      return s.tracerPid === 0 && !/[tT]/.test(s.state);
    }, 2_000);
    const s = parseStatus(status.text());
    rec.leftTraced = s.tracerPid !== 0;
    rec.leftStopped = /[tT]/.test(s.state);
    rec.targetAlive = !/[ZX]/.test(s.state);
  } catch (err) {
    rec.targetAlive = processExists(target.pid);
    rec.problem = (err as Error).message;
  } finally {
    status.close();
    syscallFile.close();
  }
  return rec;
}

/** Runs `trials` kills of one kind, taking the targets in turn. Stops early when a target died. */
export async function runKillTrials(opts: KillTrialsOptions): Promise<KillTrial[]> {
  const out: KillTrial[] = [];
  for (let i = 0; i < opts.trials; i++) {
    const t = await trial(opts, opts.targets[i % opts.targets.length]!);
    out.push(t);
    opts.onTrial?.(t);
    if (!t.targetAlive) break;
  }
  return out;
}

/** Counts over trials, for tests and the benchmark's figures. */
export function summarizeKillTrials(trials: KillTrial[]): {
  trials: number;
  tracedAtKill: number;
  insideInjectedMadvise: number;
  targetDeaths: number;
  leftTraced: number;
  leftStopped: number;
  tracerLingered: number;
  problems: string[];
} {
  return {
    trials: trials.length,
    tracedAtKill: trials.filter((t) => t.tracedAtKill).length,
    insideInjectedMadvise: trials.filter((t) => t.syscallAtKill === String(NR_MADVISE_X86_64)).length,
    targetDeaths: trials.filter((t) => !t.targetAlive).length,
    leftTraced: trials.filter((t) => t.leftTraced).length,
    leftStopped: trials.filter((t) => t.leftStopped).length,
    tracerLingered: trials.filter((t) => t.kind === 'group' && t.tracerLeftMs === null).length,
    problems: trials.filter((t) => t.problem !== null).map((t) => t.problem!),
  };
}
