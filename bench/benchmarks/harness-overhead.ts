/**
 * Harness overhead of the process_madvise path: the caller-side latency hintbench reports
 * versus the kernel-side latency bpftrace measures for the same syscalls, for PAGEOUT of
 * 256 MiB of random anon memory (target: user-side median within 2 % of kernel-side) and
 * for a 4 KiB range (reported as the absolute per-call overhead in microseconds); and COLD of
 * a workload split into 4096 VMAs (4 calls of 1024 iovecs), where the iovec arrays are built
 * before userLatencyNs starts: the time that building takes is reported beside the
 * user-minus-kernel gap it no longer inflates. Also the floor of any koffi syscall, timed
 * with tinybench (getpid round trip).
 *
 *   node --import tsx bench/benchmarks/harness-overhead.ts [--out FILE] [--reps N] [--calls N]
 * Needs root, bpftrace and swap (run `hintbench setup` first).
 */
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import { startProbeSession } from '../../bpf/session.ts';
import { attribute } from '../../core/attribution.ts';
import { spawnWorkload } from '../../workloads/client.ts';
import { ProcessMadviseMechanism } from '../mechanisms/process-madvise.ts';
import { summarize } from '../../core/stats/summary.ts';
import { libc } from '../../core/sys/libc.ts';
import { hostLimits, prepareCalls } from '../../core/sys/process-madvise.ts';
import type { AddrRange, ProbeFacts, Summary } from '../../core/types.ts';
import { writeBenchmark } from './output.ts';

const { values } = parseArgs({ options: { out: { type: 'string' }, reps: { type: 'string' }, calls: { type: 'string' } } });
const reps = Number(values.reps ?? 5);
const calls = Number(values.calls ?? 2000);
/** Hints of the 4096-VMA workload. */
const manyReps = 50;

interface Pair {
  userNs: number;
  kernelNs: number;
}

/** Caller-side and kernel-side latency of every hint the probe recorded completely (core/attribution.ts). */
function pairUp(outcomes: { fromNs: number; toNs: number; userNs: number; syscalls: number }[], facts: ProbeFacts, tid: number): Pair[] {
  const { figures } = attribute(
    facts,
    outcomes.map((o, i) => ({ label: `hint ${i}`, fromNs: o.fromNs, toNs: o.toNs, tid, syscalls: o.syscalls })),
  );
  return outcomes.flatMap((o, i) => {
    const kernelNs = figures[i]!.kernelLatencyNs;
    return kernelNs === null ? [] : [{ userNs: o.userNs, kernelNs }];
  });
}

function stats(pairs: Pair[]): { user: Summary; kernel: Summary; paired: number } {
  return { user: summarize(pairs.map((p) => p.userNs))!, kernel: summarize(pairs.map((p) => p.kernelNs))!, paired: pairs.length };
}

