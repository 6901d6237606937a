import { HintbenchError } from '../../core/errors.ts';
import { asUsageError, loadRun, USAGE_EXIT_CODE } from '../../reports/compare/load.ts';
import { EXPORT_FORMATS, parseExportFormats, writeExports } from '../../reports/export/write.ts';
import { stringOpt } from './args.ts';
import type { Command } from './types.ts';

/** `hintbench export DIR --format bmf|github-benchmark [--out DIR]`: files regression trackers ingest. */
export const exportCommand: Command = {
  name: 'export',
  usage: 'export <results-dir> --format F [--out DIR]',
  summary: 'write key metrics for regression trackers: Bencher (bmf), github-action-benchmark',
  options: {
    format: { type: 'string', valueName: 'F[,F]', help: `${EXPORT_FORMATS.join(', ')} (comma-separated)` },
    out: { type: 'string', valueName: 'DIR', help: 'directory to write into (default: the results directory)' },
  },
  async run(values, positionals) {
    try {
      const [target, extra] = positionals;
      if (target === undefined || extra !== undefined) {
        throw new HintbenchError('hintbench export takes exactly one results directory', 'e.g. hintbench export results/2026-11-25T17-40-12Z-default --format bmf', {
          exitCode: USAGE_EXIT_CODE,
        });
      }
      const formatText = stringOpt(values, 'format');
      if (formatText === undefined) throw new HintbenchError('hintbench export needs --format', `give --format ${EXPORT_FORMATS.join(',')}`, { exitCode: USAGE_EXIT_CODE });
      const formats = parseExportFormats(formatText, '--format');
      const { dir, run } = loadRun(target);
      for (const path of writeExports(stringOpt(values, 'out') ?? dir, run, formats)) process.stdout.write(`${path}\n`);
      return 0;
    } catch (err) {
      throw asUsageError(err);
    }
  },
};
