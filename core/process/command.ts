/** Running host commands (apt-get, mkswap, swapon, mount, ...) and finding them on PATH. */
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

/** What a finished command printed and returned. */
export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs a command without a shell; never throws for a non-zero exit (a missing binary gives exit code 127). */
export async function runCommand(cmd: string, args: readonly string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CommandResult> {
  const r = await execa(cmd, args, {
    reject: false,
    stdin: 'ignore',
    env: { LC_ALL: 'C', ...opts.env },
    timeout: opts.timeoutMs ?? 600_000,
  });
  const exitCode = typeof r.exitCode === 'number' ? r.exitCode : r.failed ? 127 : 0;
  return { exitCode, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

/** Directories searched for system tools besides PATH (root's sbin may be missing from a user's PATH). */
const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/bin', '/bin'];

/** Absolute path of an executable found on PATH or in the sbin directories, or null. */
export function findExecutable(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(':').filter((d) => d !== ''), ...SBIN_DIRS];
  for (const dir of dirs) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

/** The last non-empty line of a command's output, for error messages. */
export function lastLine(r: CommandResult): string {
  const lines = `${r.stdout}\n${r.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines.at(-1) ?? `exit code ${r.exitCode}`;
}
