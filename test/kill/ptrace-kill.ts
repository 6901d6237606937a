/**
 * SIGKILL of hintbench at random instants during `hint --via ptrace --repeat N`, hundreds of
 * times (the CI test does a few dozen): first the whole process group, then the tracer alone
 * (ptrace-kill-trials.ts), taking turns between the native register-checking target and the
 * Node selfcheck target. With bpftrace present it also counts the targets' rt_sigreturn
 * calls: neither target takes signals, so each one is a target that found itself in the
 * injected code with its tracer gone and returned to its own context through the frame.
 *
 *   node --import tsx test/kill/ptrace-kill.ts [--group N] [--tracer N] [--seed S] [--out FILE]
 * Needs root and a C compiler.
 */
import { execFileSync, spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { HintbenchError } from '../../core/errors.ts';
import { readLines } from '../../core/channel.ts';
import { findCCompiler } from '../../core/process/c-compiler.ts';
import { requireRoot } from '../../core/process/privileges.ts';
import { buildNativeSelfcheck, startNativeSelfcheck, startSelfcheck } from '../targets/selfcheck-client.ts';
import { writeBenchmark } from '../../bench/benchmarks/output.ts';
import { mulberry32 } from '../../core/stats/random.ts';
import { runKillTrials, summarizeKillTrials, type KillTarget } from './ptrace-kill-trials.ts';

const { values } = parseArgs({ options: { group: { type: 'string' }, tracer: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' } } });
const groupKills = Number(values.group ?? 100);
const tracerKills = Number(values.tracer ?? 100);
const seed = Number(values.seed ?? 1);
for (const [flag, v] of [
  ['--group', groupKills],
  ['--tracer', tracerKills],
  ['--seed', seed],
] as const) {
  if (!Number.isInteger(v) || v < 0) throw new HintbenchError(`${flag} must be a non-negative integer`, `pass e.g. ${flag} 100`);
}
requireRoot('ptrace-kill', 'ptrace of other processes', 'npm run bench:ptrace-kill');
const cc = findCCompiler();
if (cc === null) throw new HintbenchError('ptrace-kill needs a C compiler for its register-checking target', 'apt-get install -y gcc');

const build = buildNativeSelfcheck(cc);
const native = await startNativeSelfcheck(build, 'regs');
const node = await startSelfcheck(['--mode=nanosleep', '--idle-mib=4']);
const hex = (n: number): string => n.toString(16);
const targets: KillTarget[] = [
  { pid: native.pid, ranges: `${hex(native.region.startAddr)}-${hex(native.region.startAddr + 65536)}` },
  { pid: node.pid, ranges: `${hex(node.ready.checked.startAddr)}-${hex(node.ready.checked.startAddr + 65536)}` },
];

/** bpftrace counting rt_sigreturn of the two targets, or null without bpftrace. */
function startSigreturnCount(): { stop(): Promise<Record<string, number>> } | null {
  try {
    execFileSync('bpftrace', ['--version'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  const script = `tracepoint:syscalls:sys_enter_rt_sigreturn /pid == ${native.pid} || pid == ${node.pid}/ { @[pid] = count(); }`;
  const bt = spawn('bpftrace', ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  const lines: string[] = [];
  let attached: () => void = () => {};
  const ready = new Promise<void>((res) => {
    attached = res;
  });
  readLines(bt.stdout!, (l) => {
    lines.push(l);
    if (l.startsWith('Attaching')) attached();
  });
  const closed = new Promise<void>((res) => bt.on('close', () => res()));
  return {
    stop: async () => {
      await Promise.race([ready, new Promise((r) => setTimeout(r, 5000))]);
      bt.kill('SIGINT');
      await closed;
      const counts: Record<string, number> = {};
      for (const l of lines) {
        const m = /^@\[(\d+)\]: (\d+)/.exec(l);
        if (m) counts[m[1]!] = Number(m[2]);
      }
      return counts;
    },
  };
}

const counter = startSigreturnCount();
if (counter !== null) await new Promise((r) => setTimeout(r, 1500)); // bpftrace attaches
const random = mulberry32(seed);
const t0 = Date.now();
const log = (t: { kind: string; targetPid: number; tracedAtKill: boolean; syscallAtKill: string; targetAlive: boolean }, i: number): void => {
  if (i % 20 === 0) process.stderr.write(`${t.kind} kill ${i}: pid ${t.targetPid}, traced ${t.tracedAtKill}, syscall ${t.syscallAtKill}, alive ${t.targetAlive}\n`);
};
let n = 0;
const group = await runKillTrials({ kind: 'group', trials: groupKills, targets, advice: 'pageout', random, onTrial: (t) => log(t, n++) });
n = 0;
const tracer = await runKillTrials({ kind: 'tracer', trials: tracerKills, targets, advice: 'pageout', random, onTrial: (t) => log(t, n++) });
const seconds = (Date.now() - t0) / 1000;
const sigreturns = counter === null ? null : await counter.stop();
const nativeStatus = native.alive() ? await native.status() : null;
const nodeStatus = node.alive() ? await node.status() : null;
const nodeIdleBadPages = node.alive() ? await node.verifyIdle() : -1;
await native.stop();
await node.kill();
build.remove();

const g = summarizeKillTrials(group);
const tr = summarizeKillTrials(tracer);
const corrupt =
  nativeStatus === null ||
  nodeStatus === null ||
  nativeStatus.regMismatches + nativeStatus.sleepErrors + nativeStatus.shortSleeps + nativeStatus.maskErrors + nativeStatus.memErrors > 0 ||
  nodeStatus.hashFailures + nodeStatus.pageFailures + nodeStatus.otherErrors > 0 ||
  nodeIdleBadPages !== 0;
const deaths = g.targetDeaths + tr.targetDeaths;
const left = g.leftTraced + g.leftStopped + tr.leftTraced + tr.leftStopped + g.tracerLingered;
const ok = !corrupt && deaths === 0 && left === 0 && g.problems.length + tr.problems.length === 0;
const frameReturns = sigreturns === null ? null : Object.values(sigreturns).reduce((a, b) => a + b, 0);
writeBenchmark(
  'ptrace-kill',
  {
    seed,
    seconds,
    group: g,
    tracer: tr,
    rtSigreturnByPid: sigreturns,
    frameReturns,
    native: nativeStatus,
    node: nodeStatus,
    nodeIdleBadPages,
    trials: [...group, ...tracer],
    passed: ok,
  },
  `SIGKILL during injections: ${g.trials} group kills (${g.tracedAtKill} with the target seized), ${tr.trials} tracer kills (${tr.tracedAtKill} seized, ` +
    `${frameReturns ?? 'n/a'} returns through the frame); target deaths ${deaths}, corruption ${corrupt ? 'FOUND' : 'none'} ` +
    `(native: ${nativeStatus?.loops ?? 0} checked loops, ${nativeStatus?.regMismatches ?? '?'} register mismatches), left traced/stopped ${left}, ` +
    `tracer lingering after group kill ${g.tracerLingered}; ${seconds.toFixed(0)} s: ${ok ? 'PASS' : 'FAIL'}`,
  values.out,
);
process.exitCode = ok ? 0 : 1;
