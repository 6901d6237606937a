/**
 * The TypeScript injector side by side with the C reference (ptrace-reference.ts), taking
 * turns injection by injection into one target (the order rotates every round), so that a
 * load change hits all variants alike:
 *  - `ts`: hintbench's injector as shipped (sigframe method), through its tracer process;
 *  - `ts-singlestep`: the same injector forced to the single-step method;
 *  - `c-singlestep`: the minimal C injector (seize, interrupt, getregs, setregs, single-step,
 *    restore, detach; blocking waits) the speed target is stated against;
 *  - `c-sigframe`: C issuing the sigframe method's system calls in the same order.
 * Latencies are each injector's own, from before PTRACE_SEIZE to after PTRACE_DETACH.
 * Each also reports its part before PTRACE_INTERRUPT (seize and pin checks): subtracted, it
 * bounds what keeping the target seized across `--repeat` could gain.
 */
import type { PtraceMechanism } from '../mechanisms/ptrace/index.ts';
import type { InjectionReport } from '../mechanisms/ptrace/injector.ts';
import { summarize } from '../../core/stats/summary.ts';
import { ADVICE_VALUE } from '../../core/sys/syscall.ts';
import type { Summary } from '../../core/types.ts';
import { pairedMedianRatio, type RatioCI } from '../../core/stats/paired-ratio.ts';
import { buildReference, startReference, type ReferenceInjector } from './ptrace-reference.ts';

/** What compareWithReference() measured. */
export interface ReferenceComparison {
  /** Compiler used, or null (then nothing else is set but `note`). */
  compiler: string | null;
  note: string;
  rounds: number;
  /** Latency per variant, ns. */
  latencyNs: Record<string, Summary | null>;
  /** Failed injections per variant. */
  errors: Record<string, number>;
  /** median(x) / median(y) with 95 % bootstrap intervals over rounds. */
  ratios: {
    tsOverCSinglestep: RatioCI;
    tsSinglestepOverCSinglestep: RatioCI;
    tsOverCSigframe: RatioCI;
    cSigframeOverCSinglestep: RatioCI;
    /** The injector without its seize and pin checks (a target kept seized) over the C single-step injector as it is: the best persistent seize could do. */
    tsKeptSeizedOverCSinglestep: RatioCI;
    /** The same for the C sigframe sequence. */
    cSigframeKeptSeizedOverCSinglestep: RatioCI;
  } | null;
  /** Median part before PTRACE_INTERRUPT (seize, pin checks) per variant, ns. */
  seizeNs: Record<string, number>;
  /** Medians of the TypeScript injector's own account of where its time went. */
  tsBreakdown: {
    sysCalls: number;
    stops: number;
    waitNs: number;
    blockedWaits: number;
    seizeNs: number;
    setupNs: number;
    restoreNs: number;
    stopWindowNs: number;
    callerCpuNs: number;
  } | null;
}

const VARIANTS = ['ts', 'ts-singlestep', 'c-singlestep', 'c-sigframe'] as const;

