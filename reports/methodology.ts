/**
 * The methodology section of report.html and report.md: what one sample is, order and
 * warm-up, how each figure is timed and by whom (the registry's own doc lines, so the text
 * follows core/metrics.ts), what the probes attach to, how figures are attributed, what the
 * intervals mean, and the noise sources this run's environment and warnings show. Plain
 * text paragraphs; the formats escape and lay them out. Pure, no I/O.
 */
import { SAMPLE_FIELDS, type SampleFieldName } from '../core/metrics.ts';
import { EXPLAIN_SCRIPT_NAMES, type RunResult } from '../core/types.ts';
import { isWarmUp, REPORT_CONFIDENCE } from './sample-stats.ts';
import { runWarnings } from './environment.ts';
import { fieldLabel } from './units.ts';

/** One titled part of the methodology: paragraphs, then an optional bullet list. */
export interface MethodSection {
  /** Heading. */
  title: string;
  /** Paragraphs of plain text. */
  paragraphs: string[];
  /** Bullets of plain text (may be empty). */
  bullets: string[];
}

/** The figures whose timing the methodology spells out, with the registry's definition of each. */
const TIMED_FIELDS: readonly SampleFieldName[] = [
  'userLatencyNs',
  'kernelLatencyNs',
  'reclaimedPages',
  'retouchNs',
  'retouchMajorFaults',
  'retouchMajorFaultsProbe',
  'stallNs',
  'injectorStopNs',
  'callerCpuNs',
  'targetCpuNs',
  'targetEintr',
];

/** What the probes attach to (bpf/*.bt), for the reader. */
const PROBES: readonly string[] = [
  'tracepoint:syscalls:sys_enter_process_madvise / sys_exit_process_madvise and sys_enter_madvise / sys_exit_madvise (MADV_COLD and MADV_PAGEOUT only): kernel-side latency of each hint system call, keyed by thread id',
  "tracepoint:vmscan:mm_vmscan_reclaim_pages: pages reclaimed inside each hint call on the calling thread; with vmscan:mm_vmscan_lru_shrink_inactive also everyone else's reclaim (DAMON, kswapd, direct reclaim), reported as background noise",
  'software:major-faults: major faults per process and thread name (the workload re-touches under the thread name hbw-retouch)',
  'tracepoint:sched:sched_switch: ptrace stops (a thread switched out in TASK_TRACED until it is switched in again)',
  'tracepoint:raw_syscalls:sys_exit: system calls of the target that returned EINTR',
];

/** Which scripts ran, from environment.probes (absent in older results). */
function probeSetParagraph(probes: readonly string[] | undefined): string[] {
  if (probes === undefined) return [];
  const explain = probes.filter((p) => EXPLAIN_PROBES.includes(p));
  const list = `Scripts attached to every block: ${probes.map((p) => `${p}.bt`).join(', ')}.`;
  return [
    explain.length > 0
      ? `${list} The explanation probes (${explain.join(', ')}) were on: they fire on every user page fault and TLB flush and slow the re-touch and PAGEOUT figures they explain (docs/explanations.md).`
      : `${list} The explanation probes were off (\`--explain on\` attaches them), so the figures carry no cost of theirs.`,
  ];
}

/** Names of the explanation probe scripts. */
const EXPLAIN_PROBES: readonly string[] = Object.values(EXPLAIN_SCRIPT_NAMES);

/** Keys a sample may carry beyond the registry (written by newer runners), read defensively. */
function sampleKey(run: RunResult, key: string): boolean {
  return run.scenarios.some((r) => r.samples.some((s) => (s as Record<string, unknown>)[key] !== undefined));
}

