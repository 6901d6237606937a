import { rebuildReports } from '../../reports/write.ts';
import { HintbenchError } from '../../core/errors.ts';
import type { Command } from './types.ts';

/** `hintbench report DIR`: rebuild the report and charts from DIR/results.json (DIR or DIR/results.json may be given). */
export const reportCommand: Command = {
  name: 'report',
  usage: 'report <results-dir> [--png]',
  summary: 'rebuild report.html, report.md, samples.csv and charts from results.json',
  options: { png: { type: 'boolean', help: 'also render each chart as PNG' } },
  async run(values, positionals) {
    const [target, extra] = positionals;
    if (target === undefined || extra !== undefined)
      throw new HintbenchError('hintbench report takes exactly one results directory', 'e.g. hintbench report results/2026-11-25T17-40-12Z-default (or its results.json)');
    const files = await rebuildReports(target, { png: values.png === true });
    for (const f of files) process.stdout.write(`${f}\n`);
    return 0;
  },
};
