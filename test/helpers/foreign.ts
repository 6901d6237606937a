/**
 * Helpers for injecting into programs hintbench did not write (coreutils sleep, python3, a
 * plain Node process, redis-server): start them with a line reader on stdout, make sure the
 * commands exist (installing them with apt-get as root), pick their anonymous ranges from
 * /proc/PID/maps, and inject repeatedly while recording what each injection did.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { PtraceMechanism } from '../../bench/mechanisms/ptrace/index.ts';
import { selectRanges } from '../../bench/live/ranges.ts';
import { readMaps } from '../../core/proc/maps.ts';
import { readStatus } from '../../core/proc/status.ts';
import { isRoot } from '../../core/process/privileges.ts';
import type { Advice, AddrRange } from '../../core/types.ts';
import { inCI } from './prereq.ts';

/** How a started process ended. */
export interface ForeignExit {
  /** Exit status, or null when a signal ended it. */
  code: number | null;
  /** Name of the terminating signal, or null. */
  signal: NodeJS.Signals | null;
  /** Monotonic time of the exit, in ms (performance.now()). */
  atMs: number;
}

/** A program started by a test: its pid, stdout lines and exit. */
export interface ForeignProcess {
  /** Process id (the command is exec'd directly, so this is the program itself). */
  pid: number;
  child: ChildProcess;
  /** Every stdout line so far. */
  lines: string[];
  /** Every stderr line so far. */
  errLines: string[];
  /** Resolves when the process has exited. */
  exited: Promise<ForeignExit>;
  /** True until the exit was seen. */
  alive(): boolean;
  /** Resolves with the first stdout line (already seen or future) that `pred` accepts; rejects on exit or after `timeoutMs`. */
  waitLine(pred: (line: string) => boolean, timeoutMs: number): Promise<string>;
  /** SIGKILLs the process by pid if it still runs and waits for its exit. */
  kill(): Promise<void>;
}

/** Starts `cmd args` with piped stdio (stdin kept open) and collects its output lines. */
export function startForeign(cmd: string, args: string[], opts: { cwd?: string } = {}): ForeignProcess {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }) });
  if (child.pid === undefined) throw new Error(`cannot start ${cmd}`);
  const pid = child.pid;
  const lines: string[] = [];
  const errLines: string[] = [];
  const watchers: { pred: (l: string) => boolean; res: (l: string) => void }[] = [];
  let done = false;
  const exited = new Promise<ForeignExit>((res) => {
    child.on('exit', (code, signal) => {
      done = true;
      res({ code, signal, atMs: performance.now() });
    });
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (let i = watchers.length - 1; i >= 0; i--) {
      const w = watchers[i]!;
      if (w.pred(line)) {
        watchers.splice(i, 1);
        w.res(line);
      }
    }
  });
  createInterface({ input: child.stderr! }).on('line', (line) => {
    errLines.push(line);
  });
  return {
    pid,
    child,
    lines,
    errLines,
    exited,
    alive: () => !done,
    waitLine: (pred, timeoutMs) => {
      const seen = lines.find(pred);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<string>((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`${cmd} (pid ${pid}): no matching line within ${timeoutMs} ms; stderr: ${errLines.join(' | ')}`)), timeoutMs);
        watchers.push({
          pred,
          res: (l) => {
            clearTimeout(timer);
            res(l);
          },
        });
        void exited.then((e) => {
          clearTimeout(timer);
          rej(new Error(`${cmd} (pid ${pid}) exited (code ${e.code}, signal ${e.signal}) before the expected line; stderr: ${errLines.join(' | ')}`));
        });
      });
    },
    kill: async () => {
      if (done) return;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      await exited;
    },
  };
}

/** True when `cmd` is found on PATH. */
export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Makes sure every command in `cmds` exists, installing `aptPackages` with apt-get when one
 * is missing (root only). Returns null when all are there, or why not. Under CI a failure
 * throws, because CI must run every test.
 */
export function ensureCommands(cmds: string[], aptPackages: string[]): string | null {
  const missing = (): string[] => cmds.filter((c) => !hasCommand(c));
  if (missing().length === 0) return null;
  let why: string | null = null;
  if (!isRoot()) {
    why = `${missing().join(', ')} missing and not root (apt-get install -y ${aptPackages.join(' ')})`;
  } else {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    let r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...aptPackages], { env, encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) {
      spawnSync('apt-get', ['update', '-qq'], { env, stdio: 'ignore', timeout: 300_000 });
      r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...aptPackages], { env, encoding: 'utf8', timeout: 300_000 });
    }
    if (missing().length > 0) why = `apt-get install ${aptPackages.join(' ')} failed (status ${r.status}): ${(r.stderr ?? '').trim().split('\n').slice(-2).join(' ')}`;
  }
  if (why !== null && inCI) throw new Error(`${why}; CI=true requires every test to run`);
  return why;
}

