/**
 * The injection torture scenario of the CI test (test/integration/ptrace/torture-scenario.ts)
 * at 10,000 injections: every target state, self-checking targets, zero corruption, zero
 * deaths, nothing left traced or stopped.
 *
 *   node --import tsx test/ptrace-torture.ts [--injections N] [--out FILE]
 * Needs root (and swap for PAGEOUT; COLD otherwise).
 */
import { parseArgs } from 'node:util';
import { runTorture } from './integration/ptrace/torture-scenario.ts';
import { HintbenchError } from '../core/errors.ts';
import { requireRoot } from '../core/process/privileges.ts';
import { writeBenchmark } from '../bench/benchmarks/output.ts';

const { values } = parseArgs({ options: { injections: { type: 'string' }, out: { type: 'string' } } });
const injections = Number(values.injections ?? 10_000);
if (!Number.isInteger(injections) || injections < 10) throw new HintbenchError(`--injections ${values.injections} is not an integer >= 10`, 'pass e.g. --injections 10000');
requireRoot('ptrace-torture', 'ptrace of other processes', 'npm run bench:ptrace-torture');

const r = await runTorture(injections);
const bad = r.targets.filter(
  (t) =>
    !t.alive ||
    t.tracedThreads > 0 ||
    /[tTZ]/.test(t.state) ||
    t.idleBadPages !== 0 ||
    (t.status?.hashFailures ?? 1) + (t.status?.pageFailures ?? 1) + (t.status?.otherErrors ?? 1) > 0,
);
const ok = r.errors.length === 0 && bad.length === 0 && r.stoppedStayedStopped && r.frozenStayedFrozen !== false && r.signalsCounted === r.signalsSent;
writeBenchmark(
  'ptrace-torture',
  { ...r, errors: r.errors.slice(0, 50), errorCount: r.errors.length, passed: ok },
  `torture: ${r.injections} injections in ${r.seconds.toFixed(0)} s over ${r.targets.length} targets: ${r.errors.length} failed injections, ` +
    `${r.targets.filter((t) => !t.alive).length} deaths, ${bad.length} targets corrupted/traced/stopped, ${r.thawCycles} thaw cycles, ` +
    `signals ${r.signalsCounted}/${r.signalsSent} delivered, ${r.eintrTotal} EINTRs seen, methods ${JSON.stringify(r.methods)}; open windows if the tracer had been killed: seccomp median ${(r.windowsNs.seccomp?.median ?? 0) / 1000} us (max ${(r.windowsNs.seccomp?.max ?? 0) / 1000}), thaw median ${(r.windowsNs.thaw?.median ?? 0) / 1000} us (max ${(r.windowsNs.thaw?.max ?? 0) / 1000}): ${ok ? 'PASS' : 'FAIL'}`,
  values.out,
);
process.exitCode = ok ? 0 : 1;
