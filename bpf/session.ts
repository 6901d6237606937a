/**
 * A probe session: the selected bpf/*.bt scripts joined into one bpftrace program, run with
 * `-f json` for as long as a scenario (or a live hint) lasts.
 *
 *   const session = await startProbeSession({ scripts: ['hint-latency', 'refaults'] });
 *   // ... measured work: starts only after every probe is attached ...
 *   const report = await session.stop();   // SIGINT, final maps, parsed report
 *   hintsFor(report, tid, fromNs, toNs);
 *
 * Two facts of bpftrace 0.17 shape this module. It prints `attached_probes` BEFORE it
 * attaches the probes, so start-up waits for a sentinel probe appended after the scripts to
 * fire: this process calls getpgid(token) with tokens above any pid (the call just fails with
 * ESRCH) and the probe prints the token. And it exits on SIGINT without reading what is
 * still in its perf buffers (a burst of 2000 hint lines lost ~85 % of them), so stop() fires
 * the sentinel once more with a fresh token and waits for THAT token's line: a line of an
 * earlier token (start-up pokes still in the buffers) does not count as drained.
 *
 * bpftrace runs in a process group and session of its own, so a terminal's Ctrl-C or
 * hang-up reaches this process only, which then stops the session in order (drain, SIGINT,
 * final maps) instead of bpftrace dying before it prints its maps.
 *
 * printf events (hints, stalls) are parsed as they arrive and kept in memory; maps (major
 * faults, background reclaim, hint-latency-batch records) arrive only when bpftrace exits
 * cleanly on SIGINT. stop() falls back to SIGTERM and then SIGKILL when bpftrace does not
 * exit in time (the maps are then lost and the report says so). A bpftrace child never
 * outlives the Node process: it is killed on exit, by execa's cleanup on fatal signals, and,
 * when this process is SIGKILLed, by its parent-death signal (bpftrace is started through
 * `setpriv --pdeathsig SIGKILL` and a guard that checks this process is still its parent,
 * core/process/parent-death.ts). Where setpriv lacks --pdeathsig the report carries a warning.
 */
import { execa } from 'execa';
import { hintsInWindow } from '../core/attribution.ts';
import { HintbenchError } from '../core/errors.ts';
import { HOST_ROOT } from '../core/proc/hostfs.ts';
import { findTracefs, missingTracepoints } from '../core/proc/tracefs.ts';
import { GUARD_PARENT_GONE_EXIT, PDEATHSIG_FIX, withParentDeathSignal } from '../core/process/parent-death.ts';
import { waitUntil } from '../core/process/wait.ts';
import { libc } from '../core/sys/libc.ts';
import type { ProbeHint } from '../core/types.ts';
import { LineSplitter } from '../core/channel.ts';
import { classifyStderrLine, meaningfulStderr, parseLineAll } from './ndjson.ts';
import { applyEvent, emptyReport, finishReport, type ProbeReport } from './report.ts';
import { PRESSURE_SCRIPT, PROBE_SCRIPTS, SCRIPT_TRACEPOINTS, explainSourcesOf, joinScripts, mapErrorLocations, type JoinedProgram, type ProbeScriptName } from './scripts.ts';

export type { ProbeScriptName } from './scripts.ts';
export { PROBE_SCRIPTS, TRACEPOINTS_USED, SCRIPT_TRACEPOINTS } from './scripts.ts';
export type { ProbeReport, BackgroundReclaim } from './report.ts';

/** Options of startProbeSession(). */
export interface ProbeSessionOptions {
  /** Scripts to run together (bpf/<name>.bt). */
  scripts: ProbeScriptName[];
  /** Aborting before the probes are attached rejects the start; after, it stops the session. */
  signal?: AbortSignal;
  /** bpftrace binary; default `bpftrace` from PATH. */
  bpftracePath?: string;
  /** Longest wait for `attached_probes`, in ms; default 20000. */
  startTimeoutMs?: number;
  /** Longest wait for bpftrace to exit after SIGINT in stop(), in ms; default 10000. */
  stopTimeoutMs?: number;
  /**
   * Entries per bpftrace map (BPFTRACE_MAP_KEYS_MAX): bounds hint-latency-batch's records per
   * session. The kernel preallocates every map at this size; default 4096, or 32768 when
   * hint-latency-batch is selected.
   */
  mapKeysMax?: number;
}

