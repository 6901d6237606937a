/**
 * Hint latency of the two delivery mechanisms, process_madvise(2) and ptrace-injected
 * madvise(2): median and p99 of the latency each mechanism reports (HintOutcome.userLatencyNs;
 * for ptrace measured inside the tracer from before PTRACE_SEIZE to after PTRACE_DETACH) and,
 * for ptrace, the target's stop window. Cells: target sleeping / running (spinning on a CPU)
 * x range 4 KiB / 1 MiB x advice PAGEOUT / COLD, >= 500 hints each after a warm-up.
 *
 * 1 MiB hints do real work: the region is re-touched (workload `retouch`, outside the timed
 * region) before each of them, so PAGEOUT swaps out 256 resident pages and COLD deactivates
 * active ones every time. 4 KiB hints are not re-touched: after the first, PAGEOUT finds the
 * page already swapped out, so these cells measure the cost of delivering a hint (the
 * figure the <= 35 us target is about), not of reclaiming a page. Within a cell the variants take turns hint by hint,
 * so a load change on the machine hits them alike. Extra ptrace variants for the 4 KiB
 * PAGEOUT cells: `ptrace-poll` (waits by polling waitpid(WNOHANG) with sched_yield and
 * sleeps, the injector's previous way of waiting) and `ptrace-follow` (tracer moved onto the
 * target's last CPU). The floor of one koffi ptrace call is measured with tinybench.
 *
 * First, the injector side by side with a minimal C injector compiled now with the system C
 * compiler (ptrace-vs-reference.ts): 4 KiB COLD into the sleeping workload, TypeScript and C
 * taking turns; the ratio of medians with a 95 % bootstrap interval, and where the
 * TypeScript injector's time goes. Without a C compiler this part says so and is skipped.
 * Where the processes run weighs more than either implementation: a stop round trip costs
 * ~3 us with tracer and target on one CPU and 15-19 us across CPUs in a 2-vCPU VM (idle vCPUs
 * halt); `taskset -c 0` in front of the command compares the implementations alone.
 *
 *   node --import tsx bench/benchmarks/ptrace-latency.ts [--out FILE] [--hints N] [--warmup N] [--rounds N] [--reference-only]
 * Needs root and swap (run `hintbench setup` first).
 */
import { cpus, loadavg, release } from 'node:os';
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import { spawnWorkload, type WorkloadHandle } from '../../workloads/client.ts';
import { HintbenchError } from '../../core/errors.ts';
import { requireRoot } from '../../core/process/privileges.ts';
import { readSwapDevices } from '../host/swap.ts';
import { ProcessMadviseMechanism } from '../mechanisms/process-madvise.ts';
import { outcomeFromReport, PtraceMechanism } from '../mechanisms/ptrace/index.ts';
import { summarize } from '../../core/stats/summary.ts';
import { libc } from '../../core/sys/libc.ts';
import { ADVICE_VALUE } from '../../core/sys/syscall.ts';
import type { Advice, AddrRange, HintOutcome, Summary } from '../../core/types.ts';
import { findCCompiler } from '../../core/process/c-compiler.ts';
import { writeBenchmark } from './output.ts';
import { compareWithReference, type ReferenceComparison } from './ptrace-vs-reference.ts';

const { values } = parseArgs({
  options: { out: { type: 'string' }, hints: { type: 'string' }, warmup: { type: 'string' }, rounds: { type: 'string' }, 'reference-only': { type: 'boolean' } },
});
const hints = Number(values.hints ?? 500);
const warmup = Number(values.warmup ?? 50);
const rounds = Number(values.rounds ?? 400);
const referenceOnly = values['reference-only'] === true;
if (!Number.isInteger(rounds) || rounds < 1) throw new HintbenchError(`--rounds ${values.rounds} is not a positive integer`, 'pass e.g. --rounds 400');
if (!Number.isInteger(hints) || hints < 1) throw new HintbenchError(`--hints ${values.hints} is not a positive integer`, 'pass e.g. --hints 500');
if (!Number.isInteger(warmup) || warmup < 0) throw new HintbenchError(`--warmup ${values.warmup} is not a non-negative integer`, 'pass e.g. --warmup 50');
requireRoot('ptrace-latency', 'ptrace and process_madvise of another process', 'npm run bench:ptrace');
if (readSwapDevices().length === 0) throw new HintbenchError('no swap is active: PAGEOUT of anonymous memory would do nothing', 'run `hintbench setup` (zram swap) first');

