import { HintbenchError } from '../../core/errors.ts';
import { COMPARE_EXIT, DEFAULT_COMPARE_OPTIONS, buildComparison, comparisonExitCode } from '../../reports/compare/compare.ts';
import { asUsageError, checkSameSchemaVersion, loadRun, USAGE_EXIT_CODE } from '../../reports/compare/load.ts';
import { COMPARE_FORMATS, parseCompareFormat, renderComparison, writeAllFormats, writeOutputFile } from '../../reports/compare/output.ts';
import { renderTerminal } from '../../reports/compare/terminal.ts';
import { parseThresholds } from '../../reports/compare/threshold.ts';
import { stringOpt } from './args.ts';
import type { Command, OptionValues } from './types.ts';

/**
 * `hintbench compare BASE NEW [NEW...]`: verdicts per scenario and key metric; exit 0 without
 * a regression, 1 with one, 2 on bad input (every error here is one line with exit 2).
 */
async function compare(values: OptionValues, positionals: string[]): Promise<number> {
  const [basePath, ...newPaths] = positionals;
  if (basePath === undefined || newPaths.length === 0) {
    throw new HintbenchError('hintbench compare needs a base results directory and at least one new one', 'e.g. hintbench compare results/before results/after', {
      exitCode: USAGE_EXIT_CODE,
    });
  }
  const format = parseCompareFormat(stringOpt(values, 'format'));
  const thresholdText = stringOpt(values, 'threshold');
  const thresholds = parseThresholds(thresholdText === undefined ? [] : [thresholdText]);
  const out = stringOpt(values, 'out');
  const outDir = stringOpt(values, 'out-dir');
  if (out !== undefined && outDir !== undefined)
    throw new HintbenchError('--out and --out-dir exclude each other', 'give --out FILE for one format, or --out-dir DIR for all of them', { exitCode: USAGE_EXIT_CODE });
  const base = loadRun(basePath);
  const news = newPaths.map(loadRun);
  checkSameSchemaVersion([base, ...news]);
  const comparison = buildComparison(base, news, { ...DEFAULT_COMPARE_OPTIONS, thresholds });
  const runs = [base.run, ...news.map((n) => n.run)];
  if (out === undefined && outDir === undefined) {
    process.stdout.write(await renderComparison(comparison, runs, format));
    return comparisonExitCode(comparison);
  }
  process.stdout.write(renderTerminal(comparison));
  const written = out !== undefined ? [writeOutputFile(out, await renderComparison(comparison, runs, format))] : await writeAllFormats(outDir!, comparison, runs);
  for (const path of written) process.stdout.write(`Wrote ${path}\n`);
  return comparisonExitCode(comparison);
}

/** `hintbench compare`. */
export const compareCommand: Command = {
  name: 'compare',
  usage: 'compare BASE NEW [NEW...] [--threshold P]',
  summary: `compare runs: verdict per scenario and key metric; exit ${COMPARE_EXIT.ok} no regression, ${COMPARE_EXIT.regressed} regression, ${COMPARE_EXIT.usage} bad input`,
  options: {
    threshold: {
      type: 'string',
      valueName: 'PCT[,FIELD=PCT]',
      help: 'practical threshold (default 5%); per metric e.g. 5%,retouchNs=10% (fields: results.json names)',
    },
    format: { type: 'string', valueName: 'F', help: `output format: ${COMPARE_FORMATS.join(', ')} (default text, at most 100 columns)` },
    out: { type: 'string', valueName: 'FILE', help: 'write the --format output to FILE (the text table still goes to stdout)' },
    'out-dir': { type: 'string', valueName: 'DIR', help: 'write every format into DIR: compare.txt, compare.md, compare.json, compare.html' },
  },
  async run(values, positionals) {
    try {
      return await compare(values, positionals);
    } catch (err) {
      throw asUsageError(err);
    }
  },
};
