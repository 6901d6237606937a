/**
 * Writing a run's exports into a directory (by default its results directory): one file per
 * format and direction, through OutputDir (created exclusively, renamed into place, never
 * through a symlink).
 */
import { HintbenchError } from '../../core/errors.ts';
import type { RunResult } from '../../core/types.ts';
import { OutputDir } from '../output-dir.ts';
import { toBmf } from './bmf.ts';
import { toGithubBenchmark } from './github-benchmark.ts';

/** Export formats. */
export const EXPORT_FORMATS = ['bmf', 'github-benchmark'] as const;

/** An export format. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** File names of each format. */
export const EXPORT_FILES = {
  bmf: ['bencher-bmf.json'],
  'github-benchmark': ['github-benchmark-smaller-is-better.json', 'github-benchmark-bigger-is-better.json'],
} as const satisfies Record<ExportFormat, readonly string[]>;

/**
 * Parses a comma-separated list of formats (`bmf,github-benchmark`); unknown names are a
 * HintbenchError naming `flag`, with `exitCode`.
 */
export function parseExportFormats(text: string, flag: string, exitCode = 2): ExportFormat[] {
  const out: ExportFormat[] = [];
  for (const raw of text.split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    if (!(EXPORT_FORMATS as readonly string[]).includes(name)) {
      throw new HintbenchError(`${flag} '${name}' is not an export format`, `use ${EXPORT_FORMATS.join(', ')} (comma-separated)`, { exitCode });
    }
    if (!out.includes(name as ExportFormat)) out.push(name as ExportFormat);
  }
  if (out.length === 0) throw new HintbenchError(`${flag} names no format`, `use ${EXPORT_FORMATS.join(', ')} (comma-separated)`, { exitCode });
  return out;
}

/** The files of one format: name and text. */
export function exportFiles(run: RunResult, format: ExportFormat): { name: string; text: string }[] {
  const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;
  if (format === 'bmf') return [{ name: EXPORT_FILES.bmf[0], text: json(toBmf(run)) }];
  const files = toGithubBenchmark(run);
  const [smaller, bigger] = EXPORT_FILES['github-benchmark'];
  return [
    { name: smaller, text: json(files.smallerIsBetter) },
    { name: bigger, text: json(files.biggerIsBetter) },
  ];
}

/** Writes the files of `formats` into `dir` (an OutputDir, or the path of an existing directory); returns their paths. */
export function writeExports(dir: OutputDir | string, run: RunResult, formats: readonly ExportFormat[]): string[] {
  const out = dir instanceof OutputDir ? dir : openDir(dir);
  try {
    return formats.flatMap((f) => exportFiles(run, f).map((file) => out.write(file.name, file.text, { fix: 'check that the directory is writable and the disk is not full' })));
  } finally {
    if (!(dir instanceof OutputDir)) out.close();
  }
}

function openDir(dir: string): OutputDir {
  try {
    return OutputDir.open(dir);
  } catch (cause) {
    throw new HintbenchError(`cannot write exports into ${dir}: ${(cause as Error).message}`, 'pass an existing, writable directory', { cause });
  }
}