const PAGE_BYTES = 4096;
const REGION_MIB = 1;

/** One way of delivering a hint, measured as its own row. */
interface Variant {
  name: string;
  hint(ranges: AddrRange[], advice: Advice): Promise<HintOutcome>;
}

/** The figures of one variant in one cell. */
interface CellFigures {
  state: 'sleeping' | 'running';
  rangeBytes: number;
  advice: Advice;
  variant: string;
  hints: number;
  errors: number;
  firstError: string | null;
  latencyNs: Summary | null;
  stopWindowNs: Summary | null;
  callerCpuNs: Summary | null;
}

const workload: WorkloadHandle = await spawnWorkload({ kind: 'anon', content: 'random', sizeMiB: REGION_MIB, vmas: 1 });
const pm = new ProcessMadviseMechanism();
const pt = new PtraceMechanism();
const loadBefore = loadavg();
const cells: CellFigures[] = [];
let reference: ReferenceComparison;
try {
  await pm.open({ pid: workload.pid });
  await pt.open({ pid: workload.pid });
  const region = workload.regions[0]!;
  await workload.setState('sleeping');
  reference = await compareWithReference({ cc: findCCompiler(), pt, pid: workload.pid, startAddr: region.startAddr, lengthBytes: PAGE_BYTES, rounds, warmup });
  const target = { pid: workload.pid };
  const viaPtrace =
    (extra: { waitMode?: 'block' | 'poll'; followCpu?: boolean }) =>
    async (ranges: AddrRange[], advice: Advice): Promise<HintOutcome> =>
      outcomeFromReport(await pt.inject({ pid: workload.pid, advice: ADVICE_VALUE[advice], ranges, ...extra }));
  const base: Variant[] = [
    { name: 'process_madvise', hint: (ranges, advice) => pm.hint({ target, advice, ranges }) },
    { name: 'ptrace', hint: (ranges, advice) => pt.hint({ target, advice, ranges }) },
  ];
  const extras: Variant[] = [
    { name: 'ptrace-poll', hint: viaPtrace({ waitMode: 'poll' }) },
    { name: 'ptrace-follow', hint: viaPtrace({ followCpu: true }) },
  ];

  for (const state of referenceOnly ? [] : (['sleeping', 'running'] as const)) {
    await workload.setState(state);
    for (const rangeBytes of [PAGE_BYTES, REGION_MIB * 1024 * 1024]) {
      for (const advice of ['pageout', 'cold'] as const) {
        const ranges: AddrRange[] = [{ startAddr: region.startAddr, lengthBytes: rangeBytes }];
        const retouch = rangeBytes > PAGE_BYTES;
        const variants = rangeBytes === PAGE_BYTES && advice === 'pageout' ? [...base, ...extras] : base;
        const samples = variants.map(() => ({ lat: [] as number[], stop: [] as number[], cpu: [] as number[], errors: 0, firstError: null as string | null }));
        for (let i = 0; i < warmup + hints; i++) {
          for (let v = 0; v < variants.length; v++) {
            if (retouch) await workload.retouch(); // outside the timed region: the hint finds resident, recently used pages
            const o = await variants[v]!.hint(ranges, advice);
            if (i < warmup) continue;
            const s = samples[v]!;
            if (o.error !== null) {
              s.errors++;
              s.firstError ??= o.error;
              continue;
            }
            s.lat.push(o.userLatencyNs);
            if (variants[v]!.name.startsWith('ptrace')) s.stop.push(o.injectorStopNs);
            if (o.callerCpuNs !== null) s.cpu.push(o.callerCpuNs);
          }
        }
        variants.forEach((variant, v) => {
          const s = samples[v]!;
          cells.push({
            state,
            rangeBytes,
            advice,
            variant: variant.name,
            hints: s.lat.length,
            errors: s.errors,
            firstError: s.firstError,
            latencyNs: summarize(s.lat),
            stopWindowNs: summarize(s.stop),
            callerCpuNs: summarize(s.cpu),
          });
        });
      }
    }
  }
  await workload.setState('sleeping');
} finally {
  await pt.close();
  await pt.dispose();
  await pm.close();
  await pm.dispose();
  await workload.exit();
}
const loadAfter = loadavg();