/** Runs `warmup + rounds` rounds against `pid`, one COLD madvise of `lengthBytes` at `startAddr` each. */
export async function compareWithReference(opts: {
  cc: string | null;
  pt: PtraceMechanism;
  pid: number;
  startAddr: number;
  lengthBytes: number;
  rounds: number;
  warmup: number;
}): Promise<ReferenceComparison> {
  const empty = { rounds: 0, latencyNs: {}, errors: {}, ratios: null, seizeNs: {}, tsBreakdown: null };
  if (opts.cc === null) return { compiler: null, note: 'no C compiler (cc, gcc or clang) on PATH: the C reference was not run', ...empty };
  const build = buildReference(opts.cc);
  const refs: Record<'c-singlestep' | 'c-sigframe', ReferenceInjector> = {
    'c-singlestep': startReference(build, 'singlestep'),
    'c-sigframe': startReference(build, 'sigframe'),
  };
  const lat: Record<string, number[]> = Object.fromEntries(VARIANTS.map((v) => [v, []]));
  const seize: Record<string, number[]> = Object.fromEntries(VARIANTS.map((v) => [v, []]));
  const errors: Record<string, number> = Object.fromEntries(VARIANTS.map((v) => [v, 0]));
  const reports: InjectionReport[] = [];
  const range = { startAddr: opts.startAddr, lengthBytes: opts.lengthBytes };
  try {
    for (let i = 0; i < opts.warmup + opts.rounds; i++) {
      const round: Partial<Record<(typeof VARIANTS)[number], number>> = {};
      const roundSeize: Partial<Record<(typeof VARIANTS)[number], number>> = {};
      let failed = false;
      for (let k = 0; k < VARIANTS.length; k++) {
        const v = VARIANTS[(i + k) % VARIANTS.length]!;
        if (v === 'ts' || v === 'ts-singlestep') {
          const r = await opts.pt.inject({ pid: opts.pid, advice: ADVICE_VALUE.cold, ranges: [range], profile: true, method: v === 'ts' ? 'auto' : 'singlestep' });
          if (r.error !== null || r.results[0]?.ret !== 0) {
            failed = true;
            if (i >= opts.warmup) errors[v]!++;
            continue;
          }
          round[v] = r.latencyNs;
          roundSeize[v] = r.profile?.seizeNs ?? 0;
          if (v === 'ts' && i >= opts.warmup) reports.push(r);
        } else {
          const r = await refs[v].inject(opts.pid, range.startAddr, range.lengthBytes, 20);
          if (r.ret !== 0) {
            failed = true;
            if (i >= opts.warmup) errors[v]!++;
            continue;
          }
          round[v] = r.latencyNs;
          roundSeize[v] = r.seizeNs;
        }
      }
      if (i < opts.warmup || failed) continue;
      for (const v of VARIANTS) {
        lat[v]!.push(round[v]!);
        seize[v]!.push(roundSeize[v]!);
      }
    }
  } finally {
    refs['c-singlestep'].close();
    refs['c-sigframe'].close();
    build.remove();
  }
  const med = (f: (r: InjectionReport) => number): number => summarize(reports.map(f))?.median ?? 0;
  const n = lat.ts!.length;
  return {
    compiler: opts.cc,
    note: `${n} complete rounds of 4 alternating injections (order rotating), COLD of ${opts.lengthBytes} bytes`,
    rounds: n,
    latencyNs: Object.fromEntries(VARIANTS.map((v) => [v, summarize(lat[v]!)])),
    errors,
    ratios:
      n === 0
        ? null
        : {
            tsOverCSinglestep: pairedMedianRatio(lat.ts!, lat['c-singlestep']!),
            tsSinglestepOverCSinglestep: pairedMedianRatio(lat['ts-singlestep']!, lat['c-singlestep']!),
            tsOverCSigframe: pairedMedianRatio(lat.ts!, lat['c-sigframe']!),
            cSigframeOverCSinglestep: pairedMedianRatio(lat['c-sigframe']!, lat['c-singlestep']!),
            tsKeptSeizedOverCSinglestep: pairedMedianRatio(withoutSeize(lat.ts!, seize.ts!), lat['c-singlestep']!),
            cSigframeKeptSeizedOverCSinglestep: pairedMedianRatio(withoutSeize(lat['c-sigframe']!, seize['c-sigframe']!), lat['c-singlestep']!),
          },
    seizeNs: Object.fromEntries(VARIANTS.map((v) => [v, summarize(seize[v]!)?.median ?? 0])),
    tsBreakdown:
      reports.length === 0
        ? null
        : {
            sysCalls: med((r) => r.profile!.sysCalls),
            stops: med((r) => r.stops),
            waitNs: med((r) => r.profile!.waitNs),
            blockedWaits: med((r) => r.profile!.blockedWaits),
            seizeNs: med((r) => r.profile!.seizeNs),
            setupNs: med((r) => r.profile!.setupNs),
            restoreNs: med((r) => r.profile!.restoreNs),
            stopWindowNs: med((r) => r.stopWindowNs),
            callerCpuNs: med((r) => r.callerCpuNs),
          },
  };
}

/** Latencies with each one's part before PTRACE_INTERRUPT taken out, pairwise. */
function withoutSeize(latencyNs: number[], seizeNs: number[]): number[] {
  return latencyNs.map((x, i) => x - (seizeNs[i] ?? 0));
}
