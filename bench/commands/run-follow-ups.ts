/**
 * What `hintbench run` does after the suite when asked: `--export bmf,github-benchmark`
 * writes the export files into the results directory; `--baseline DIR` compares the run with
 * DIR (every compare format into the results directory, the table on stdout) and exits like
 * `hintbench compare`. Both flags are checked before anything is measured.
 */
import { COMPARE_EXIT, DEFAULT_COMPARE_OPTIONS, buildComparison, comparisonExitCode } from '../../reports/compare/compare.ts';
import { checkSameSchemaVersion, type LoadedRun, loadRun } from '../../reports/compare/load.ts';
import { writeAllFormats } from '../../reports/compare/output.ts';
import { renderTerminal } from '../../reports/compare/terminal.ts';
import { type ExportFormat, parseExportFormats, writeExports } from '../../reports/export/write.ts';
import type { OutputDir } from '../../reports/output-dir.ts';
import type { RunResult } from '../../core/types.ts';
import { stringOpt } from './args.ts';
import type { OptionSpec, OptionValues } from './types.ts';

/** The options `hintbench run` gains. */
export const FOLLOW_UP_OPTIONS: Record<string, OptionSpec> = {
  export: { type: 'string', valueName: 'F[,F]', help: 'also write exports into the results directory: bmf, github-benchmark (comma-separated)' },
  baseline: { type: 'string', valueName: 'DIR', help: 'compare with the results in DIR afterwards and exit like hintbench compare (1 on a regression)' },
};

/** The follow-ups asked for, checked (a bad flag or baseline fails before the run, exit 2). */
export interface FollowUps {
  exports: ExportFormat[];
  baseline: LoadedRun | null;
}

/** Reads and checks --export and --baseline. */
export function checkFollowUps(values: OptionValues): FollowUps {
  const exportText = stringOpt(values, 'export');
  const baselinePath = stringOpt(values, 'baseline');
  return {
    exports: exportText === undefined ? [] : parseExportFormats(exportText, '--export'),
    baseline: baselinePath === undefined ? null : loadRun(baselinePath),
  };
}

/**
 * Runs the follow-ups on a finished run and returns the exit code: 1 when the comparison
 * with the baseline found a regression, else the run's own code.
 */
export async function runFollowUps(values: OptionValues, dir: OutputDir, result: RunResult, runCode: number, log: (line: string) => void): Promise<number> {
  const follow = checkFollowUps(values);
  if (follow.exports.length > 0) for (const path of writeExports(dir, result, follow.exports)) log(`Export:  ${path}`);
  if (follow.baseline === null) return runCode;
  const current: LoadedRun = { dir: dir.path, run: result, fileSchemaVersion: result.schemaVersion };
  checkSameSchemaVersion([follow.baseline, current]);
  const comparison = buildComparison(follow.baseline, [current], DEFAULT_COMPARE_OPTIONS);
  log('');
  log(renderTerminal(comparison).trimEnd());
  for (const path of await writeAllFormats(dir, comparison, [follow.baseline.run, result])) log(`Compare: ${path}`);
  const code = comparisonExitCode(comparison);
  return code === COMPARE_EXIT.regressed ? code : runCode;
}
