/**
 * Measures whether bpftrace outlives a SIGKILLed owner: N trials (default 30) of
 * runProbeKillTrial() at random instants after the owner starts its probe session (half in
 * the first --startup-window-ms, half up to --max-delay-ms), so kills land before the spawn,
 * during bpftrace's start-up and after the probes are attached. Orphans found are counted, then ended. Needs root, bpftrace, tracefs;
 * run it under the integration lock:
 *
 *   flock /tmp/hb-integration.lock node --import tsx test/kill/probe-sigkill.ts [--trials 30] [--max-delay-ms 1000] [--json out.json]
 *
 * Prints one line (`probe-sigkill: 0 orphans in 30 trials (12 before attach, 18 after) ...`)
 * and, with --json, writes every trial. Exit code 1 when any orphan was found.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { reapOrphans, runProbeKillTrial, type ProbeKillTrial } from './probe-trials.ts';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '30' },
    'max-delay-ms': { type: 'string', default: '1000' },
    'startup-window-ms': { type: 'string', default: '150' },
    'grace-ms': { type: 'string', default: '20000' },
    json: { type: 'string' },
  },
});
const trials = Number(values.trials);
const maxDelayMs = Number(values['max-delay-ms']);
const graceMs = Number(values['grace-ms']);
const startupWindowMs = Number(values['startup-window-ms']);

const results: ProbeKillTrial[] = [];
for (let i = 0; i < trials; i++) {
  // Half the kills land in the first startupWindowMs (spawn, exec, bpftrace attaching: ~50 ms
  // here), the rest anywhere up to maxDelayMs.
  const killDelayMs = Math.round(Math.random() * (Math.random() < 0.5 ? startupWindowMs : maxDelayMs));
  const t = await runProbeKillTrial({ killDelayMs, graceMs });
  results.push(t);
  process.stderr.write(
    `trial ${i + 1}/${trials}: kill at ${killDelayMs} ms (${t.phase}), ${t.seenAfterKill} process(es) after the kill, ${t.orphans.length} orphan(s)${t.orphans.length > 0 ? ` ${t.orphans.map((o) => `${o.pid}:${o.comm}`).join(',')}` : ''}, gone after ${t.goneAfterMs} ms\n`,
  );
  if (t.orphans.length > 0) await reapOrphans(t.orphans);
}

const orphanTrials = results.filter((t) => t.orphans.length > 0).length;
const orphans = results.reduce((n, t) => n + t.orphans.length, 0);
const before = results.filter((t) => t.phase === 'before-attach').length;
const goneMs = results
  .filter((t) => t.orphans.length === 0)
  .map((t) => t.goneAfterMs)
  .sort((a, b) => a - b);
const summary = {
  trials,
  maxDelayMs,
  graceMs,
  beforeAttach: before,
  afterAttach: trials - before,
  orphanTrials,
  orphans,
  maxGoneAfterMs: goneMs.at(-1) ?? null,
};
if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify({ summary, results }, null, 2)}\n`);
process.stdout.write(
  `probe-sigkill: ${orphans} orphan process(es) in ${orphanTrials} of ${trials} trials (${before} killed before attach, ${trials - before} after); slowest clean exit ${summary.maxGoneAfterMs ?? '-'} ms\n`,
);
process.exitCode = orphans > 0 ? 1 : 0;
