/**
 * The `ptrace` mechanism: madvise(2) injected into the target by a dedicated tracer process
 * (tracer-main.ts). The tracer is a sibling of the workloads, never their parent, and does
 * every ptrace call synchronously on its main thread; this class only talks JSON lines to it.
 * The tracer runs in a session and process group of its own: a SIGKILL sent to the runner's
 * group does not reach it, and it finishes the injection in progress before it leaves.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HintbenchError } from '../../../core/errors.ts';
import { ADVICE_VALUE } from '../../../core/sys/syscall.ts';
import type { HintOutcome } from '../../../core/types.ts';
import { JsonLinesChannel, type WithoutId } from '../../../core/channel.ts';
import type { HintRequest, HintTarget, Mechanism } from '../mechanism.ts';
import { madviseErrorName, type InjectionReport, type InjectRequest } from './injector.ts';
import { targetFate } from './target-fate.ts';
import { parseTracerLine, type TracerReady, type TracerRequest, type TracerResponse } from './protocol.ts';

/** A hint outcome with the injector's own account of what it did. */
export type PtraceHintOutcome = HintOutcome & { injection: InjectionReport };

/** Options of the ptrace mechanism. */
export interface PtraceMechanismOptions {
  /** How long the tracer waits for the target to stop, in ms (default 2000). */
  stopTimeoutMs?: number;
  /** Thaw cgroup-frozen targets for the injection and re-freeze them (default true). */
  thawFrozen?: boolean;
  /** How long close() waits for the tracer to exit before sending SIGTERM, in ms (default 5000). */
  closeTimeoutMs?: number;
}

const TRACER_MAIN = fileURLToPath(new URL('./tracer-main.ts', import.meta.url));

/** Converts an injection report into the suite's HintOutcome. */
export function outcomeFromReport(report: InjectionReport): PtraceHintOutcome {
  const skipped = report.results.filter((r) => r.ret !== 0).map((r) => ({ startAddr: r.startAddr, lengthBytes: r.lengthBytes, reason: madviseErrorName(r.ret) }));
  return {
    bytesAdvised: report.bytesAdvised,
    userLatencyNs: report.latencyNs,
    syscalls: report.syscalls,
    syscallTid: report.tid,
    skipped,
    injectorStopNs: report.stopWindowNs,
    callerCpuNs: report.callerCpuNs,
    error: report.error === null ? null : `${report.errorCode ?? 'EINJECT'}: ${report.error}`,
    injection: report,
  };
}

/** Longest wait for the tracer's `ready` line (start-up compiles TypeScript and runs the warm-up injections), in ms. */
const READY_TIMEOUT_MS = 60_000;
/** Longest wait for the answer to a request that injects nothing (pin, unpin, ping, shutdown), in ms. */
const CONTROL_TIMEOUT_MS = 60_000;
/** Base allowance of an injection, in ms, before its stop waits and its bytes are counted. */
const INJECT_BASE_TIMEOUT_MS = 120_000;
/** Stop waits an injection's allowance counts (each wait for a stop is bounded by stopTimeoutMs in the tracer). */
const INJECT_STOP_WAITS = 20;
/** Slowest advice rate an injection's allowance assumes, in bytes per ms (16 MiB/s, ~1/100 of PAGEOUT to zram on an idle machine). */
const INJECT_MIN_BYTES_PER_MS = (16 * 1024 * 1024) / 1000;

/**
 * How long the mechanism waits for the tracer's answer to an injection, in ms. The tracer
 * bounds every wait for a stop of the target by `stopTimeoutMs` (default 2000), but the
 * injected madvise calls themselves run as long as the kernel needs: PAGEOUT of a large range
 * into a slow swap device on a loaded machine, or a frozen target being thawed and re-frozen.
 * The allowance is therefore generous, so that it cannot fire during a legitimate injection:
 * 120 s, plus 20 stop timeouts, plus the advised bytes at 16 MiB/s (512 MiB: +32 s). Requests
 * are sent one at a time, so the clock runs only while this injection is the tracer's.
 */
export function injectTimeoutMs(req: Pick<InjectRequest, 'ranges' | 'stopTimeoutMs'>): number {
  const bytes = req.ranges.reduce((sum, r) => sum + r.lengthBytes, 0);
  return Math.ceil(INJECT_BASE_TIMEOUT_MS + INJECT_STOP_WAITS * (req.stopTimeoutMs ?? 2000) + bytes / INJECT_MIN_BYTES_PER_MS);
}

/** A request the tracer did not answer in time. */
class TracerTimeout extends Error {}

/**
 * A running tracer process, talked to over core/channel.ts. Requests go one at a time (the
 * tracer serves them in order, synchronously), each with a timeout. Nothing here ever kills
 * the tracer: a timeout or a protocol violation ends the conversation and asks the tracer to
 * leave (stdin closed, SIGTERM later), which it does only between injections.
 */
