/**
 * Prerequisites of integration tests. Outside CI a missing prerequisite skips the test and
 * says why on stderr; under CI=true it fails the test, because CI must run everything.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { isRoot } from '../../core/process/privileges.ts';

/** True when running under CI (CI=true). */
export const inCI = process.env.CI === 'true' || process.env.CI === '1';

/** Why an integration test cannot run here, or null when it can. */
export function missingPrereq(needs: { root?: boolean; bpftrace?: boolean; swap?: boolean; tracefs?: boolean }): string | null {
  if (needs.root && !isRoot()) return 'needs root';
  if (needs.bpftrace) {
    try {
      execFileSync('bpftrace', ['--version'], { stdio: 'ignore' });
    } catch {
      return 'needs bpftrace (apt-get install -y bpftrace)';
    }
  }
  if (needs.tracefs && !existsSync('/sys/kernel/tracing/events')) return 'needs tracefs at /sys/kernel/tracing (hintbench setup mounts it)';
  if (needs.swap) {
    const lines = readFileSync('/proc/swaps', 'utf8').trim().split('\n');
    if (lines.length < 2) return 'needs active swap (hintbench setup creates a zram device)';
  }
  return null;
}

/**
 * Returns true when the test may run. Outside CI with a missing prerequisite it prints the
 * reason and returns false (use with describe.skipIf / it.skipIf); under CI it throws.
 */
export function canRun(what: string, needs: Parameters<typeof missingPrereq>[0]): boolean {
  const why = missingPrereq(needs);
  if (why === null) return true;
  if (inCI) throw new Error(`${what}: ${why}, and CI=true requires every test to run`);
  process.stderr.write(`SKIP ${what}: ${why}\n`);
  return false;
}

/**
 * Like canRun() for any other prerequisite (a command, a file): `present` says whether it is
 * there, `fix` how to get it. Skips with a printed reason outside CI, throws under CI.
 */
export function canUse(what: string, present: boolean, fix: string): boolean {
  if (present) return true;
  if (inCI) throw new Error(`${what}: missing (${fix}), and CI=true requires every test to run`);
  process.stderr.write(`SKIP ${what}: missing (${fix})\n`);
  return false;
}
