/**
 * The race family's remedies: ways of holding the target still from the maps read to the end
 * of the hint (SIGSTOP/SIGCONT, the cgroup freezer, a ptrace seize+interrupt by a holder
 * process), each undone completely by its release.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readLines } from '../../core/channel.ts';
import { HintbenchError } from '../../core/errors.ts';
import { readProcStat } from '../../core/proc/stat.ts';
import { waitUntil } from '../../core/process/wait.ts';
import type { RaceRemedy } from '../../core/schema/race.ts';
import { freezeProcess, thawAndRemove } from '../runner/freeze.ts';

/** Longest wait for a stop, a resume or the holder's answer, ms. */
const HOLD_TIMEOUT_MS = 5000;

/** A target held still by a remedy. */
export interface Hold {
  /** When the remedy was asked for (CLOCK_MONOTONIC, ns). */
  requestedNs: number;
  /** When the target was known to be held, ns. */
  heldNs: number;
  /** Lets the target run again; resolves with the time it was known to run again (ns). Never call twice. */
  release(): Promise<number>;
}

const nowNs = (): number => Number(process.hrtime.bigint());

/** The state letter of /proc/PID/stat; throws when the process is gone. */
function stateOf(pid: number): string {
  const stat = readProcStat(pid);
  if (stat === null) throw new HintbenchError(`pid ${pid} exited while it was being held`, 'check the workload (its stderr is in the sample errors)');
  return stat.state;
}

/** Waits until `pid`'s state letter is (or, with `not`, is no longer) one of `states`. */
async function waitState(pid: number, states: string[], not = false): Promise<void> {
  let last = '?';
  const ok = await waitUntil(
    () => {
      last = stateOf(pid);
      return states.includes(last) !== not;
    },
    { timeoutMs: HOLD_TIMEOUT_MS, intervalMs: 1 },
  );
  if (!ok) throw new HintbenchError(`pid ${pid} is still in state '${last}' after ${HOLD_TIMEOUT_MS} ms`, 'check whether the machine is overloaded');
}

/** SIGSTOP, then SIGCONT: the target is held once its state is `T`. */
async function holdBySignal(pid: number): Promise<Hold> {
  const requestedNs = nowNs();
  process.kill(pid, 'SIGSTOP');
  await waitState(pid, ['T']);
  return {
    requestedNs,
    heldNs: nowNs(),
    release: async () => {
      process.kill(pid, 'SIGCONT');
      await waitState(pid, ['T', 't'], true);
      return nowNs();
    },
  };
}

/** The cgroup freezer (bench/runner/freeze.ts): a cgroup of its own, frozen, then thawed and removed. */
async function holdByFreezer(pid: number): Promise<Hold> {
  const requestedNs = nowNs();
  const cg = await freezeProcess(pid);
  return {
    requestedNs,
    heldNs: nowNs(),
    release: async () => {
      await thawAndRemove(cg);
      return nowNs();
    },
  };
}

const HOLDER_MAIN = fileURLToPath(new URL('./ptrace-holder-main.ts', import.meta.url));

/** A line of the holder process. */
type HolderLine = { held: true; seizedNs: number; atNs: number } | { held: false; error: string } | { released: true; atNs: number };

/**
 * A holder process (ptrace-holder-main.ts) seizes and interrupts the target and keeps it in
 * that stop until the release. Its start-up is not part of the hold: the remedy counts
 * from its seize.
 */
async function holdByPtrace(pid: number): Promise<Hold> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), HOLDER_MAIN, String(pid)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => {
    stderr = (stderr + s).slice(-2000);
  });
  const lines: HolderLine[] = [];
  let wake: (() => void) | null = null;
  readLines(child.stdout, (line) => {
    if (line.trim() === '') return;
    try {
      lines.push(JSON.parse(line) as HolderLine);
    } catch {
      stderr += `\nunreadable line: ${line}`;
    }
    wake?.();
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  void exited.then(() => wake?.());
  let closed = false;
  void exited.then(() => {
    closed = true;
  });
  const next = async (what: string): Promise<HolderLine> => {
    const deadline = Date.now() + HOLD_TIMEOUT_MS * 4;
    while (lines.length === 0) {
      if (closed || Date.now() > deadline) {
        child.kill('SIGTERM');
        throw new HintbenchError(
          `the ptrace holder of pid ${pid} gave no ${what}${stderr === '' ? '' : `: ${stderr.trim().split('\n').pop()}`}`,
          'run hintbench doctor (ptrace permission, Yama)',
        );
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 50);
      });
      wake = null;
    }
    return lines.shift()!;
  };
  const first = await next('stop');
  if (!('held' in first) || !first.held) {
    await exited;
    throw new HintbenchError(
      `the ptrace holder could not stop pid ${pid}: ${'error' in first ? first.error : 'unexpected answer'}`,
      'check that no other tracer (strace, gdb) is attached',
    );
  }
  return {
    requestedNs: first.seizedNs,
    heldNs: first.atNs,
    release: async () => {
      child.stdin.write('release\n');
      const r = await next('release');
      await exited;
      if (!('released' in r)) throw new HintbenchError(`the ptrace holder of pid ${pid} did not release it`, 'check the process with ps; it is detached when the holder exits');
      await waitState(pid, ['t'], true);
      return nowNs();
    },
  };
}

/** Holds `pid` still with `remedy`; null for `none`. */
export async function holdTarget(remedy: RaceRemedy, pid: number): Promise<Hold | null> {
  switch (remedy) {
    case 'none':
      return null;
    case 'sigstop':
      return holdBySignal(pid);
    case 'freezer':
      return holdByFreezer(pid);
    case 'ptrace_stop':
      return holdByPtrace(pid);
  }
}
