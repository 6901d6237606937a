/**
 * Children that die with the process that started them, even when it is SIGKILLed (then no
 * exit handler of its own runs). The command is started through util-linux
 * `setpriv --pdeathsig SIGKILL`, which arms PR_SET_PDEATHSIG and execs a tiny /bin/sh guard
 * that compares its parent pid with the starter's pid before exec'ing the real command:
 *
 *   setpriv --pdeathsig SIGKILL -- /bin/sh -c '[ "$PPID" = "$1" ] || exit 125; shift; exec "$@"' sh <starter pid> <command> <args...>
 *
 * The check closes the race of a starter killed between fork and prctl (the signal would
 * never come): the shell reads its parent pid after the signal is armed, so either the
 * starter is still the parent (and its death delivers SIGKILL) or the guard exits before
 * the command runs. The pid of the child stays the same through both execs, so signals sent
 * to it (SIGINT for a clean stop) reach the real command.
 *
 * The parent-death signal belongs to the starting thread: start guarded children from the
 * main thread (a worker thread's exit would kill them). It is cleared when the command
 * gains privileges on exec (set-user-ID or file capabilities), which bpftrace run as root
 * does not.
 */
import { execFileSync } from 'node:child_process';
import { findExecutable } from './command.ts';

/** Exit code of the guard when the starter was gone before the command could run. */
export const GUARD_PARENT_GONE_EXIT = 125;

const GUARD_SCRIPT = `[ "$PPID" = "$1" ] || exit ${GUARD_PARENT_GONE_EXIT}; shift; exec "$@"`;

/** A command line ready to spawn, and whether it carries the parent-death guard. */
export interface GuardedCommand {
  /** Executable to spawn. */
  file: string;
  /** Its arguments. */
  args: string[];
  /** True when the child gets SIGKILL at the starter's death; false when setpriv --pdeathsig is unavailable. */
  guarded: boolean;
}

let setprivPath: string | null | undefined;

/**
 * Path of a setpriv that supports --pdeathsig (util-linux 2.33+), or null. Looked up once per
 * process; `refresh` looks again.
 */
export function pdeathsigSetpriv(refresh = false): string | null {
  if (setprivPath !== undefined && !refresh) return setprivPath;
  const path = findExecutable('setpriv');
  setprivPath = null;
  if (path !== null) {
    try {
      const help = execFileSync(path, ['--help'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
      if (help.includes('--pdeathsig')) setprivPath = path;
    } catch {
      // not a usable setpriv
    }
  }
  return setprivPath;
}

/**
 * `file args` wrapped so that the child gets SIGKILL when this process dies (see the module
 * doc). Without a setpriv that knows --pdeathsig the command is returned as it is, with
 * `guarded: false`: the caller must then say that a SIGKILL of this process leaves it running.
 */
export function withParentDeathSignal(file: string, args: readonly string[], starterPid: number = process.pid): GuardedCommand {
  const setpriv = pdeathsigSetpriv();
  if (setpriv === null) return { file, args: [...args], guarded: false };
  return {
    file: setpriv,
    args: ['--pdeathsig', 'SIGKILL', '--', '/bin/sh', '-c', GUARD_SCRIPT, 'sh', String(starterPid), file, ...args],
    guarded: true,
  };
}

/** What to tell a user whose setpriv lacks --pdeathsig. */
export const PDEATHSIG_FIX = 'install util-linux 2.33 or later (it provides setpriv --pdeathsig), e.g. apt-get install -y util-linux';