/** A running bpftrace with hintbench's probes attached. */
export interface ProbeSession {
  /** Process id of the bpftrace child. */
  readonly pid: number;
  /** Scripts this session runs. */
  readonly scripts: readonly ProbeScriptName[];
  /** Time from spawning bpftrace until every probe was verifiably attached, in ms. */
  readonly startupMs: number;
  /** Number of probes of the selected scripts bpftrace attached (its internal ready probe not counted). */
  readonly attachedProbes: number;
  /** The printf events parsed so far (hints, stalls); maps are empty until stop(). */
  snapshot(): ProbeReport;
  /**
   * Resolves with the hints of `tid` entered within [fromNs, toNs] once at least `count` of
   * them have arrived, or with what arrived when `timeoutMs` passes (events are delivered
   * asynchronously, a few ms after the syscall).
   */
  waitForHints(tid: number, fromNs: number | bigint, toNs: number | bigint, count: number, timeoutMs?: number): Promise<ProbeHint[]>;
  /** Stops bpftrace (SIGINT, then SIGTERM, then SIGKILL) and returns the full report. Idempotent. */
  stop(): Promise<ProbeReport>;
}

const DEFAULT_START_TIMEOUT_MS = 20_000;
const DEFAULT_STOP_TIMEOUT_MS = 10_000;
const TERM_GRACE_MS = 2_000;
const STDERR_KEEP_CHARS = 16_384;
/** Perf ring buffer pages per CPU: 1 MiB, so bursts of thousands of hint lines are not lost. */
const PERF_RB_PAGES = '256';
/**
 * Tracepoints (`category/name`) used by `scripts` that tracefs below `root` does not have;
 * null when tracefs is not mounted (nothing can be told).
 */
export function missingProbeTracepoints(scripts: readonly ProbeScriptName[] = PROBE_SCRIPTS, root: string = HOST_ROOT): string[] | null {
  const dir = findTracefs(root);
  if (dir === null) return null;
  return missingTracepoints(dir, [...new Set(scripts.flatMap((s) => SCRIPT_TRACEPOINTS[s]))].sort(), root);
}

/** A script left out of a session because this kernel lacks tracepoints it attaches to. */
export interface SkippedScript {
  /** The script. */
  name: ProbeScriptName;
  /** Tracepoints (`category/name`) it needs that tracefs does not have. */
  missing: string[];
}

/**
 * Splits `wanted` into the scripts this kernel can run and those it cannot (a tracepoint is
 * missing), so optional probes degrade to a recorded reason instead of failing the session.
 * When tracefs is not mounted nothing can be told and every script is kept (bpftrace then
 * names what fails).
 */
export function availableScripts(wanted: readonly ProbeScriptName[], root: string = HOST_ROOT): { scripts: ProbeScriptName[]; skipped: SkippedScript[] } {
  const scripts: ProbeScriptName[] = [];
  const skipped: SkippedScript[] = [];
  for (const name of wanted) {
    const missing = missingProbeTracepoints([name], root);
    if (missing !== null && missing.length > 0) skipped.push({ name, missing });
    else scripts.push(name);
  }
  return { scripts, skipped };
}

/** Map size when hint-latency-batch is selected: 32768 records (a few MB of kernel memory per map). */
const BATCH_MAP_KEYS_MAX = 32_768;

/** Longest wait for the event stream to drain before SIGINT, in ms. */
const DRAIN_TIMEOUT_MS = 5_000;

/** Prefix of the sentinel's printf line: `hb_mark <token>`. */
const MARK_PREFIX = 'hb_mark ';
/** Sentinel tokens start above any pid (pid_max is at most 2^22), so getpgid(token) only fails with ESRCH. */
const MARK_BASE = 1 << 23;

const getpgid: (pid: number) => number = libc.func('int getpgid(int)');

/**
 * A probe appended after the selected scripts. bpftrace 0.17 prints `attached_probes` BEFORE
 * it attaches the probes (a PAGEOUT issued right after it was missed in testing), and attaches
 * them in program order, so the session calls getpgid(token) from this process until this
 * last probe prints a token: then every probe before it is attached.
 */
