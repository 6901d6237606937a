/** The environment fingerprint as labelled facts, shared by the HTML and Markdown reports. */
import type { Environment, RunResult } from '../core/types.ts';

const GIB = 2 ** 30;

/** Bytes as GiB with two decimals. */
function gib(bytes: number): string {
  return `${(bytes / GIB).toFixed(2)} GiB`;
}

/** One line per swap device: name, type, size, used, priority, compressor. */
export function swapLines(env: Environment): string[] {
  return env.swapDevices.map(
    (d) => `${d.name} (${d.type}, ${gib(d.sizeBytes)}, ${gib(d.usedBytes)} used, priority ${d.priority}${d.zramCompressor === null ? '' : `, zram ${d.zramCompressor}`})`,
  );
}

/** Label/value pairs describing where and on what the run happened, in display order. */
export function environmentFacts(env: Environment): [label: string, value: string][] {
  const swap = swapLines(env);
  return [
    ['host', env.hostname],
    ['kernel', env.kernelRelease],
    ['architecture', env.arch],
    ['page size', `${env.pageSizeBytes} bytes`],
    ['CPU', `${env.cpuModel} × ${env.cpuCount}`],
    ['memory', gib(env.memTotalBytes)],
    ['swap', swap.length === 0 ? 'none' : swap.join('; ')],
    ['THP mode', env.thpMode],
    ['cgroup memory controller', env.cgroupMemory],
    ['Node.js', env.nodeVersion],
    ['bpftrace', env.bpftraceVersion ?? 'not available'],
    ['hintbench', env.hintbenchVersion],
    ['background reclaimers', env.backgroundReclaimers.length === 0 ? 'none seen' : env.backgroundReclaimers.join(', ')],
  ];
}

/** Label/value pairs about the run itself: suite, times, scenario counts. */
export function runFacts(run: RunResult): [label: string, value: string][] {
  const count = (status: string): number => run.scenarios.filter((s) => s.status === status).length;
  const samples = run.scenarios.reduce((n, s) => n + s.samples.length, 0);
  return [
    ['suite', run.suite],
    ['started', run.startedAt],
    ['finished', run.finishedAt ?? 'not finished (run interrupted or still going)'],
    [
      'scenarios',
      `${run.scenarios.length} (${count('ok')} ok, ${count('partial')} partial, ${count('failed')} failed${count('interrupted') > 0 ? `, ${count('interrupted')} interrupted` : ''})`,
    ],
    ['samples', String(samples)],
  ];
}

/** Every warning of the run as `scenario id: warning`, plus sample errors of partial scenarios. */
export function runWarnings(run: RunResult): string[] {
  return run.scenarios.flatMap((r) => [
    ...r.warnings.map((w) => `${r.scenario.id}: ${w}`),
    ...r.samples.flatMap((s) => s.errors.map((e) => `${r.scenario.id} repetition ${s.repetition}: ${e}`)),
  ]);
}
