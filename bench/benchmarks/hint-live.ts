/**
 * What `hintbench hint` costs on requests that used to hang, through the real command line:
 * - wall time and peak RSS of `--ranges 0-7ffffffff000` (the whole 47-bit address space,
 *   planned per VMA) with each mechanism, and of `--ranges 0-fffffffffffff000` (refused
 *   before any work);
 * - the time from SIGINT to exit of a `--repeat 100000` process_madvise hint, with and
 *   without the probe (SIGINT is sent once the hint loop has started: the pidfd is open and
 *   200 ms have passed).
 * Peak RSS is the child's VmHWM, read every 5 ms while it runs. The target is a workload
 * holding 64 MiB of random data (one COLD hint of it costs about a millisecond, so 100000
 * hints would run for minutes).
 *
 *   node --import tsx bench/benchmarks/hint-live.ts [--out FILE]
 * Needs root, bpftrace and swap (run `hintbench setup` first).
 */
import { spawn } from 'node:child_process';
import { loadavg, release } from 'node:os';
import { parseArgs } from 'node:util';
import { spawnWorkload } from '../../workloads/client.ts';
import { requireRoot } from '../../core/process/privileges.ts';
import { readStatus } from '../../core/proc/status.ts';
import { holdsPidfd } from '../../core/proc/tasks.ts';
import { writeBenchmark } from './output.ts';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
requireRoot('the hint-live benchmark', 'it runs hintbench hint', 'npm run bench:hint');

const CLI = new URL('../hintbench.js', import.meta.url).pathname;

/** One CLI run: exit code, wall time, peak RSS, and the SIGINT-to-exit time when one was sent. */
interface RunFigures {
  args: string;
  exitCode: number | null;
  wallMs: number;
  peakRssKiB: number;
  stopMs: number | null;
  /** First line of stderr (the error, when there is one). */
  stderrLine: string;
}

function vmHwmKiB(pid: number): number {
  try {
    return readStatus(pid).rssPeakBytes / 1024;
  } catch {
    return 0;
  }
}

/** Runs the CLI; with `interrupt`, sends SIGINT 200 ms after the pidfd appears. */
function runCli(args: string[], interrupt: boolean): Promise<RunFigures> {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    let peak = 0;
    let sigintAt: bigint | null = null;
    let pidfdSeenAt: bigint | null = null;
    const poll = setInterval(() => {
      peak = Math.max(peak, vmHwmKiB(child.pid!));
      if (!interrupt || sigintAt !== null) return;
      if (pidfdSeenAt === null && holdsPidfd(child.pid!)) pidfdSeenAt = process.hrtime.bigint();
      if (pidfdSeenAt !== null && process.hrtime.bigint() - pidfdSeenAt >= 200_000_000n) {
        sigintAt = process.hrtime.bigint();
        child.kill('SIGINT');
      }
    }, 5);
    child.on('close', (code) => {
      clearInterval(poll);
      const t1 = process.hrtime.bigint();
      resolve({
        args: args.join(' '),
        exitCode: code,
        wallMs: Number(t1 - t0) / 1e6,
        peakRssKiB: peak,
        stopMs: sigintAt === null ? null : Number(t1 - sigintAt) / 1e6,
        stderrLine: stderr.split('\n').find((l) => l.startsWith('Error:')) ?? '',
      });
    });
  });
}

const w = await spawnWorkload({ kind: 'anon', content: 'random', sizeMiB: 64, vmas: 1 });
const runs: RunFigures[] = [];
try {
  const base = ['hint', '--pid', String(w.pid), '--advice', 'cold'];
  for (const via of ['process_madvise', 'ptrace']) runs.push(await runCli([...base, '--via', via, '--no-probe', '--ranges', '0-7ffffffff000'], false));
  runs.push(await runCli([...base, '--no-probe', '--ranges', '0-fffffffffffff000'], false));
  runs.push(await runCli([...base, '--repeat', '100000', '--no-probe'], true));
  runs.push(await runCli([...base, '--repeat', '100000'], true));
} finally {
  await w.exit();
}

const [pm, pt, huge, stopNoProbe, stopProbe] = runs as [RunFigures, RunFigures, RunFigures, RunFigures, RunFigures];
writeBenchmark(
  'hint-live',
  { kernel: release(), loadavg1: loadavg()[0], runs },
  `hint --ranges 0-7ffffffff000: process_madvise ${pm.wallMs.toFixed(0)} ms / ${(pm.peakRssKiB / 1024).toFixed(0)} MiB, ptrace ${pt.wallMs.toFixed(0)} ms / ${(pt.peakRssKiB / 1024).toFixed(0)} MiB; ` +
    `0-fffffffffffff000 refused in ${huge.wallMs.toFixed(0)} ms / ${(huge.peakRssKiB / 1024).toFixed(0)} MiB (exit ${huge.exitCode}); ` +
    `SIGINT to exit of --repeat 100000: ${stopNoProbe.stopMs?.toFixed(0)} ms without probe, ${stopProbe.stopMs?.toFixed(0)} ms with probe (exit ${stopNoProbe.exitCode}/${stopProbe.exitCode})`,
  values.out,
);
