/**
 * Runner side of the workload protocol: spawn a workload process, wait for `ready`, send
 * commands and await their replies. The runner is the workload's parent; a ptrace tracer is
 * always a separate process and never the workload's parent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { MemorySpec, Region } from '../core/types.ts';
import type { ChurnSpec } from '../core/schema/race.ts';
import { JsonLinesChannel, type WithoutId } from '../core/channel.ts';
import {
  ProtocolError,
  parseReply,
  type AdvisedReply,
  type Command,
  type MeasuredReply,
  type ReadyReply,
  type Reply,
  type ReplyFor,
  type ChurnLogReply,
  type ResidencyReply,
  type RetouchedReply,
  type TouchSet,
  type TouchedReply,
  type VerifiedReply,
  type WorkloadState,
} from './protocol.ts';
import { WORKING_SET_PROGRAM, type WorkingSetSpec, workingSetArgs } from './working-set-options.ts';

/** Default time to wait for `ready`, ms. */
const DEFAULT_READY_TIMEOUT_MS = 60_000;
/** Default time to wait for one command's reply, ms. */
const DEFAULT_COMMAND_TIMEOUT_MS = 120_000;
/** Time exit() waits for a graceful exit before SIGKILL, ms. */
const DEFAULT_EXIT_GRACE_MS = 2_000;
/** Bytes of the workload's stderr kept for error messages. */
const STDERR_TAIL_BYTES = 4096;

/** How a workload process ended. */
export interface WorkloadExit {
  /** Exit status, or null when killed by a signal. */
  code: number | null;
  /** Signal that killed it, or null. */
  signal: NodeJS.Signals | null;
}

/** Options of spawnWorkload(). */
export interface SpawnOptions {
  /** Aborting kills the workload and rejects whatever is pending. */
  signal?: AbortSignal;
  /** Time to wait for `ready`, ms (default 60 s). */
  timeoutMs?: number;
  /** Time to wait for each command's reply, ms (default 120 s). */
  commandTimeoutMs?: number;
  /** Program to run instead of the spec's workload (a .ts file speaking the same protocol). */
  program?: string;
  /** Arguments of the program instead of the spec's (workloadArgs). */
  args?: string[];
  /**
   * Called with the pid before the workload program starts (it waits in a shell until this
   * settles, then execs): e.g. to put it into a cgroup so that all its memory is charged there.
   * A rejection kills it and fails the spawn.
   */
  beforeStart?: (pid: number) => void | Promise<void>;
}

/** A running workload. */
export interface WorkloadHandle {
  /** Workload process id. */
  readonly pid: number;
  /** Regions it mapped and filled. */
  readonly regions: Region[];
  /** Its page size, bytes. */
  readonly pageSizeBytes: number;
  /** Time from spawn() to the `ready` line, ns (runner's clock). */
  readonly startupNs: number;
  /** Time the workload spent mapping and filling, ns (its own clock). */
  readonly setupNs: number;
  /** Touch every page; resolves with time and fault deltas. */
  retouch(): Promise<RetouchedReply>;
  /** Check every page's checksum. */
  verify(): Promise<VerifiedReply>;
  /** Switch between idling and spinning on the CPU. */
  setState(state: WorkloadState): Promise<void>;
  /** Working-set workload: read hot pages at a fixed rate, timing every access. */
  measure(opts: { batches: number; batchPages: number; intervalUs: number }): Promise<MeasuredReply>;
  /** Working-set workload: read every page of a set, splitting faults by set. */
  touch(set: TouchSet): Promise<TouchedReply>;
  /** Working-set workload: resident pages per set. */
  residency(): Promise<ResidencyReply>;
  /** Working-set workload: hint its own cold set (or both sets) with madvise(2) or process_madvise(2) on its own pid. */
  advise(opts: { advice: 'cold' | 'pageout'; set: 'cold' | 'all'; via: 'madvise' | 'process_madvise' }): Promise<AdvisedReply>;
  /** Churn workload: its mappings still mapped, or unmapped at or after `sinceNs` (CLOCK_MONOTONIC, ns). */
  churnLog(sinceNs: number): Promise<ChurnLogReply>;
  /** Ask it to exit; SIGKILL after `graceMs` (default 2 s). Resolves when it has exited. */
  exit(graceMs?: number): Promise<WorkloadExit>;
  /** SIGKILL it; resolves when it has exited. */
  kill(): Promise<WorkloadExit>;
  /** Settles (never rejects) when the process has exited. */
  readonly exited: Promise<WorkloadExit>;
}

/** The workload program for a memory spec: one program maps every kind (workloads/kinds.ts). */
export function workloadPath(_spec: MemorySpec): string {
  return fileURLToPath(new URL('./anon.ts', import.meta.url));
}

/** The command line arguments of the workload program for a spec. */
export function workloadArgs(spec: MemorySpec): string[] {
  const args = ['--size-mib', String(spec.sizeMiB), '--content', spec.content, '--vmas', String(spec.vmas)];
  return spec.kind === 'anon' ? args : [...args, '--kind', spec.kind];
}