// Floor of one koffi ptrace call: PTRACE_GETREGS on a process that is not our tracee fails
// at once with ESRCH, so this is the cost of the binding plus the syscall entry and exit.
const ptraceFloor: (req: number, pid: number, addr: number, data: Buffer) => number = libc.func('long ptrace(long req, int pid, uintptr_t addr, void *data)');
const regs = Buffer.alloc(27 * 8);
const tb = new Bench({ name: 'koffi ptrace floor', time: 500 });
tb.add('ptrace(PTRACE_GETREGS) -> ESRCH', () => {
  ptraceFloor(12, 1, 0, regs);
});
await tb.run();
const floorResult = tb.tasks[0]!.result;
const ptraceCallFloorUs = floorResult !== undefined && 'latency' in floorResult ? floorResult.latency.p50 * 1000 : null;

const us = (ns: number | undefined): string => (ns === undefined ? '-' : (ns / 1000).toFixed(1));
const find = (state: string, rangeBytes: number, advice: string, variant: string): CellFigures | undefined =>
  cells.find((c) => c.state === state && c.rangeBytes === rangeBytes && c.advice === advice && c.variant === variant);
const TARGET_US = 35;
const headline = find('sleeping', PAGE_BYTES, 'pageout', 'ptrace');
const met = headline?.latencyNs !== null && headline?.latencyNs !== undefined && headline.latencyNs.median <= TARGET_US * 1000;
const parts = (['sleeping', 'running'] as const).flatMap((state) =>
  [PAGE_BYTES, REGION_MIB * 1024 * 1024].map((size) => {
    const p = find(state, size, 'pageout', 'ptrace')?.latencyNs;
    const m = find(state, size, 'pageout', 'process_madvise')?.latencyNs;
    return `${state} ${size === PAGE_BYTES ? '4 KiB' : '1 MiB'}: ptrace ${us(p?.median)}/${us(p?.percentiles['99'])}, process_madvise ${us(m?.median)}/${us(m?.percentiles['99'])}`;
  }),
);

/** The reference comparison in one clause. */
function referenceLine(): string {
  const r = reference.ratios;
  if (r === null) return `C reference: ${reference.note}`;
  const f = (x: { ratio: number; lo: number; hi: number }): string => `${x.ratio.toFixed(2)}x [${x.lo.toFixed(2)}, ${x.hi.toFixed(2)}]`;
  const b = reference.tsBreakdown;
  const where =
    b === null
      ? ''
      : ` (ts: ${b.sysCalls} system calls, ${b.stops} stops, seize and pin checks ${us(b.seizeNs)} us, waits ${us(b.waitNs)} us, ${b.blockedWaits} blocked waits, setup ${us(b.setupNs)} us, restore ${us(b.restoreNs)} us; koffi floor ${ptraceCallFloorUs?.toFixed(2)} us/call)`;
  return (
    `injector vs minimal C injector (median ratio, 95% CI, ${reference.rounds} rounds): ${f(r.tsOverCSinglestep)} (target <= 1.5x: ${r.tsOverCSinglestep.ratio <= 1.5 ? 'met' : 'not met'}); ` +
    `same sequence in C ${f(r.tsOverCSigframe)}; C sigframe sequence / C single-step ${f(r.cSigframeOverCSinglestep)}; ts single-step / C single-step ${f(r.tsSinglestepOverCSinglestep)}; ` +
    `kept seized (seize and pin checks taken out) ts ${f(r.tsKeptSeizedOverCSinglestep)}, C sigframe ${f(r.cSigframeKeptSeizedOverCSinglestep)}; ` +
    `medians ts ${us(reference.latencyNs.ts?.median)} us, C ${us(reference.latencyNs['c-singlestep']?.median)} us${where}`
  );
}

writeBenchmark(
  'ptrace-latency',
  {
    hintsPerCell: hints,
    warmupHints: warmup,
    retouchBetweenHints: { '4KiB': false, '1MiB': true },
    regionBytes: REGION_MIB * 1024 * 1024,
    machine: { kernel: release(), cpus: cpus().length, loadAverageBefore: loadBefore, loadAverageAfter: loadAfter },
    targetInjected4KiBMedianUs: TARGET_US,
    targetMet: met,
    ptraceCallFloorUs,
    reference,
    cells,
  },
  `${referenceLine()}; PAGEOUT median/p99 us, ${parts.join('; ')}; injected 4 KiB sleeping median ${us(headline?.latencyNs?.median)} us ` +
    `(target <= ${TARGET_US}: ${met ? 'met' : 'not met'}); koffi ptrace call floor ${ptraceCallFloorUs?.toFixed(2)} us; load ${loadBefore[0]!.toFixed(2)} -> ${loadAfter[0]!.toFixed(2)}`,
  values.out,
);
