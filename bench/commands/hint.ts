import { HintbenchError } from '../../core/errors.ts';
import { ADVICES, HINT_MECHANISMS, isOneOf } from '../../core/schema/enums.ts';
import { hintLiveProcess, MAX_REPEAT, type LiveHintRequest, type LiveHintResult } from '../live/hint.ts';
import { parseRangeSelector } from '../live/ranges.ts';
import { pageSizeBytes } from '../../core/sys/mman.ts';
import { intOpt, noPositionals, requireRootFor, stringOpt, usageError } from './args.ts';
import { withInterrupt } from './interrupt.ts';
import { oneLine } from './one-line.ts';
import type { Command, OptionValues } from './types.ts';

const MiB = 1024 * 1024;

function parseRequest(values: OptionValues): LiveHintRequest {
  const pidText = stringOpt(values, 'pid');
  if (pidText === undefined) throw usageError('--pid is required', 'e.g. hintbench hint --pid 1234 --advice pageout');
  if (!/^\d{1,10}$/.test(pidText) || Number(pidText) === 0)
    throw usageError(`--pid must be a process id, got '${pidText.slice(0, 24)}'`, 'pass the numeric pid of a running process');
  const advice = stringOpt(values, 'advice');
  if (advice === undefined) throw usageError('--advice is required', `pass ${ADVICES.map((a) => `--advice ${a}`).join(' or ')}`);
  if (!isOneOf(ADVICES, advice)) throw usageError(`unsupported advice '${advice}'`, `hintbench delivers ${ADVICES.map((a) => `--advice ${a}`).join(' or ')}`);
  const via = stringOpt(values, 'via') ?? 'process_madvise';
  if (!isOneOf(HINT_MECHANISMS, via)) throw usageError(`unknown --via '${via}'`, `use ${HINT_MECHANISMS.map((m) => `--via ${m}`).join(' or ')}`);
  const tidText = stringOpt(values, 'tid');
  if (tidText !== undefined && (!/^\d{1,10}$/.test(tidText) || Number(tidText) === 0))
    throw usageError(`--tid must be a thread id, got '${tidText.slice(0, 24)}'`, `list the threads with ls /proc/${pidText}/task`);
  if (tidText !== undefined && via !== 'ptrace') throw usageError('--tid only applies to --via ptrace', 'drop --tid, or add --via ptrace');
  return {
    pid: Number(pidText),
    ...(tidText !== undefined ? { tid: Number(tidText) } : {}),
    advice,
    via,
    ranges: parseRangeSelector(stringOpt(values, 'ranges') ?? 'anon', pageSizeBytes()),
    repeat: intOpt(values, 'repeat', 1, 1, MAX_REPEAT),
    probe: values['no-probe'] !== true,
  };
}

function formatNs(ns: number | null): string {
  if (ns === null) return 'n/a';
  return ns >= 1e6 ? `${(ns / 1e6).toFixed(3)} ms` : `${(ns / 1e3).toFixed(1)} us`;
}

/** Most samples and skipped parts the text output lists (--json has all). */
const TEXT_LIST_MAX = 50;

/** The first TEXT_LIST_MAX items joined, with a count of the rest. */
function listed(items: readonly (string | number)[], sep: string): string {
  const shown = items.slice(0, TEXT_LIST_MAX).join(sep);
  return items.length > TEXT_LIST_MAX ? `${shown}${sep}... (${items.length - TEXT_LIST_MAX} more; --json lists all)` : shown;
}

function formatText(r: LiveHintResult): string {
  const lines = [
    `pid ${r.pid} (tid ${r.tid}): ${r.advice} via ${r.mechanism}, ${r.ranges} ranges, ${(r.bytesRequested / MiB).toFixed(1)} MiB requested`,
    `  bytes advised    ${r.bytesAdvised}`,
    `  pages reclaimed  ${r.reclaimedPages ?? (r.kernelSamples === null ? 'n/a (no probe)' : 'n/a (not recorded)')}`,
    `  RSS              ${(r.rssBeforeBytes / MiB).toFixed(1)} MiB -> ${(r.rssAfterBytes / MiB).toFixed(1)} MiB`,
    `  swap             ${(r.swapBeforeBytes / MiB).toFixed(1)} MiB -> ${(r.swapAfterBytes / MiB).toFixed(1)} MiB`,
  ];
  if (r.samplesNs.length > 1) {
    lines.push(
      `  latency          median ${formatNs(r.latencyNs)}, p99 ${formatNs(r.latencyP99Ns)} over ${r.samplesNs.length} hints (kernel-side median ${formatNs(r.kernelLatencyNs)})`,
    );
    lines.push(`  samples (ns)     ${listed(r.samplesNs, ' ')}`);
  } else {
    lines.push(`  latency          ${formatNs(r.latencyNs)} (kernel-side ${formatNs(r.kernelLatencyNs)})`);
  }
  if (r.injectorStopNs !== null) lines.push(`  target stopped   ${formatNs(r.injectorStopNs)} (median)`);
  for (const s of r.skipped.slice(0, TEXT_LIST_MAX)) lines.push(`  skipped          ${s}`);
  if (r.skipped.length > TEXT_LIST_MAX) lines.push(`  skipped          ... ${r.skipped.length - TEXT_LIST_MAX} more (--json lists all)`);
  for (const n of r.notes) lines.push(`  note             ${n}`);
  for (const w of r.warnings) lines.push(`  warning          ${w}`);
  return lines.map(oneLine).join('\n');
}