/** The methodology of a run, in display order. */
export function methodology(run: RunResult): MethodSection[] {
  const env = run.environment;
  const warm = run.scenarios.reduce((n, r) => n + r.samples.filter(isWarmUp).length, 0);
  const reps = [...new Set(run.scenarios.map((r) => r.scenario.repetitions))].sort((a, b) => a - b);
  const blocks = sampleKey(run, 'block');
  const noise: string[] = [];
  if (env.backgroundReclaimers.length > 0) noise.push(`background reclaimers running: ${env.backgroundReclaimers.join(', ')} (their reclaim is counted apart; see warnings)`);
  noise.push(
    `${env.cpuCount} online CPU${env.cpuCount === 1 ? '' : 's'}: a running target, the caller, bpftrace and the tracer compete for them, which lengthens every wall-clock figure of running-target scenarios`,
  );
  if (typeof env.virtualization === 'string' && env.virtualization !== 'none') noise.push(`virtualised (${env.virtualization}): steal time and virtual-CPU scheduling add noise`);
  const load = [env.loadAverageStart, env.loadAverageEnd].map((l) => (Array.isArray(l) ? l.join(' / ') : null));
  if (load[0] !== null || load[1] !== null) noise.push(`load average (1 / 5 / 15 min): ${load[0] ?? 'unknown'} at the start, ${load[1] ?? 'unknown'} at the end`);
  if (env.swapDevices.some((d) => d.zramCompressor !== null))
    noise.push('swap is zram: PAGEOUT compresses pages on the CPU, so its cost depends on page content and CPU speed, not on a disk');
  if (env.thpMode !== 'never') noise.push(`transparent huge pages: ${env.thpMode}`);
  const warnings = runWarnings(run).length;
  if (warnings > 0) noise.push(`${warnings} warning${warnings === 1 ? '' : 's'} recorded during the run (listed under Warnings)`);
  return [
    {
      title: 'One sample',
      paragraphs: [
        'One sample is one repetition with a fresh workload process: it maps and fills its anonymous memory (zero-filled, random or mixed pages), enters the target state (running: spinning; sleeping: idle; stopped: SIGSTOP; frozen: cgroup freezer), and then the runner reads RSS and swap (/proc/PID/status), /proc/vmstat and the target CPU time, delivers one hint over all regions, reads them again, lets the target leave its state, and the workload touches every page again (timed by its own clock) and verifies every page. The no-hint baseline runs the same phases without the hint.',
      ],
      bullets: [],
    },
    {
      title: 'Order and warm-up',
      paragraphs: [
        `${run.scenarios.length} scenarios, ${reps.join(' or ')} repetition${reps.length === 1 && reps[0] === 1 ? '' : 's'} each. ` +
          (blocks
            ? 'Scenarios were run in interleaved blocks (each sample records its block), so slow drifts of the machine spread over all scenarios.'
            : 'Each scenario ran its repetitions back to back, scenarios one after another in the order of the tables.') +
          ' ' +
          (warm > 0
            ? `${warm} sample${warm === 1 ? ' was' : 's were'} flagged as warm-up and left out of every statistic (they stay in results.json and samples.csv).`
            : 'No sample was flagged as warm-up: every sample counts.'),
      ],
      bullets: [],
    },
    {
      title: 'What each figure is and who times it',
      paragraphs: ['Definitions from the metric registry (core/metrics.ts); the same text documents results.json.'],
      bullets: TIMED_FIELDS.map((f) => `${fieldLabel(f)}: ${SAMPLE_FIELDS[f].doc}`),
    },
    {
      title: 'Probes',
      paragraphs: [
        env.bpftraceVersion === null
          ? 'bpftrace was not available: the figures that need a probe (kernel latency, pages reclaimed, target stall, probe fault counts, EINTRs) are missing.'
          : `One bpftrace ${env.bpftraceVersion} session per block (one repetition of every scenario), started before the block's first repetition and stopped after its last, attaches to tracepoints and software events only:`,
        ...probeSetParagraph(env.probes),
      ],
      bullets: env.bpftraceVersion === null ? [] : [...PROBES],
    },
    {
      title: 'Attribution',
      paragraphs: [
        'After a scenario its probe events are assigned to samples: hint system calls by thread id and time window (runner and probe both use CLOCK_MONOTONIC), major faults by process id and thread name, ptrace stops by target thread id and window. A kernel-side figure is given only when the probe recorded every system call of the hint; otherwise it is null and a warning says so.',
      ],
      bullets: [],
    },
    {
      title: 'Statistics',
      paragraphs: [
        `Every figure in this report is computed from the raw samples. A median's interval is the distribution-free ${REPORT_CONFIDENCE * 100} % confidence interval from order statistics (sign-test inversion): it makes no assumption about the shape of the distribution, and with few samples it is [min, max] with a lower coverage, which the tables mark. A ratio between two scenarios is the Hodges–Lehmann estimate of the shift between the logarithms of their values, exponentiated, with the interval of the inverted Mann–Whitney test (exact for small samples). Robust CV is 1.4826 × MAD / median, a spread that one outlier cannot inflate. A key finding is stated only when its interval excludes 1×.`,
      ],
      bullets: [],
    },
    { title: 'Noise sources present', paragraphs: [], bullets: noise },
  ];
}