/** Absolute path of the system python3 (Debian's /usr/bin/python3 when present, so no shim sits between pid and interpreter). */
export function python3Path(): string {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** Private anonymous VMAs of `pid` (heap and unnamed/named anonymous mappings, not the stack). */
export function anonRanges(pid: number): AddrRange[] {
  return selectRanges({ kind: 'anon' }, readMaps(pid));
}

/** True when a swap device is active (PAGEOUT of anonymous memory then does something). */
export function swapActive(): boolean {
  return readFileSync('/proc/swaps', 'utf8').trim().split('\n').length > 1;
}

/** Everything a series of injections into one target did. */
export interface InjectionTally {
  /** Injections that completed (error null). */
  count: number;
  /** Per-injection wall latency (seize to detach), in ns. */
  latenciesNs: number[];
  /** Per-injection stop window of the target, in ns. */
  stopWindowsNs: number[];
  /** Sum of bytes madvise accepted. */
  bytesAdvised: number;
  /** madvise calls the target executed. */
  syscalls: number;
  /** Ranges refused with ENOMEM (unmapped between reading maps and the call: the target is alive and changes its layout). */
  vanishedRanges: number;
  /** Ranges refused with any other errno, as `ENAME@start`. */
  rangeErrors: string[];
  /** Injections that failed as a whole (`ECODE: message`). */
  errors: string[];
  /** Target state letter (from /proc/PID/status) read just before each injection, counted. */
  statesBefore: Record<string, number>;
  /**
   * Where the injection's stop caught the thread, from the registers it saved, counted:
   * `none` outside any blocking call (its own code, a page fault), `restart`/`restart-block`
   * inside a call the kernel restarts (a sleep), `kernel` left to the kernel (single step).
   */
  caughtIn: Record<string, number>;
  /** Injections after which TracerPid was not 0 or the state was t/T/Z/X. */
  badAfter: string[];
  /** Signals the injector passed on or deferred (the target received them, none lost). */
  signals: number[];
}

/** An empty tally. */
export function newTally(): InjectionTally {
  return {
    count: 0,
    latenciesNs: [],
    stopWindowsNs: [],
    bytesAdvised: 0,
    syscalls: 0,
    vanishedRanges: 0,
    rangeErrors: [],
    errors: [],
    statesBefore: {},
    caughtIn: {},
    badAfter: [],
    signals: [],
  };
}

/** Options of injectRepeatedly. */
export interface InjectLoopOptions {
  /** Advice of injection number i (0-based). */
  advice: (i: number) => Advice;
  /** Stop after this many attempts. */
  maxInjections: number;
  /** Stop once this many ms have passed. */
  maxDurationMs: number;
  /** Pause between injections, in ms (0 = yield to the event loop only). */
  intervalMs: number;
  /** Stop early when this returns true (checked before every injection). */
  stop?: () => boolean;
  /** Adds to this tally instead of a new one. */
  tally?: InjectionTally;
}

/**
 * Injects madvise of the target's current anonymous VMAs (re-read before every injection)
 * until a limit is reached, the target exits, or `stop()` holds. Never throws for target-side
 * failures: they are counted in the tally for the test to assert on.
 */
export async function injectRepeatedly(mech: PtraceMechanism, pid: number, opts: InjectLoopOptions): Promise<InjectionTally> {
  const t = opts.tally ?? newTally();
  const end = performance.now() + opts.maxDurationMs;
  for (let i = 0; i < opts.maxInjections && performance.now() < end; i++) {
    if (opts.stop?.() === true) break;
    let state: string;
    let ranges: AddrRange[];
    try {
      state = readStatus(pid).state;
      ranges = anonRanges(pid);
    } catch {
      break; // the target is gone
    }
    if (state === 'Z') break;
    t.statesBefore[state] = (t.statesBefore[state] ?? 0) + 1;
    const out = await mech.hint({ target: { pid }, advice: opts.advice(i), ranges });
    const rep = out.injection;
    if (out.error !== null) {
      t.errors.push(out.error);
    } else {
      t.count++;
      t.latenciesNs.push(rep.latencyNs);
      t.stopWindowsNs.push(rep.stopWindowNs);
      t.bytesAdvised += rep.bytesAdvised;
      t.syscalls += rep.syscalls;
      t.signals.push(...rep.passedSignals, ...rep.deferredSignals);
      t.caughtIn[rep.restart] = (t.caughtIn[rep.restart] ?? 0) + 1;
      for (const r of rep.results) {
        if (r.ret === -12) t.vanishedRanges++;
        else if (r.ret !== 0) t.rangeErrors.push(`${r.ret}@${r.startAddr.toString(16)}`);
      }
    }
    try {
      const after = readStatus(pid);
      if (after.tracerPid !== 0 || /[tTXZ]/.test(after.state)) t.badAfter.push(`#${i}: TracerPid ${after.tracerPid}, state ${after.state}`);
    } catch {
      break;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs));
  }
  return t;
}

/** Median of a list (0 for an empty list). */
export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** 99th percentile, nearest rank (0 for an empty list). */
export function p99(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.99 * s.length) - 1)]!;
}

/** One log line for a target's tally: counts and latency figures in microseconds. */
export function describeTally(name: string, t: InjectionTally): string {
  const us = (ns: number): string => (ns / 1000).toFixed(0);
  return (
    `${name}: ${t.count} injections (${t.syscalls} madvise calls, ${(t.bytesAdvised / 2 ** 20).toFixed(1)} MiB advised), ` +
    `latency median ${us(median(t.latenciesNs))} us p99 ${us(p99(t.latenciesNs))} us, stop window median ${us(median(t.stopWindowsNs))} us, ` +
    `states before ${JSON.stringify(t.statesBefore)}, caught in ${JSON.stringify(t.caughtIn)}, vanished ranges ${t.vanishedRanges}, errors ${t.errors.length}, signals ${JSON.stringify(t.signals)}`
  );
}