/**
 * Spawns the working-set workload (workloads/working-set.ts) for `spec`; `fileDir` is where
 * file-backed kinds put their files (default: the OS temporary directory).
 */
export function spawnWorkingSet(spec: WorkingSetSpec, opts: SpawnOptions & { fileDir?: string } = {}): Promise<WorkloadHandle> {
  const { fileDir, ...rest } = opts;
  const asMemory: MemorySpec = { kind: spec.hot.kind, content: spec.hot.content, sizeMiB: spec.hot.sizeMiB + spec.cold.sizeMiB, vmas: 2 };
  return spawnWorkload(asMemory, { ...rest, program: WORKING_SET_PROGRAM, args: workingSetArgs(spec, fileDir) });
}

/** The churn workload's program. */
export const CHURN_PROGRAM = fileURLToPath(new URL('./churn.ts', import.meta.url));

/** The churn workload's command line for a spec (workloads/churn.ts). */
export function churnArgs(spec: ChurnSpec, seed: number): string[] {
  return ['--slots', String(spec.slots), '--ops-per-sec', String(spec.opsPerSec), '--min-kib', String(spec.minKiB), '--max-kib', String(spec.maxKiB), '--seed', String(seed)];
}

/** The memory a churn workload maps at most, as a memory spec: `slots` anonymous VMAs of up to maxKiB each. */
export function churnMemorySpec(spec: ChurnSpec): MemorySpec {
  return { kind: 'anon', content: 'mixed', sizeMiB: Math.max(1, Math.ceil((spec.slots * spec.maxKiB) / 1024)), vmas: spec.slots };
}

/** Spawns the churn workload (workloads/churn.ts) for `spec`; `seed` fixes its choices of slot and length. */
export function spawnChurn(spec: ChurnSpec, seed: number, opts: SpawnOptions = {}): Promise<WorkloadHandle> {
  return spawnWorkload(churnMemorySpec(spec), { ...opts, program: CHURN_PROGRAM, args: churnArgs(spec, seed) });
}

/** Absolute URL of tsx's loader, so workloads start whatever the current directory is. */
function tsxLoader(): string {
  try {
    return import.meta.resolve('tsx');
  } catch {
    return 'tsx';
  }
}

/** Longest stderr summary put into an error message, characters. */
const STDERR_SUMMARY_CHARS = 400;

/**
 * A workload's stderr tail as one line: blank lines, stack frames (`at ...`, `12: ...`) and
 * separators dropped, the last three lines left joined with ` | `, at most 400 characters.
 */
export function stderrSummary(tail: string): string {
  const lines = tail
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^(at\s|\d+:\s|-{3,}|\^+$|Node\.js v\d)/.test(l));
  const text = lines.slice(-3).join(' | ');
  return text.length <= STDERR_SUMMARY_CHARS ? text : `...${text.slice(-(STDERR_SUMMARY_CHARS - 3))}`;
}

/** An error about one workload process; its message is one line, ending with a summary of its stderr. */
export class WorkloadError extends Error {
  /** Workload process id (0 if it never started). */
  readonly pid: number;
  /** Last bytes of its stderr, as written. */
  readonly stderrTail: string;
  constructor(pid: number, what: string, stderrTail: string) {
    const tail = stderrSummary(stderrTail);
    super(`workload ${pid}: ${what}${tail === '' ? '' : `; its stderr ends with: ${tail}`}`);
    this.name = 'WorkloadError';
    this.pid = pid;
    this.stderrTail = stderrTail;
  }
}

/**
 * Spawns the workload for `spec` (node --import tsx <program>) with piped stdio and resolves
 * once it has announced its regions. Rejects with a WorkloadError naming the pid and stderr
 * tail if it dies, times out, is aborted or writes something that is not the protocol.
 */