function readySentinel(sessionPid: number): string {
  return `\ntracepoint:syscalls:sys_enter_getpgid\n/pid == ${sessionPid} && args->pid >= ${MARK_BASE}/\n{\n  printf("${MARK_PREFIX}%d\\n", args->pid);\n}\n`;
}

/** The token of a sentinel line, or null when the line is something else. */
function markToken(text: string): number | null {
  const t = text.trim();
  if (!t.startsWith(MARK_PREFIX)) return null;
  const n = Number(t.slice(MARK_PREFIX.length));
  return Number.isSafeInteger(n) ? n : null;
}

/** The last `maxLines` meaningful stderr lines, joined with ' | '. */
function stderrTail(stderr: string, maxLines = 6): string {
  const lines = meaningfulStderr(stderr);
  return lines
    .slice(-maxLines)
    .map((l) => l.trim())
    .join(' | ');
}

/** What to tell a user whose bpftrace did not start. */
function fixFor(stderr: string, spawnCode: string | undefined, bin: string): string {
  if (spawnCode === 'ENOENT') return `install bpftrace (apt-get install -y bpftrace, or run \`hintbench setup\`), or pass the path of the binary instead of ${bin}`;
  if (spawnCode === 'EACCES') return `make ${bin} executable, or pass another bpftrace binary`;
  if (/Operation not permitted|EPERM|permission denied|must be run as root/i.test(stderr)) return 'run hintbench as root (bpftrace needs CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN)';
  if (/tracepoint not found|Could not read symbols|No such file or directory.*tracing|tracefs/i.test(stderr))
    return 'run `hintbench doctor`: it lists the tracepoints this kernel lacks and mounts tracefs with `hintbench setup`';
  return 'run `hintbench doctor` to check bpftrace, tracefs and the tracepoints; run the script alone with `bpftrace bpf/<name>.bt` to see the full error';
}

/**
 * Why the spawn failed, as an errno name: execa's code for a direct spawn; for a guarded one
 * the guard shell's exit code (127: not found, 126: not executable).
 */
function spawnErrorCode(r: { code?: string; exitCode?: number }, guarded: boolean): string | undefined {
  if (!guarded) return r.code;
  if (r.exitCode === 127) return 'ENOENT';
  if (r.exitCode === 126) return 'EACCES';
  if (r.exitCode === GUARD_PARENT_GONE_EXIT) return 'ESRCH';
  return r.code;
}

/**
 * Starts bpftrace with the selected scripts and resolves once every probe is attached (proved
 * by a sentinel probe placed after them firing; `attached_probes` alone comes too early).
 * Rejects with a HintbenchError naming the scripts, bpftrace's stderr and the fix when a
 * tracepoint is missing, bpftrace is missing, exits early or does not attach in time.
 */
