import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DRIVER = fileURLToPath(new URL('../../../bench/benchmarks/pressure-lab.ts', import.meta.url));

/** Runs the lab driver with `args`; its flags are checked before anything touches the host. */
function run(args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', DRIVER, ...args], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

describe('pressure-lab driver, bad input', () => {
  it.each([
    [['--limit-mib', '8'], /^Error: --limit-mib 8 is below the \d+ MiB the workload needs to start.*Fix: /],
    [['--hot-mib', '512', '--limit-mib', '256'], /^Error: --hot-mib 512 MiB does not fit under --limit-mib 256.*Fix: /],
    [['--hot-kind', 'huge'], /^Error: --hot-kind is not a memory kind: "huge"\. Fix: use one of anon, /],
  ])('%j: one line naming the flag, nothing run', (args, pattern) => {
    const r = run(args);
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
  });
});