export class TracerClient {
  private readonly child: ChildProcess;
  private readonly channel: JsonLinesChannel<WithoutId<TracerRequest>, TracerReady | TracerResponse>;
  /** The request before the next one (requests are chained, so each timeout covers its own request only). */
  private queue: Promise<unknown> = Promise.resolve();
  private exited = false;
  /** A request went unanswered within its timeout (the tracer was asked to leave). */
  timedOut = false;
  /** True once `ready` arrived (a second one is a protocol violation). */
  private isReady = false;
  readonly ready: Promise<TracerReady>;
  /** Resolves with how the process ended. */
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  /** @param program the tracer's program and its arguments (tracer-main.ts; another one only in tests) */
  constructor(program: string = TRACER_MAIN, args: readonly string[] = []) {
    const tsx = import.meta.resolve('tsx');
    this.child = spawn(process.execPath, ['--import', tsx, program, ...args], { stdio: ['pipe', 'pipe', 'inherit'], detached: true });
    let resolveReady!: (r: TracerReady) => void;
    let rejectReady!: (e: Error) => void;
    this.ready = new Promise((res, rej) => {
      resolveReady = res;
      rejectReady = rej;
    });
    // The caller may never wait for `ready` (e.g. a failure after start-up): no unhandled rejection.
    this.ready.catch(() => {});
    const pid = this.child.pid;
    this.channel = new JsonLinesChannel<WithoutId<TracerRequest>, TracerReady | TracerResponse>({
      input: this.child.stdout!,
      output: this.child.stdin!,
      parse: parseTracerLine,
      idOf: (m) => ('event' in m ? undefined : m.id),
      onEvent: (m) => {
        if (!('event' in m) || this.isReady) throw new Error('a second ready line');
        this.isReady = true;
        resolveReady(m);
      },
      onViolation: (err) => {
        rejectReady(new HintbenchError(`the ptrace tracer (pid ${pid}) broke the protocol: ${err.message}`, 'report this message'));
        this.leave();
      },
      timeoutMs: CONTROL_TIMEOUT_MS,
      error: (what) => new TracerTimeout(what),
    });
    const readyTimer = setTimeout(() => {
      const err = new HintbenchError(`the ptrace tracer (pid ${pid}) was not ready within ${READY_TIMEOUT_MS} ms`, 'the machine may be overloaded: retry, or run hintbench doctor');
      rejectReady(err);
      this.channel.close(err);
      this.leave();
    }, READY_TIMEOUT_MS);
    void this.ready.then(
      () => clearTimeout(readyTimer),
      () => clearTimeout(readyTimer),
    );
    this.exit = new Promise((res) => {
      // 'close' (not 'exit'): stdout is drained first, so a response written just before exiting is not lost.
      this.child.on('close', (code, signal) => {
        this.exited = true;
        const how = signal !== null ? `was killed by ${signal}` : `exited (code ${code})`;
        rejectReady(new HintbenchError(`the ptrace tracer process ${how} before it was ready`, `run \`node --import tsx ${program}\` to see why`));
        this.channel.close(new Error(`the ptrace tracer process (pid ${pid}) ${how}`));
        res({ code, signal });
      });
    });
    this.child.on('error', (err) => {
      const e = new HintbenchError(`cannot start the ptrace tracer: ${err.message}`, 'check that node and tsx are installed', { cause: err });
      rejectReady(e);
      this.channel.close(e);
    });
  }

  /** The tracer's pid. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True while the process runs and the conversation with it is open. */
  get alive(): boolean {
    return !this.exited && this.channel.closedWith === null;
  }

  /**
   * Sends a request after the previous one was answered and resolves with its response. A
   * failure to get one (the tracer gone, the protocol broken, no answer within `timeoutMs`)
   * resolves as `{ok: false}` with the reason; after a timeout the tracer is asked to leave.
   */
  request(req: WithoutId<TracerRequest>, timeoutMs: number = CONTROL_TIMEOUT_MS): Promise<TracerResponse> {
    const what = req.cmd === 'inject' ? `the injection into pid ${req.pid}` : `${req.cmd}`;
    const answer = this.queue.then(async (): Promise<TracerResponse> => {
      try {
        return (await this.channel.request(req, { timeoutMs, what })) as TracerResponse;
      } catch (err) {
        if (err instanceof TracerTimeout) {
          // The tracer may still be inside the injection: never kill it, let it finish and leave.
          this.timedOut = true;
          this.channel.close(new Error(`the ptrace tracer (pid ${this.child.pid}) gave ${err.message}`));
          this.leave();
        }
        return { id: -1, ok: false, error: this.channel.closedWith?.message ?? (err as Error).message };
      }
    });
    this.queue = answer;
    return answer;
  }

  /** Asks the tracer to finish what it is doing and exit: stdin closes (it exits after the current request). */
  private leave(): void {
    this.child.stdin?.end();
  }

