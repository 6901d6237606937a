/** Running `hintbench` from CLI tests of the run path. */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The hintbench entry point. */
export const CLI = fileURLToPath(new URL('../../../bench/hintbench.js', import.meta.url));

/** A suite fixture's path (test/fixtures/suites/<name>.json). */
export function suiteFixture(name: string): string {
  return fileURLToPath(new URL(`../../fixtures/suites/${name}.json`, import.meta.url));
}

/** How a hintbench command ended. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs hintbench to the end. */
export function cli(args: string[], opts: { cwd: string; timeoutMs?: number }): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: opts.cwd, encoding: 'utf8', timeout: opts.timeoutMs ?? 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs hintbench without blocking the event loop. */
export function cliAsync(args: string[], opts: { cwd: string }): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The non-blank lines of stderr. */
export function errorLines(r: CliResult): string[] {
  return r.stderr.split('\n').filter((l) => l.trim() !== '');
}
