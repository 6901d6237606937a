import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { spawnWorkload, stderrSummary, workloadArgs } from '../../../workloads/client.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/workloads/${name}`, import.meta.url));
const spec = { kind: 'anon', content: 'zero', sizeMiB: 1, vmas: 1 } as const;

describe('workload client', () => {
  it('passes the spec as command line flags', () => {
    expect(workloadArgs({ kind: 'anon', content: 'mixed', sizeMiB: 64, vmas: 3 })).toEqual(['--size-mib', '64', '--content', 'mixed', '--vmas', '3']);
  });

  it('rejects a pending call with the pid and stderr tail when the workload answers garbage, and kills it', async () => {
    const w = await spawnWorkload(spec, { program: fixture('garbage.ts') });
    const err = await w.verify().then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toContain(`workload ${w.pid}`);
    expect(err?.message).toContain('protocol violation: not valid JSON');
    const how = await w.exited;
    expect(how.signal).toBe('SIGKILL');
    // Later calls fail the same way instead of hanging.
    await expect(w.retouch()).rejects.toThrow(`workload ${w.pid}`);
  });

  it('rejects a pending call when the workload dies, naming its exit status and stderr', async () => {
    const w = await spawnWorkload(spec, { program: fixture('crash-on-command.ts') });
    const err = await w.retouch().then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(new RegExp(`workload ${w.pid}: exited \\(status 3\\).*giving up with status 3`));
    expect((await w.exited).code).toBe(3);
  });

  it('rejects spawn when the workload refuses its arguments', async () => {
    const err = await spawnWorkload({ ...spec, vmas: 0 }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/workload \d+: exited \(status 2\).*--vmas must be a positive integer/);
  });

  it('kills the workload when the spawn is aborted', async () => {
    const ac = new AbortController();
    const p = spawnWorkload({ ...spec, sizeMiB: 8 }, { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toThrow(/aborted/);
  });
});

describe('stderrSummary', () => {
  it('turns a fatal error with native and JS stack traces into one line', () => {
    const fatal = [
      'FATAL ERROR: Error::New napi_get_last_error_info',
      '----- Native stack trace -----',
      '',
      ' 1: 0xb78c78 node::OnFatalError(char const*, char const*) [node]',
      ' 2: 0xc6e1c5  [node]',
      '----- JavaScript stack trace -----',
      '',
      '1: viewBytes (/x/bench/sys/mman.ts:2:3799)',
      '',
    ].join('\n');
    expect(stderrSummary(fatal)).toBe('FATAL ERROR: Error::New napi_get_last_error_info');
  });

  it('keeps the last three meaningful lines of an exception, without its stack, and at most 400 characters', () => {
    const text = 'file:///x.ts:1\nthrow new Error("boom")\n^\n\nError: boom\n    at f (file:///x.ts:1:7)\n    at g (file:///x.ts:2:1)\n\nNode.js v20.20.2\n';
    expect(stderrSummary(text)).toBe('file:///x.ts:1 | throw new Error("boom") | Error: boom');
    const long = stderrSummary(`${'x'.repeat(1000)}\n`);
    expect(long).toHaveLength(400);
    expect(long.startsWith('...')).toBe(true);
  });
});
