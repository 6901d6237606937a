import { rebuildReports, readRunOf } from '../../reports/write.ts';
import { formatTextSummary } from '../../reports/summary-table.ts';
import { stringOpt, usageError } from './args.ts';
import type { Command } from './types.ts';

/** Output formats of `hintbench report`. */
const FORMATS = ['files', 'text'] as const;

/**
 * `hintbench report DIR`: rebuild the report and charts from DIR/results.json (DIR or
 * DIR/results.json may be given); `--format text` prints the 80-column text summary instead
 * and writes nothing.
 */
export const reportCommand: Command = {
  name: 'report',
  usage: 'report <results-dir> [--png] [--format files|text]',
  summary: 'rebuild report.html, report.md, samples.csv and charts from results.json',
  options: {
    png: { type: 'boolean', help: 'also render each chart as PNG' },
    format: {
      type: 'string',
      valueName: 'FORMAT',
      help: '`files` (default): write the reports into the directory; `text`: print an 80-column summary (key findings, medians with CIs) for a patch cover letter, write nothing',
    },
  },
  async run(values, positionals) {
    const [target, extra] = positionals;
    if (target === undefined || extra !== undefined)
      throw usageError('hintbench report takes exactly one results directory', 'e.g. hintbench report results/2026-11-25T17-40-12Z-default (or its results.json)');
    const format = stringOpt(values, 'format') ?? 'files';
    if (!(FORMATS as readonly string[]).includes(format))
      throw usageError(`--format must be one of ${FORMATS.join(', ')}, got '${format.slice(0, 24)}'`, 'pass --format text for the text summary, or leave --format out');
    if (format === 'text') {
      if (values.png === true) throw usageError('--png writes chart files, --format text writes none', 'leave out one of them');
      process.stdout.write(formatTextSummary(readRunOf(target)));
      return 0;
    }
    const files = await rebuildReports(target, { png: values.png === true });
    for (const f of files) process.stdout.write(`${f}\n`);
    return 0;
  },
};