/** The --json object of a hint that could not start: every key present, figures null. */
function failedResult(values: OptionValues, err: unknown): Record<keyof LiveHintResult, unknown> {
  const pid = Number(stringOpt(values, 'pid'));
  return {
    pid: Number.isInteger(pid) ? pid : null,
    tid: null,
    mechanism: stringOpt(values, 'via') ?? 'process_madvise',
    advice: stringOpt(values, 'advice') ?? null,
    ranges: null,
    bytesRequested: null,
    bytesAdvised: 0,
    reclaimedPages: null,
    latencyNs: null,
    latencyP99Ns: null,
    samplesNs: [],
    kernelLatencyNs: null,
    kernelSamples: null,
    injectorStopNs: null,
    rssBeforeBytes: null,
    rssAfterBytes: null,
    swapBeforeBytes: null,
    swapAfterBytes: null,
    skipped: [],
    notes: [],
    warnings: [],
    error: err instanceof HintbenchError ? `${err.message}. Fix: ${err.fix}` : err instanceof Error ? err.message : String(err),
  };
}

/** `hintbench hint`: hint a live process the user names. */
export const hintCommand: Command = {
  name: 'hint',
  usage: 'hint --pid PID --advice cold|pageout [--via M] [--ranges R]',
  summary: 'hint a live process (ranges from /proc/PID/maps), report latency and effect',
  options: {
    pid: { type: 'string', valueName: 'PID', help: 'process to hint (a thread id stands for its process; not 1, not a kernel thread, not hintbench)' },
    advice: { type: 'string', valueName: 'ADVICE', help: ADVICES.join(' or ') },
    via: {
      type: 'string',
      valueName: 'M',
      help: 'process_madvise (default) or ptrace: the target, stopped briefly, calls madvise itself; if hintbench is killed meanwhile it returns to its own context by itself (a frozen cgroup may stay thawed; README "ptrace injection")',
    },
    ranges: { type: 'string', valueName: 'R', help: 'anon (default: private anonymous incl. heap), file, all, or START-END[,START-END...] (hex; clipped to the mapped parts)' },
    tid: {
      type: 'string',
      valueName: 'TID',
      help: 'thread to inject into (ptrace; default the main thread, or a live one when it has exited); its pid is pinned: a pid reused meanwhile is refused',
    },
    repeat: { type: 'string', valueName: 'N', help: `deliver the hint N times (at most ${MAX_REPEAT}); report median, p99 and all samples` },
    json: { type: 'boolean', help: 'print one JSON object' },
    'no-probe': { type: 'boolean', help: 'skip bpftrace (no kernel-side latency or reclaimed pages)' },
  },
  async run(values, positionals) {
    noPositionals('hint', positionals);
    const json = values.json === true;
    try {
      const request = parseRequest(values);
      requireRootFor('hintbench hint');
      let interrupted = false;
      const result = await withInterrupt(async (signal) => {
        const r = await hintLiveProcess({ ...request, signal });
        interrupted = signal.aborted;
        return r;
      }, 'rerun when ready');
      process.stdout.write(`${json ? JSON.stringify(result) : formatText(result)}\n`);
      // The text output lists the warnings; with --json they go to stderr too, so nobody reads the figures without them.
      if (json) for (const w of result.warnings) process.stderr.write(`${oneLine(`Warning: ${w}`)}\n`);
      if (result.error !== null) {
        if (!json) process.stderr.write(`${oneLine(`Error: hint of pid ${result.pid} ${interrupted ? 'stopped' : 'failed'}: ${result.error}`)}\n`);
        return interrupted ? 130 : 1;
      }
      return 0;
    } catch (err) {
      if (json) process.stdout.write(`${JSON.stringify(failedResult(values, err))}\n`);
      throw err;
    }
  },
};
