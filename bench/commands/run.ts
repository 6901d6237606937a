import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { rebuildReports, writeReports } from '../../reports/write.ts';
import { formatSummaryTable } from '../../reports/summary-table.ts';
import { HintbenchError } from '../errors.ts';
import { formatDoctor, runDoctor } from '../host/doctor.ts';
import { releaseHost, setupHost } from '../host/setup.ts';
import { resultsDirFor, runSuite } from '../runner/run.ts';
import type { RunResult } from '../types.ts';
import { resolveSuite } from '../scenarios/builtin.ts';
import { intOpt, noPositionals, requireRoot, stringOpt } from './args.ts';
import { withInterrupt } from './interrupt.ts';
import type { Command, OptionValues } from './types.ts';

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function run(values: OptionValues, positionals: string[]): Promise<number> {
  noPositionals('run', positionals);
  const suiteName = stringOpt(values, 'suite') ?? 'default';
  const repsOverride = stringOpt(values, 'reps') === undefined ? undefined : intOpt(values, 'reps', 5);
  const suite = resolveSuite(suiteName, repsOverride === undefined ? undefined : { repetitions: repsOverride });
  requireRoot('hintbench run');

  const keepHost = values['keep-host'] === true;
  let hostChanges: string[] = [];
  let setUp = false;
  if (values['no-setup'] !== true) {
    log('Preparing the host...');
    const changes = await setupHost({ log: (l) => log(`  ${l}`), userLabel: 'hintbench run' });
    hostChanges = changes.lines;
    setUp = true;
    if (changes.lines.length === 0) log('  nothing to change');
  }
  try {
    const doctor = await runDoctor();
    if (!doctor.canRun) {
      process.stderr.write(`${formatDoctor(doctor)}\n`);
      throw new HintbenchError('the host cannot run the suite (see the failed checks above)', 'apply the fixes listed, or run hintbench setup');
    }
    log(`Running suite '${suite.name}': ${suite.scenarios.length} scenarios, ${suite.scenarios.reduce((s, x) => s + x.repetitions, 0)} samples`);
    const out = stringOpt(values, 'out');
    const dir = out !== undefined ? resolve(out) : resultsDirFor('results', suite.name, new Date());
    let result: RunResult;
    try {
      ({ run: result } = await withInterrupt(
        (signal) => runSuite(suite, { hostChanges, signal, progress: log, outDir: dir }),
        `rerun when ready; what was measured is in ${dir} (hintbench report ${dir} rebuilds its report)`,
      ));
    } catch (err) {
      // Interrupted or failed part-way: give what was measured a report too.
      if (existsSync(join(dir, 'results.json'))) {
        await rebuildReports(dir, { png: values.png === true }).then(
          (files) => log(`Partial report: ${files.find((f) => f.endsWith('report.html')) ?? dir}`),
          () => undefined,
        );
      }
      throw err;
    }
    const files = await writeReports(dir, result, { png: values.png === true });
    log('');
    log(formatSummaryTable(result));
    log('');
    log(`Results: ${dir}`);
    log(`Report:  ${files.find((f) => f.endsWith('report.html')) ?? dir}`);
    return result.scenarios.some((s) => s.status === 'failed') ? 1 : 0;
  } finally {
    // Undoes the preparation only when no other run uses it and nobody kept it.
    if (setUp) {
      const released = await releaseHost({ log: (l) => log(`  ${l}`), keep: keepHost });
      if (released.undone.length > 0) log('Restored the host');
      else if (keepHost && released.kept) log('Host preparation kept (--keep-host); undo it with hintbench teardown');
    }
  }
}

/** `hintbench run`: prepare the host, run a suite, write results and reports, restore the host. */
export const runCommand: Command = {
  name: 'run',
  aliases: ['bench'],
  usage: 'run [--suite NAME] [--reps N] [--out DIR]',
  summary: 'run a suite (default: the built-in default suite) and write results + report',
  options: {
    suite: { type: 'string', valueName: 'NAME|FILE', help: 'built-in suite (hintbench suites lists them) or a suite file (.json, docs/suites.md); default: default' },
    reps: { type: 'string', valueName: 'N', help: 'repetitions per scenario (overrides the suite)' },
    out: { type: 'string', valueName: 'DIR', help: 'results directory (default: results/<UTC time>-<suite>)' },
    'no-setup': { type: 'boolean', help: 'do not prepare the host (swap, bpftrace, tracefs)' },
    'keep-host': { type: 'boolean', help: 'keep what host preparation created (undo later with hintbench teardown)' },
    png: { type: 'boolean', help: 'also render each chart as PNG' },
  },
  run,
};
