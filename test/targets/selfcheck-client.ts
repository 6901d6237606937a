/**
 * Starting and talking to the self-checking injection targets: test/targets/selfcheck.ts (Node)
 * and test/targets/selfcheck-native.c (registers, XSAVE state, signal mask, rseq; compiled with
 * the system C compiler into a temporary directory). The caller is the targets' parent; a
 * ptrace tracer must always be another process (libuv reaps ptrace stops of its children).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readLines } from '../../core/channel.ts';
import { type CBuild, compileC } from '../../core/process/c-compiler.ts';
import type { SelfcheckReady, SelfcheckStatus } from './selfcheck-protocol.ts';

const SELFCHECK = fileURLToPath(new URL('./selfcheck.ts', import.meta.url));
const NATIVE_SOURCE = fileURLToPath(new URL('./selfcheck-native.c', import.meta.url));

/** A child speaking JSON lines: `next()` resolves with the next parsed line. */
interface LineChild {
  child: ChildProcess;
  next(): Promise<Record<string, unknown>>;
  ask(line: string): Promise<Record<string, unknown>>;
  exited(): boolean;
  exit: Promise<void>;
}

function lineChild(child: ChildProcess, what: string): LineChild {
  let exited = false;
  const exit = new Promise<void>((res) =>
    child.on('exit', () => {
      exited = true;
      res();
    }),
  );
  const waiting: ((msg: Record<string, unknown>) => void)[] = [];
  readLines(child.stdout!, (line) => {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    waiting.shift()?.(msg);
  });
  const next = (): Promise<Record<string, unknown>> =>
    new Promise((res, rej) => {
      if (exited) {
        rej(new Error(`${what} exited`));
        return;
      }
      waiting.push(res);
      void exit.then(() => rej(new Error(`${what} exited`)));
    });
  return {
    child,
    next,
    exit,
    exited: () => exited,
    ask: async (line: string) => {
      const p = next();
      child.stdin!.write(`${line}\n`);
      return p;
    },
  };
}

/** A running selfcheck target. */
export interface Target {
  child: ChildProcess;
  ready: SelfcheckReady;
  pid: number;
  /** Asks for the counters (the main thread must be running). */
  status(): Promise<SelfcheckStatus>;
  /** Re-reads the idle region; resolves with the number of bad pages. */
  verifyIdle(): Promise<number>;
  /** True until the process exits. */
  alive(): boolean;
  /** SIGKILLs the target (by pid) and waits for it to exit. */
  kill(): Promise<void>;
}

/** Starts test/targets/selfcheck.ts with `args` and waits for its ready line. */
export async function startSelfcheck(args: string[]): Promise<Target> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), SELFCHECK, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lc = lineChild(child, 'selfcheck target');
  const ready = (await lc.next()) as unknown as SelfcheckReady;
  return {
    child,
    ready,
    pid: ready.pid,
    status: async () => (await lc.ask(JSON.stringify({ cmd: 'status' }))) as unknown as SelfcheckStatus,
    verifyIdle: async () => Number((await lc.ask(JSON.stringify({ cmd: 'verify-idle' }))).pageFailures),
    alive: () => !lc.exited(),
    kill: async () => {
      if (lc.exited()) return;
      try {
        process.kill(ready.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      await lc.exit;
    },
  };
}

/** Counters of test/targets/selfcheck-native.c. */
export interface NativeStatus {
  type: 'status';
  mode: 'regs' | 'rseq';
  /** Checked loops (regs) or critical sections run (rseq). */
  loops: number;
  /** regs: loops in which a register (or ymm0-15, MXCSR, x87 CW) came back changed, and the last one. */
  regMismatches: number;
  firstBadReg: string;
  /** regs: nanosleep returned an error (EINTR...), or came back before 200 us. */
  sleepErrors: number;
  shortSleeps: number;
  /** regs: loops in which the thread's signal mask was not the one it set. */
  maskErrors: number;
  /** regs: corrupted 4 KiB blocks found by the region checks, and the checks made. */
  memErrors: number;
  memChecks: number;
  /** rseq: critical sections committed, aborted by the kernel, and committed after an interruption (violations). */
  commits: number;
  aborts: number;
  violations: number;
  /** rseq: increments of the competing thread. */
  bcount: number;
  /** rseq: times the registration was moved to another area (`moveRseq()`). */
  rseqMoves: number;
}

/** A running native target. */
export interface NativeTarget {
  pid: number;
  mode: 'regs' | 'rseq';
  /** The 4 MiB region it checks (regs mode) or holds (rseq mode). */
  region: { startAddr: number; lengthBytes: number };
  status(): Promise<NativeStatus>;
  /** rseq mode: moves the checked thread's rseq registration to another area; resolves with the status after the move. */
  moveRseq(): Promise<NativeStatus>;
  alive(): boolean;
  /** Ends it (`exit` on stdin, SIGKILL if it does not go). */
  stop(): Promise<void>;
}

/** Compiles test/targets/selfcheck-native.c (x86_64 only). Throws with the compiler's message on failure. */
export function buildNativeSelfcheck(cc: string): CBuild {
  return compileC(cc, NATIVE_SOURCE, ['-O2', '-pthread']);
}

/** Starts a native target in `mode` and waits for its ready line. */
export async function startNativeSelfcheck(build: CBuild, mode: 'regs' | 'rseq'): Promise<NativeTarget> {
  const child = spawn(build.path, [mode], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lc = lineChild(child, `selfcheck-native ${mode}`);
  const ready = await lc.next();
  return {
    pid: Number(ready.pid),
    mode,
    region: ready.region as NativeTarget['region'],
    status: async () => (await lc.ask('status')) as unknown as NativeStatus,
    moveRseq: async () => (await lc.ask('move-rseq')) as unknown as NativeStatus,
    alive: () => !lc.exited(),
    stop: async () => {
      if (lc.exited()) return;
      child.stdin!.write('exit\n');
      const timer = setTimeout(() => {
        try {
          child.kill('SIGKILL');
        } catch {
          /* gone */
        }
      }, 2000);
      await lc.exit;
      clearTimeout(timer);
    },
  };
}