export async function startProbeSession(opts: ProbeSessionOptions): Promise<ProbeSession> {
  const scripts = [...opts.scripts];
  const names = scripts.join(', ');
  const bin = opts.bpftracePath ?? 'bpftrace';
  const startTimeoutMs = opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const stopTimeoutMs = opts.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
  const mapKeysMax = opts.mapKeysMax ?? (scripts.includes('hint-latency-batch') ? BATCH_MAP_KEYS_MAX : 4096);
  if (scripts.length === 0) throw new HintbenchError('no probe script selected', `choose some of: ${PROBE_SCRIPTS.join(', ')}`);
  opts.signal?.throwIfAborted();

  const missing = missingProbeTracepoints(scripts) ?? [];
  if (missing.length > 0) {
    const owners = scripts.filter((s) => SCRIPT_TRACEPOINTS[s].some((tp) => missing.includes(tp)));
    throw new HintbenchError(
      `this kernel lacks tracepoint(s) ${missing.join(', ')} needed by probe script(s) ${owners.join(', ')}`,
      'run on a kernel built with CONFIG_FTRACE_SYSCALLS and the vmscan/sched tracepoints (see `hintbench doctor`), or leave those scripts out',
    );
  }

  const joined: JoinedProgram = joinScripts(scripts);
  // The program goes on the command line (-e), so nothing is left on disk however this
  // process ends; bpftrace then names it `stdin` in its messages.
  const program = joined.program + readySentinel(process.pid);
  const file = 'stdin';

  const spawnedAt = process.hrtime.bigint();
  const command = withParentDeathSignal(bin, ['-f', 'json', '-e', program]);
  const child = execa(command.file, command.args, {
    stdin: 'ignore',
    buffer: false,
    reject: false,
    cleanup: true,
    // Own process group and session: a terminal's SIGINT/SIGHUP reaches the runner only,
    // which stops the session in order. It still dies with the runner (parent-death signal,
    // killOnExit below).
    detached: true,
    env: { BPFTRACE_PERF_RB_PAGES: PERF_RB_PAGES, BPFTRACE_MAP_KEYS_MAX: String(mapKeysMax) },
  });

  const report = emptyReport();
  report.explainSources = explainSourcesOf(scripts);
  // An empty list says the reclaim probe ran (and saw nothing yet); absent says it did not.
  if (scripts.includes(PRESSURE_SCRIPT)) {
    report.reclaims = [];
    report.reclaimThrottles = [];
  }
  if (!command.guarded) {
    report.warnings.push(`bpftrace runs without a parent-death signal (no setpriv with --pdeathsig): if this process is SIGKILLed, bpftrace keeps running; ${PDEATHSIG_FIX}`);
  }
  const splitter = new LineSplitter();
  let stderr = '';
  let attachedProbes = -1;
  let ready = false;
  /** Highest sentinel token seen, and the next token to fire. */
  let lastMark = 0;
  let nextMark = MARK_BASE;
  let startupMs = 0;
  let exited = false;
  let onAttached: (() => void) | null = null;
  const waiters = new Set<() => void>();

  const killOnExit = (): void => {
    if (!exited && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', killOnExit);

  const handleLine = (line: string): void => {
    const events = parseLineAll(line);
    if (events === null) return;
    for (const ev of events) {
      if (ev.type === 'attached_probes') {
        attachedProbes = ev.probes;
        continue;
      }
      const token = ev.type === 'printf' ? markToken(ev.text) : null;
      if (token !== null) {
        lastMark = Math.max(lastMark, token);
        if (!ready) {
          ready = true;
          startupMs = Number(process.hrtime.bigint() - spawnedAt) / 1e6;
          onAttached?.();
        }
        continue;
      }
      applyEvent(report, ev);
    }
    for (const w of waiters) w();
  };
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    for (const line of splitter.push(chunk)) handleLine(line);
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP_CHARS);
  });

  const done = child.then((r) => {
    exited = true;
    process.removeListener('exit', killOnExit);
    for (const line of splitter.flush()) handleLine(line);
    for (const w of waiters) w();
    return r;
  });

  // Phase 1: wait for the sentinel, an early exit, the timeout or an abort. After
  // attached_probes, poke the sentinel (getpgid(token), every 10 ms) until it reports.
  const startOutcome = await new Promise<'attached' | 'exited' | 'timeout' | 'aborted'>((resolve) => {
    const poke = setInterval(() => {
      if (attachedProbes >= 0) getpgid(++nextMark);
    }, 10);
    const finish = (o: 'attached' | 'exited' | 'timeout' | 'aborted'): void => {
      clearInterval(poke);
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(o);
    };
    const timer = setTimeout(() => finish('timeout'), startTimeoutMs);
    const onAbort = (): void => finish('aborted');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    onAttached = () => finish('attached');
    void done.then(() => finish('exited'));
  });
  onAttached = null;

  if (startOutcome !== 'attached') {
    if (!exited) {
      child.kill('SIGKILL');
    }
    const r = await done;
    if (startOutcome === 'aborted') {
      const reason: unknown = opts.signal?.reason;
      throw reason instanceof Error ? reason : new HintbenchError(`probe start (${names}) was aborted`, 'nothing to do: the run was cancelled');
    }
    const spawnCode = spawnErrorCode(r, command.guarded);
    const tail = mapErrorLocations(stderrTail(stderr), file, joined.sections);
    const what =
      startOutcome === 'timeout'
        ? `bpftrace did not attach the probes of ${names} within ${startTimeoutMs} ms`
        : spawnCode === 'ENOENT'
          ? `bpftrace not found (${bin}) while starting probe script(s) ${names}`
          : `bpftrace exited (${r.signal ?? `code ${String(r.exitCode)}`}) before attaching the probes of ${names}`;
    const fix = startOutcome === 'timeout' ? `check that \`${bin} -e 'BEGIN { exit() }'\` works quickly on this machine, or raise startTimeoutMs` : fixFor(stderr, spawnCode, bin);
    throw new HintbenchError(tail === '' ? what : `${what}: ${tail}`, fix);
  }

  const pid = child.pid ?? -1;
  let stopping: Promise<ProbeReport> | null = null;

  const waitExit = (ms: number): Promise<boolean> =>
    exited
      ? Promise.resolve(true)
      : new Promise((resolve) => {
          const t = setTimeout(() => resolve(false), ms);
          void done.then(() => {
            clearTimeout(t);
            resolve(true);
          });
        });

  const stop = (): Promise<ProbeReport> => {
    stopping ??= (async () => {
      const warnings: string[] = [];
      const exitedBefore = exited;
      if (!exited) {
        // bpftrace exits on SIGINT without reading what is still in its perf buffers, so
        // first fire the sentinel with a fresh token and wait until that token's line has
        // come through (lines of earlier tokens may still be on their way).
        const token = ++nextMark;
        const drained = await waitUntil(() => lastMark >= token || exited, { timeoutMs: DRAIN_TIMEOUT_MS, intervalMs: 10, poke: () => getpgid(token) });
        if (!drained) warnings.push(`bpftrace (pid ${pid}) did not drain its event buffers within ${DRAIN_TIMEOUT_MS} ms: the last events may be missing`);
        child.kill('SIGINT');
        if (!(await waitExit(stopTimeoutMs))) {
          warnings.push(`bpftrace (pid ${pid}) did not exit within ${stopTimeoutMs} ms of SIGINT; it was terminated and its final maps are lost`);
          child.kill('SIGTERM');
          if (!(await waitExit(TERM_GRACE_MS))) {
            child.kill('SIGKILL');
            await done;
          }
        }
      }
      const r = await done;
      if (exitedBefore) {
        const tail = mapErrorLocations(stderrTail(stderr), file, joined.sections);
        warnings.push(
          `bpftrace (pid ${pid}) exited on its own during the session (${r.signal ?? `code ${String(r.exitCode)}`})${tail === '' ? '' : `: ${tail}`}; events after that are missing`,
        );
      }
      for (const line of stderr.split('\n')) {
        if (classifyStderrLine(line) === 'error') warnings.push(`bpftrace: ${mapErrorLocations(line.trim(), file, joined.sections)}`);
      }
      const final: ProbeReport = {
        ...report,
        hints: [...report.hints],
        majorFaults: [...report.majorFaults],
        stalls: [...report.stalls],
        warnings: [...report.warnings, ...warnings],
      };
      if (report.background !== undefined) final.background = [...report.background];
      return finishReport(final);
    })();
    return stopping;
  };

  opts.signal?.addEventListener('abort', () => void stop().catch(() => undefined), { once: true });

  return {
    pid,
    scripts,
    startupMs,
    attachedProbes: attachedProbes - 1,
    snapshot: () => ({ ...report, hints: [...report.hints], majorFaults: [...report.majorFaults], stalls: [...report.stalls], warnings: [...report.warnings] }),
    waitForHints: (tid, fromNs, toNs, count, timeoutMs = 2_000) => {
      const from = Number(fromNs);
      const to = Number(toNs);
      const pick = (): ProbeHint[] => hintsInWindow(report.hints, tid, from, to);
      return new Promise((resolve) => {
        const check = (): void => {
          const got = pick();
          if (got.length >= count || exited) finish(got);
        };
        const timer = setTimeout(() => finish(pick()), timeoutMs);
        const finish = (got: ProbeHint[]): void => {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(got);
        };
        waiters.add(check);
        check();
      });
    },
    stop,
  };
}