  /** Asks the tracer to finish and exit; SIGTERM (handled gracefully, never mid-injection) after `timeoutMs`. */
  async shutdown(timeoutMs: number): Promise<void> {
    if (this.exited) return;
    // Written at once (not queued), so it goes out before stdin closes; the answer is not needed.
    if (this.channel.closedWith === null) this.channel.request({ cmd: 'shutdown' }, { what: 'shutdown' }).catch(() => {});
    this.leave();
    const timer = setTimeout(() => {
      if (!this.exited) this.child.kill('SIGTERM');
    }, timeoutMs);
    await this.exit;
    clearTimeout(timer);
  }
}

/**
 * Delivers hints by injecting madvise(2) into the target (x86_64). One tracer process per
 * mechanism instance, started by the first open() and stopped by dispose().
 */
export class PtraceMechanism implements Mechanism {
  readonly name = 'ptrace' as const;
  private tracer: TracerClient | null = null;
  private readonly opts: PtraceMechanismOptions;
  /** Pids pinned by open() and not yet unpinned by close(). */
  private readonly pinned = new Set<number>();

  constructor(opts: PtraceMechanismOptions = {}) {
    this.opts = opts;
  }

  /** Pid of the tracer process, once started. */
  get tracerPid(): number | undefined {
    return this.tracer?.pid;
  }

  async open(target: HintTarget): Promise<void> {
    if (process.arch !== 'x64') throw new HintbenchError(`ptrace injection is not supported on ${process.arch}`, 'use --via process_madvise');
    if (!existsSync(`/proc/${target.pid}`)) throw new HintbenchError(`target pid ${target.pid} does not exist`, 'check the pid with `ps -p PID`');
    const tid = target.tid ?? target.pid;
    if (!existsSync(`/proc/${target.pid}/task/${tid}`)) throw new HintbenchError(`thread ${tid} is not a thread of pid ${target.pid}`, `pick a tid from /proc/${target.pid}/task`);
    if (this.tracer === null || !this.tracer.alive) {
      this.tracer = new TracerClient();
      await this.tracer.ready;
    }
    // Pin the target's identity before its first injection (a pid reused later is refused).
    const pinned = await this.tracer.request({ cmd: 'pin', pid: target.pid });
    if (!pinned.ok) throw new HintbenchError(`target pid ${target.pid} cannot be pinned: ${pinned.error}`, 'check that the process still exists (ps -p PID)');
    this.pinned.add(target.pid);
  }

  /**
   * Sends one injection to the tracer and returns its report. When the tracer dies during
   * it, the error says what became of the target (alive, or killed by which signal).
   */
  async inject(req: InjectRequest): Promise<InjectionReport> {
    if (this.tracer === null) throw new Error('ptrace mechanism: open() was not called');
    const r = await this.tracer.request({ cmd: 'inject', ...req }, injectTimeoutMs(req));
    if (!r.ok) {
      if (this.tracer.timedOut) {
        throw new HintbenchError(
          `${r.error}; it was asked to finish the injection and exit (a tracer is never killed in the middle of one)`,
          `look at pid ${req.pid} (frozen, or starved of CPU?); hint fewer or smaller ranges per call, or raise the stop timeout`,
        );
      }
      if (!this.tracer.alive) {
        const fate = targetFate(req.pid, req.tid ?? req.pid);
        throw new HintbenchError(
          `${r.error} during an injection into pid ${req.pid}; ${fate.sentence}`,
          fate.alive
            ? 'nothing to repair: the target returns to its own context by itself; rerun to hint again'
            : `pid ${req.pid} was lost during the injection: report it with this message`,
        );
      }
      throw new HintbenchError(`ptrace tracer failed: ${r.error}`, 'run hintbench doctor');
    }
    if (!('report' in r)) throw new Error('ptrace tracer answered an inject with no report');
    return r.report;
  }

  async hint(request: HintRequest): Promise<PtraceHintOutcome> {
    const report = await this.inject({
      pid: request.target.pid,
      tid: request.target.tid ?? request.target.pid,
      advice: ADVICE_VALUE[request.advice],
      ranges: request.ranges,
      ...(this.opts.stopTimeoutMs === undefined ? {} : { stopTimeoutMs: this.opts.stopTimeoutMs }),
      ...(this.opts.thawFrozen === undefined ? {} : { thawFrozen: this.opts.thawFrozen }),
    });
    return outcomeFromReport(report);
  }

  /** Unpins the targets opened so far; the tracer stays up for the next one. */
  async close(): Promise<void> {
    const t = this.tracer;
    for (const pid of this.pinned) if (t?.alive) await t.request({ cmd: 'unpin', pid });
    this.pinned.clear();
  }

  /** Stops the tracer process (it finishes any injection in progress first). */
  async dispose(): Promise<void> {
    const t = this.tracer;
    this.tracer = null;
    if (t !== null) await t.shutdown(this.opts.closeTimeoutMs ?? 5000);
  }
}