export function spawnWorkload(spec: MemorySpec, opts: SpawnOptions = {}): Promise<WorkloadHandle> {
  const readyTimeoutMs = opts.timeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const commandTimeoutMs = opts.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const t0 = process.hrtime.bigint();
  if (opts.signal?.aborted) return Promise.reject(new WorkloadError(0, 'aborted before spawn', ''));

  const argv = ['--import', tsxLoader(), opts.program ?? workloadPath(spec), ...(opts.args ?? workloadArgs(spec))];
  const env = { ...process.env, HBW_PARENT_PID: String(process.pid) };
  // With beforeStart, a shell waits for one line on stdin (read consumes nothing more), then
  // becomes the workload: same pid, same parent, same pipes.
  const child: ChildProcess =
    opts.beforeStart === undefined
      ? spawn(process.execPath, argv, { stdio: ['pipe', 'pipe', 'pipe'], env })
      : spawn('/bin/sh', ['-c', 'read -r _ && exec "$@"', 'hbw-start', process.execPath, ...argv], { stdio: ['pipe', 'pipe', 'pipe'], env });
  const pid = child.pid ?? 0;
  let stderrTail = '';
  let dead: WorkloadExit | null = null;
  let failure: WorkloadError | null = null;
  let onReady: ((r: ReadyReply) => void) | null = null;
  let onReadyFail: ((e: Error) => void) | null = null;

  const exited = new Promise<WorkloadExit>((resolve) => {
    child.once('exit', (code, signal) => {
      dead = { code, signal };
      resolve(dead);
    });
  });

  const killNow = (): void => {
    if (dead === null) child.kill('SIGKILL');
  };
  const channel = new JsonLinesChannel<WithoutId<Command>, Reply>({
    input: child.stdout!,
    output: child.stdin!,
    parse: parseReply,
    // `ready` and an error that names no command answer no request.
    idOf: (r) => (r.type === 'ready' ? undefined : r.id),
    onEvent: (r) => {
      if (r.type !== 'ready') throw new ProtocolError(`error without id: ${r.type === 'error' ? r.message : r.type}`);
      if (onReady === null) {
        failAll('protocol violation: a second ready line');
        killNow();
        return;
      }
      onReady(r);
      onReady = null;
      onReadyFail = null;
    },
    onViolation: (e) => {
      failAll(`protocol violation: ${e.message}`);
      killNow();
    },
    timeoutMs: commandTimeoutMs,
    error: (what) => new WorkloadError(pid, what, stderrTail),
  });

  /** Fails every waiter with one error; later calls fail the same way. */
  function failAll(what: string): void {
    failure ??= new WorkloadError(pid, what, stderrTail);
    channel.close(failure);
    onReadyFail?.(failure);
    onReady = null;
    onReadyFail = null;
  }

  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => {
    stderrTail = (stderrTail + s).slice(-STDERR_TAIL_BYTES);
  });
  child.on('error', (e) => failAll(`could not be started: ${e.message}`));
  // 'close' comes after stdio has drained, so the stderr tail is complete.
  child.once('close', (code, signal) => failAll(`exited (${signal === null ? `status ${code}` : `signal ${signal}`})`));

  const onAbort = (): void => {
    failAll('aborted');
    killNow();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  void exited.then(() => opts.signal?.removeEventListener('abort', onAbort));

  /** Sends a command and resolves with its reply when that has the expected type. */
  async function request<K extends keyof ReplyFor>(cmd: WithoutId<Extract<Command, { type: K }>>, expect: ReplyFor[K]['type'], timeoutMs?: number): Promise<ReplyFor[K]> {
    const reply = await channel.request(cmd, { what: `${cmd.type} (expected ${expect})`, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
    if (reply.type === 'error') throw new WorkloadError(pid, `command ${expect} failed: ${reply.message}`, stderrTail);
    if (reply.type !== expect) throw new WorkloadError(pid, `expected a ${expect} reply, got ${reply.type}`, stderrTail);
    return reply as ReplyFor[K];
  }

  const kill = async (): Promise<WorkloadExit> => {
    killNow();
    return exited;
  };

  if (opts.beforeStart !== undefined && pid > 0) {
    const hook = opts.beforeStart;
    void (async () => {
      try {
        await hook(pid);
        child.stdin?.write('\n');
      } catch (err) {
        failAll(`could not be prepared: ${(err as Error).message}`);
        killNow();
      }
    })();
  }

  return new Promise<WorkloadHandle>((resolve, reject) => {
    const timer = setTimeout(() => {
      failAll(`not ready within ${readyTimeoutMs} ms`);
      killNow();
    }, readyTimeoutMs);
    onReadyFail = (e) => {
      clearTimeout(timer);
      killNow();
      reject(e);
    };
    onReady = (ready) => {
      clearTimeout(timer);
      const startupNs = Number(process.hrtime.bigint() - t0);
      resolve({
        pid,
        regions: ready.regions,
        pageSizeBytes: ready.pageSizeBytes,
        startupNs,
        setupNs: ready.setupNs,
        exited,
        retouch: () => request<'retouch'>({ type: 'retouch' }, 'retouched'),
        verify: () => request<'verify'>({ type: 'verify' }, 'verified'),
        setState: async (state) => {
          await request<'state'>({ type: 'state', state }, 'state');
        },
        // The reply comes after the last batch: wait that long on top of the usual timeout.
        measure: (m) => request<'measure'>({ type: 'measure', ...m }, 'measured', commandTimeoutMs + Math.ceil((m.batches * m.intervalUs) / 1000)),
        touch: (set) => request<'touch'>({ type: 'touch', set }, 'touched'),
        residency: () => request<'residency'>({ type: 'residency' }, 'residency'),
        advise: (a) => request<'advise'>({ type: 'advise', ...a }, 'advised'),
        churnLog: (sinceNs) => request<'churnlog'>({ type: 'churnlog', sinceNs }, 'churnlog'),
        exit: async (graceMs = DEFAULT_EXIT_GRACE_MS) => {
          if (dead !== null) return dead;
          const timer2 = setTimeout(killNow, graceMs);
          request<'exit'>({ type: 'exit' }, 'exiting').catch(() => {
            /* it may exit before the reply is read */
          });
          const how = await exited;
          clearTimeout(timer2);
          return how;
        },
        kill,
      });
    };
  });
}