const workload = await spawnWorkload({ kind: 'anon', content: 'random', sizeMiB: 256, vmas: 1 });
const split = await spawnWorkload({ kind: 'anon', content: 'zero', sizeMiB: 16, vmas: 4096 });
const mech = new ProcessMadviseMechanism();
const splitMech = new ProcessMadviseMechanism();
try {
  await mech.open({ pid: workload.pid });
  await splitMech.open({ pid: split.pid });
  const session = await startProbeSession({ scripts: ['hint-latency-batch'] });
  const big: { fromNs: number; toNs: number; userNs: number; syscalls: number }[] = [];
  for (let i = 0; i < reps; i++) {
    const fromNs = Number(process.hrtime.bigint());
    const o = await mech.hint({ target: { pid: workload.pid }, advice: 'pageout', ranges: workload.regions });
    const toNs = Number(process.hrtime.bigint());
    if (o.error !== null) throw new Error(o.error);
    big.push({ fromNs, toNs, userNs: o.userLatencyNs, syscalls: o.syscalls });
    await workload.retouch();
  }
  const first = workload.regions[0]!;
  const page: AddrRange[] = [{ startAddr: first.startAddr, lengthBytes: 4096 }];
  const small: { fromNs: number; toNs: number; userNs: number; syscalls: number }[] = [];
  for (let i = 0; i < calls; i++) {
    const fromNs = Number(process.hrtime.bigint());
    const o = await mech.hint({ target: { pid: workload.pid }, advice: 'pageout', ranges: page });
    const toNs = Number(process.hrtime.bigint());
    small.push({ fromNs, toNs, userNs: o.userLatencyNs, syscalls: o.syscalls });
  }
  const many: { fromNs: number; toNs: number; userNs: number; syscalls: number }[] = [];
  const prepareNs: number[] = [];
  for (let i = 0; i < manyReps; i++) {
    const p0 = process.hrtime.bigint();
    prepareCalls(split.regions, hostLimits());
    prepareNs.push(Number(process.hrtime.bigint() - p0));
    const fromNs = Number(process.hrtime.bigint());
    const o = await splitMech.hint({ target: { pid: split.pid }, advice: 'cold', ranges: split.regions });
    const toNs = Number(process.hrtime.bigint());
    if (o.error !== null) throw new Error(o.error);
    many.push({ fromNs, toNs, userNs: o.userLatencyNs, syscalls: o.syscalls });
  }
  const facts = await session.stop();
  // The same 4 KiB calls with no probe attached: what the probes themselves add to the caller.
  const bare: number[] = [];
  for (let i = 0; i < calls; i++) {
    const o = await mech.hint({ target: { pid: workload.pid }, advice: 'pageout', ranges: page });
    bare.push(o.userLatencyNs);
  }
  const bareStats = summarize(bare)!;
  const b = stats(pairUp(big, facts, process.pid));
  const s = stats(pairUp(small, facts, process.pid));
  const m = stats(pairUp(many, facts, process.pid));
  const prepareStats = summarize(prepareNs)!;

  const getpid = libc.func('int getpid()');
  const tb = new Bench({ name: 'koffi floor', time: 500 });
  tb.add('koffi getpid()', () => {
    getpid();
  });
  await tb.run();
  const floorMs = tb.tasks[0]!.result;
  const floorUs = floorMs !== undefined && 'latency' in floorMs ? floorMs.latency.p50 * 1000 : null;

  const bigOverheadPct = ((b.user.median - b.kernel.median) / b.kernel.median) * 100;
  const smallOverheadUs = (s.user.median - s.kernel.median) / 1000;
  writeBenchmark(
    'harness-overhead',
    {
      pageout256MiB: {
        repetitions: reps,
        paired: b.paired,
        userMedianNs: b.user.median,
        kernelMedianNs: b.kernel.median,
        overheadPct: bigOverheadPct,
        targetPct: 2,
        user: b.user,
        kernel: b.kernel,
      },
      pageout4KiB: {
        calls,
        paired: s.paired,
        userMedianNs: s.user.median,
        kernelMedianNs: s.kernel.median,
        overheadUs: smallOverheadUs,
        userP99Ns: s.user.percentiles['99'] ?? null,
        kernelP99Ns: s.kernel.percentiles['99'] ?? null,
        userMedianNoProbeNs: bareStats.median,
        probeCostUs: (s.user.median - bareStats.median) / 1000,
        harnessOverheadNoProbeUs: (bareStats.median - s.kernel.median) / 1000,
      },
      cold4096Vmas: {
        repetitions: manyReps,
        paired: m.paired,
        syscallsPerHint: many[0]?.syscalls ?? 0,
        userMedianNs: m.user.median,
        kernelMedianNs: m.kernel.median,
        overheadUs: (m.user.median - m.kernel.median) / 1000,
        iovecBuildMedianUs: prepareStats.median / 1000,
      },
      koffiGetpidMedianUs: floorUs,
    },
    `harness overhead: PAGEOUT 256 MiB user ${(b.user.median / 1e6).toFixed(2)} ms vs kernel ${(b.kernel.median / 1e6).toFixed(2)} ms (+${bigOverheadPct.toFixed(2)} %, target <= 2 %); ` +
      `4 KiB user ${(s.user.median / 1e3).toFixed(2)} us vs kernel ${(s.kernel.median / 1e3).toFixed(2)} us (+${smallOverheadUs.toFixed(2)} us per call; ` +
      `without probes user ${(bareStats.median / 1e3).toFixed(2)} us); ` +
      `COLD 4096 VMAs user ${(m.user.median / 1e3).toFixed(1)} us vs kernel ${(m.kernel.median / 1e3).toFixed(1)} us (+${((m.user.median - m.kernel.median) / 1e3).toFixed(1)} us; iovec building, untimed: ${(prepareStats.median / 1e3).toFixed(1)} us); ` +
      `koffi getpid floor ${floorUs?.toFixed(2)} us`,
    values.out,
  );
} finally {
  await mech.dispose();
  await splitMech.dispose();
  await workload.exit();
  await split.exit();
}
