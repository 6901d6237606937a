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

/** An optional fingerprint fact as text: `not recorded` when the results predate it, `unreadable` when it was null. */
function optional<T>(value: T | null | undefined, show: (v: T) => string = String): string {
  if (value === undefined) return 'not recorded';
  return value === null ? 'unreadable' : show(value);
}

/** Label/value pairs describing where and on what the run happened, in display order. */
export function environmentFacts(env: Environment): [label: string, value: string][] {
  const swap = swapLines(env);
  const load = (l: number[]): string => l.map((v) => v.toFixed(2)).join(' / ');
  return [
    ['host', env.hostname],
    ['kernel', env.kernelRelease],
    ['kernel command line', optional(env.kernelCmdline)],
    ['kernel config SHA-256', optional(env.kernelConfigSha256)],
    ['architecture', env.arch],
    ['page size', `${env.pageSizeBytes} bytes`],
    ['CPU', `${env.cpuModel} × ${env.cpuCount}`],
    ['CPU detail', optional(env.cpuDetail)],
    ['CPU frequency governor', env.cpuGovernor === null ? 'none (no cpufreq)' : optional(env.cpuGovernor)],
    ['virtualisation', optional(env.virtualization)],
    ['memory', gib(env.memTotalBytes)],
    ['swap', swap.length === 0 ? 'none' : swap.join('; ')],
    ['swappiness', optional(env.swappiness)],
    ['page-cluster', optional(env.pageCluster, (v) => `${v} (swap readahead of ${2 ** v} pages)`)],
    ['MGLRU', optional(env.mglru)],
    ['zswap', optional(env.zswap)],
    ['THP mode', env.thpMode],
    ['THP defrag', optional(env.thpDefrag)],
    ['cgroup memory controller', env.cgroupMemory],
    [
      'load average (1 / 5 / 15 min)',
      `start ${optional(env.loadAverageStart, load)}, end ${env.loadAverageEnd === null ? 'not recorded (run unfinished)' : optional(env.loadAverageEnd, load)}`,
    ],
    ['Node.js', env.nodeVersion],
    ['bpftrace', env.bpftraceVersion ?? 'not available'],
    ['hintbench', env.hintbenchVersion],
    ['hintbench commit', optional(env.hintbenchCommit)],
    ['command line', env.argv === undefined ? 'not recorded' : `hintbench ${env.argv.join(' ')}`],
    ['background reclaimers', env.backgroundReclaimers.length === 0 ? 'none seen' : env.backgroundReclaimers.join(', ')],
  ];
}

/** The suite as asked for: name, description and every scenario with its repetitions; null when the results predate it. */
export function suiteDefinitionLines(env: Environment): { description: string; scenarios: string[] } | null {
  const def = env.suiteDefinition;
  return def === undefined ? null : { description: def.description, scenarios: def.scenarios };
}

/** Label/value pairs about the run itself: suite, times, scenario counts. */
export function runFacts(run: RunResult): [label: string, value: string][] {
  const count = (status: string): number => run.scenarios.filter((s) => s.status === status).length;
  const samples = run.scenarios.reduce((n, s) => n + s.samples.length, 0);
  const description = run.environment.suiteDefinition?.description;
  return [
    ['suite', description === undefined || description === '' ? run.suite : `${run.suite}: ${description}`],
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
