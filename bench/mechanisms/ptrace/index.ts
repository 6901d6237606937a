/**
 * The `ptrace` mechanism: madvise(2) injected into the target by a dedicated tracer process
 * (tracer-main.ts). The tracer is a sibling of the workloads, never their parent, and does
 * every ptrace call synchronously on its main thread; this class only talks JSON lines to it.
 * The tracer runs in a session and process group of its own: a SIGKILL sent to the runner's
 * group does not reach it, and it finishes the injection in progress before it leaves.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { HintbenchError } from '../../../core/errors.ts';
import { ADVICE_VALUE } from '../../../core/sys/syscall.ts';
import type { HintOutcome } from '../../../core/types.ts';
import type { HintRequest, HintTarget, Mechanism } from '../mechanism.ts';
import { madviseErrorName, type InjectionReport, type InjectRequest } from './injector.ts';
import { targetFate } from './target-fate.ts';
import type { TracerReady, TracerRequest, TracerResponse } from './protocol.ts';

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
  const skipped = report.results
    .filter((r) => r.ret !== 0)
    .map((r) => ({ startAddr: r.startAddr, lengthBytes: r.lengthBytes, reason: madviseErrorName(r.ret) }));
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

/** A tracer request before the client numbers it. */
type RequestWithoutId = TracerRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

/** A running tracer process and its pending requests. */
class TracerClient {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<number, (r: TracerResponse) => void>();
  private nextId = 1;
  private exited = false;
  /** How the process ended (for errors of requests sent after that). */
  private exitDescription = 'the ptrace tracer process is not running';
  readonly ready: Promise<TracerReady>;
  readonly exit: Promise<number | null>;

  constructor() {
    const tsx = import.meta.resolve('tsx');
    this.child = spawn(process.execPath, ['--import', tsx, TRACER_MAIN], { stdio: ['pipe', 'pipe', 'inherit'], detached: true });
    let resolveReady!: (r: TracerReady) => void;
    let rejectReady!: (e: Error) => void;
    this.ready = new Promise((res, rej) => { resolveReady = res; rejectReady = rej; });
    this.exit = new Promise((res) => {
      // 'close' (not 'exit'): stdout is drained first, so a response written just before exiting is not lost.
      this.child.on('close', (code, signal) => {
        this.exited = true;
        const how = signal !== null ? `was killed by ${signal}` : `exited (code ${code})`;
        this.exitDescription = `the ptrace tracer process (pid ${this.child.pid}) ${how}`;
        rejectReady(new HintbenchError(`the ptrace tracer process ${how} before it was ready`, `run \`node --import tsx ${TRACER_MAIN}\` to see why`));
        for (const [id, cb] of this.waiting) cb({ id, ok: false, error: `the ptrace tracer process (pid ${this.child.pid}) ${how}` });
        this.waiting.clear();
        res(code);
      });
    });
    this.child.on('error', (err) => rejectReady(new HintbenchError(`cannot start the ptrace tracer: ${err.message}`, 'check that node and tsx are installed', { cause: err })));
    const rl = createInterface({ input: this.child.stdout! });
    rl.on('line', (line) => {
      let msg: TracerResponse | TracerReady;
      try { msg = JSON.parse(line) as TracerResponse | TracerReady; } catch { return; }
      if ('event' in msg) { resolveReady(msg); return; }
      const cb = this.waiting.get(msg.id);
      if (cb !== undefined) { this.waiting.delete(msg.id); cb(msg); }
    });
  }

  /** The tracer's pid. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True while the process runs. */
  get alive(): boolean {
    return !this.exited;
  }

  /** Sends a request and resolves with its response. */
  request(req: RequestWithoutId): Promise<TracerResponse> {
    if (this.exited) return Promise.resolve({ id: -1, ok: false, error: this.exitDescription });
    const id = this.nextId++;
    return new Promise((res) => {
      this.waiting.set(id, res);
      this.child.stdin!.write(JSON.stringify({ ...req, id }) + '\n');
    });
  }

  /** Asks the tracer to finish and exit; SIGTERM (handled gracefully, never mid-injection) after `timeoutMs`. */
  async shutdown(timeoutMs: number): Promise<void> {
    if (this.exited) return;
    void this.request({ cmd: 'shutdown' });
    this.child.stdin!.end();
    const timer = setTimeout(() => { if (!this.exited) this.child.kill('SIGTERM'); }, timeoutMs);
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
    const r = await this.tracer.request({ cmd: 'inject', ...req });
    if (!r.ok) {
      if (!this.tracer.alive) {
        const fate = targetFate(req.pid, req.tid ?? req.pid);
        throw new HintbenchError(
          `${r.error} during an injection into pid ${req.pid}; ${fate.sentence}`,
          fate.alive ? 'nothing to repair: the target returns to its own context by itself; rerun to hint again' : `pid ${req.pid} was lost during the injection: report it with this message`,
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
    for (const pid of this.pinned) if (t !== null && t.alive) await t.request({ cmd: 'unpin', pid });
    this.pinned.clear();
  }

  /** Stops the tracer process (it finishes any injection in progress first). */
  async dispose(): Promise<void> {
    const t = this.tracer;
    this.tracer = null;
    if (t !== null) await t.shutdown(this.opts.closeTimeoutMs ?? 5000);
  }
}
