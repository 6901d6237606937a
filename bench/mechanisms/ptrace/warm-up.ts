/**
 * Warms the tracer's injection path up before the first measured injection: the first pass
 * through the JavaScript and koffi code costs milliseconds more than later ones. The
 * injections go into a `sleep` process the tracer starts for the purpose (through `sh`, so
 * that it is not a libuv child of the tracer) and ends by pid afterwards; targets are never
 * touched. madvise(0, 0, MADV_COLD) changes nothing.
 */
import { execFileSync } from 'node:child_process';
import { readProcStat } from '../../../core/proc/stat.ts';
import { ADVICE_VALUE } from '../../../core/sys/syscall.ts';
import type { Injector } from './injector.ts';

/** Injections made by warmUp(). */
export const WARM_UP_INJECTIONS = 5;

/** State letter of `pid`, '' when it is gone. */
function state(pid: number): string {
  return readProcStat(pid)?.state ?? '';
}

/** Runs WARM_UP_INJECTIONS no-op injections; returns how many succeeded (0 when sleep or sh is missing). */
export function warmUp(injector: Injector): number {
  let pid: number;
  try {
    pid = Number(execFileSync('sh', ['-c', 'sleep 30 </dev/null >/dev/null 2>&1 & echo $!'], { encoding: 'utf8', timeout: 5000 }).trim());
  } catch {
    return 0;
  }
  if (!Number.isInteger(pid) || pid <= 0) return 0;
  let ok = 0;
  try {
    const deadline = Date.now() + 2000;
    while (state(pid) !== 'S' && Date.now() < deadline) execFileSync('sleep', ['0.005']);
    for (let i = 0; i < WARM_UP_INJECTIONS; i++) {
      const r = injector.inject({ pid, tid: pid, advice: ADVICE_VALUE.cold, ranges: [{ startAddr: 0, lengthBytes: 0 }] });
      if (r.error === null) ok++;
    }
  } finally {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return ok;
}
