/**
 * Pid identity is pinned: a pid that is reused by another process between two injections of
 * one `--repeat` series is never injected. Reuse is made to happen in a private pid
 * namespace with ns_last_pid (fixtures/pid-reuse.ts).
 */
import { describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { canRun, canUse } from '../../helpers/prereq.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/pid-reuse.ts', import.meta.url));
const run = canRun('ptrace pid reuse', { root: true }) && process.arch === 'x64';
let haveUnshare = false;
try {
  execFileSync('unshare', ['--version'], { stdio: 'ignore' });
  haveUnshare = true;
} catch {
  /* missing */
}
const canUnshare = run && canUse('unshare (util-linux)', haveUnshare, 'apt-get install -y util-linux');

describe.skipIf(!run || !canUnshare)('ptrace injector: pid reuse', () => {
  it('a pid reused by another process after pinning is refused (EPIDREUSED) and the newcomer is not touched', async () => {
    const { stdout } = await promisify(execFile)('unshare', ['--pid', '--fork', '--mount-proc', process.execPath, '--import', import.meta.resolve('tsx'), FIXTURE], {
      timeout: 90_000,
    });
    const out = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    process.stderr.write(`pid reuse: ${JSON.stringify(out)}\n`);
    expect(out.failure).toBeUndefined();
    expect(out.firstError).toBeNull();
    expect(out.refusedCode).toBe('EPIDREUSED');
    expect(out.refusedError).toContain(`pid ${out.pid as number} now belongs to another process`);
    expect(out.refusedSyscalls).toBe(0);
    expect(out.tracerPidAfter).toBe(0);
    expect(out.eintrAfterRefused).toBe(0);
    // The control injection interrupts epoll_wait, which the counter sees: the check above could fail.
    expect(out.controlError).toBeNull();
    expect(out.eintrAfterControl).toBeGreaterThan(0);
  });
});
