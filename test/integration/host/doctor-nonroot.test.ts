/**
 * `hintbench doctor` run by a non-root user on this host, where tracefs is mounted but its
 * directory is mode 0700: the doctor must say "mounted but not readable", not "not mounted".
 * A root child loads the CLI (so the repository may sit where other users cannot read it),
 * drops to uid/gid 65534 with every capability gone, and then runs `doctor --json`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canRun } from '../../helpers/prereq.ts';

const run = canRun('doctor as a non-root user', { root: true, tracefs: true });
const CLI = new URL('../../../bench/cli.ts', import.meta.url).href;

/** Runs `hintbench <args>` in-process after dropping root; returns the exit code and output. */
function cliAsNobody(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const code = `import { main } from ${JSON.stringify(CLI)};
process.chdir('/');
process.setgroups([]);
process.setgid(65534);
process.setuid(65534);
process.exitCode = await main(${JSON.stringify(args)});`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    encoding: 'utf8',
    timeout: 60_000,
    cwd: new URL('../../..', import.meta.url).pathname,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!run)('doctor without root', () => {
  it('tells a mounted but unreadable tracefs apart from a missing one', () => {
    const mountedAt = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .find((l) => / - tracefs /.test(l))
      ?.split(' ')[4];
    expect(mountedAt, 'tracefs in the mount table').toBe('/sys/kernel/tracing');
    const r = cliAsNobody(['doctor', '--json']);
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as { checks: Array<{ id: string; status: string; detail: string; fix?: string }> };
    const caps = report.checks.find((c) => c.id === 'caps');
    expect(caps?.detail).toMatch(/^uid 65534, CapEff 0x0 lacks/);
    const tracefs = report.checks.find((c) => c.id === 'tracefs');
    // Kernels make /sys/kernel/tracing 0700 (this one does); where others may search it, it is simply usable.
    if ((statSync('/sys/kernel/tracing').mode & 0o001) !== 0) {
      expect(tracefs?.status).toBe('ok');
      return;
    }
    expect(tracefs).toMatchObject({ status: 'fail', detail: 'tracefs is mounted at /sys/kernel/tracing (mount table), but uid 65534 may not read /sys/kernel/tracing/events' });
    expect(tracefs?.fix).toMatch(/run hintbench as root/);
    expect(JSON.stringify(report)).not.toMatch(/tracefs is not mounted/);
  });
});
