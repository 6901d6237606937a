import { formatSeconds } from '../runner/run.ts';
import { builtinSuite, builtinSuiteNames } from '../scenarios/builtin.ts';
import { noPositionals } from './args.ts';
import type { Command } from './types.ts';

/** `hintbench suites`: the built-in suites and their scenarios. */
export const suitesCommand: Command = {
  name: 'suites',
  usage: 'suites [--verbose]',
  summary: 'list the built-in suites (with --verbose, every scenario)',
  options: { verbose: { type: 'boolean', help: 'list every scenario id' } },
  async run(values, positionals) {
    noPositionals('suites', positionals);
    for (const name of builtinSuiteNames()) {
      const suite = builtinSuite(name);
      const samples = suite.scenarios.reduce((s, x) => s + x.repetitions, 0);
      const size =
        suite.defaultTimeBudgetMs === undefined
          ? `${samples} samples`
          : `adaptive under a ${formatSeconds(suite.defaultTimeBudgetMs)} budget by default (--reps N: ${suite.scenarios.length} x N samples)`;
      process.stdout.write(`${name.padEnd(10)} ${suite.scenarios.length} scenarios, ${size}: ${suite.description}\n`);
      if (values.verbose === true) for (const s of suite.scenarios) process.stdout.write(`    ${s.id} x${s.repetitions}\n`);
    }
    return 0;
  },
};
