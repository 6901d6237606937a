/**
 * Targets and a runner for `hintbench hint` CLI tests: python3 processes from
 * test/fixtures/workloads/live-target.py (plain, threads, exit-main, zombie), and the CLI
 * run as a child with its output captured.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { holdsPidfd } from '../../../core/proc/tasks.ts';
import { createInterface } from 'node:readline';
import { python3Path } from '../../helpers/foreign.ts';

export const CLI = new URL('../../../bench/hintbench.js', import.meta.url).pathname;
const TARGET = new URL('../../fixtures/workloads/live-target.py', import.meta.url).pathname;

/** A running live-target.py. */
export interface LiveTargetProcess {
  pid: number;
  /** Thread ids: the main thread first, then the second thread (threads, exit-main). */
  tids: number[];
  /** Its random-filled region [start, end). */
  region: [number, number];
  /** The unreaped child (zombie mode). */
  zombie: number | null;
  /** `START-END` of the region, in hex, for --ranges. */
  range: string;
  kill(): Promise<void>;
}

/** Starts live-target.py in `mode` with `sizeMiB` of random data; resolves once it has printed its line. */
export async function startLiveTarget(mode: 'plain' | 'threads' | 'exit-main' | 'zombie', sizeMiB = 16): Promise<LiveTargetProcess> {
  const child: ChildProcess = spawn(python3Path(), [TARGET, mode, String(sizeMiB)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (l) => resolve(l));
    child.once('exit', (code) => reject(new Error(`live-target.py ${mode} exited (${code}) before it was ready`)));
  });
  const info = JSON.parse(line) as { pid: number; tids: number[]; region: [number, number]; zombie: number | null };
  if (mode === 'exit-main') {
    // the main thread's exit is asynchronous: wait until it is a zombie
    await until(() => taskState(info.pid, info.pid) === 'Z', 10_000);
  }
  return {
    ...info,
    range: `${info.region[0].toString(16)}-${info.region[1].toString(16)}`,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** State letter of thread `tid` of `pid`, or '' when it is gone. */
export function taskState(pid: number, tid: number): string {
  try {
    const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).charAt(0);
  } catch {
    return '';
  }
}

/** True while a process has not finished (gone or zombie means finished). */
export function running(pid: number): boolean {
  const s = taskState(pid, pid);
  return s !== '' && s !== 'Z' && s !== 'X';
}

/** Polls `pred` every 20 ms until it holds; false after `timeoutMs`. */
export async function until(pred: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return pred();
}

/** CPU time (user + system) process `pid` has used, in clock ticks (USER_HZ, 100 per second), or -1 when it is gone. */
export function cpuTicks(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // fields 14 (utime) and 15 (stime)
  } catch {
    return -1;
  }
}

/**
 * Resolves once hintbench process `pid` is hinting: its pidfd is open (the process_madvise
 * mechanism opens it right before the first hint) and it has used `ticks` more clock ticks
 * of CPU since then, which only the hint loop spends. CPU time, unlike wall time, does not
 * run on while a loaded machine keeps the process waiting.
 */
export async function hinting(pid: number, ticks = 10, timeoutMs = 60_000): Promise<boolean> {
  if (!(await until(() => holdsPidfd(pid), timeoutMs))) return false;
  const from = cpuTicks(pid);
  return until(() => cpuTicks(pid) >= from + ticks, timeoutMs);
}

/** One CLI run's outcome. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion. */
export function cli(args: string[], timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** stderr lines that are not blank. */
export function errorLines(r: CliResult): string[] {
  return r.stderr.split('\n').filter((l) => l.trim() !== '');
}
