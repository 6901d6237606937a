/**
 * The output formats of a comparison and writing them: terminal text, Markdown, JSON (the
 * Comparison itself) and the HTML page, to a named file or, all four at once, into a
 * directory (compare.txt, compare.md, compare.json, compare.html).
 */
import { basename, dirname } from 'node:path';
import { HintbenchError } from '../../core/errors.ts';
import type { RunResult } from '../../core/types.ts';
import { OutputDir } from '../output-dir.ts';
import { vegaUmdSource } from '../render.ts';
import type { Comparison } from './compare.ts';
import { renderComparisonHtml } from './html.ts';
import { USAGE_EXIT_CODE } from './load.ts';
import { renderComparisonMarkdown } from './markdown.ts';
import { renderTerminal } from './terminal.ts';

/** Output formats of compare. */
export const COMPARE_FORMATS = ['text', 'markdown', 'json', 'html'] as const;

/** An output format of compare. */
export type CompareFormat = (typeof COMPARE_FORMATS)[number];

/** File name of each format when all are written into a directory. */
export const COMPARE_FILE_NAMES: Readonly<Record<CompareFormat, string>> = { text: 'compare.txt', markdown: 'compare.md', json: 'compare.json', html: 'compare.html' };

/** Checks a --format value (exit 2 otherwise). */
export function parseCompareFormat(value: string | undefined): CompareFormat {
  if (value === undefined) return 'text';
  if ((COMPARE_FORMATS as readonly string[]).includes(value)) return value as CompareFormat;
  throw new HintbenchError(`--format '${value}' is not a compare format`, `use one of ${COMPARE_FORMATS.join(', ')}`, { exitCode: USAGE_EXIT_CODE });
}

/** The comparison in one format. `runs` are the base run then the new runs, in order (the HTML charts read their samples). */
export async function renderComparison(c: Comparison, runs: readonly RunResult[], format: CompareFormat): Promise<string> {
  switch (format) {
    case 'text':
      return renderTerminal(c);
    case 'markdown':
      return renderComparisonMarkdown(c);
    case 'json':
      return `${JSON.stringify(c, null, 2)}\n`;
    case 'html':
      return renderComparisonHtml(c, runs, vegaUmdSource());
  }
}

function openDir(dir: string): OutputDir {
  try {
    return OutputDir.open(dir);
  } catch (cause) {
    throw new HintbenchError(`cannot write into ${dir}: ${(cause as Error).message}`, 'pass an existing, writable directory', { cause, exitCode: USAGE_EXIT_CODE });
  }
}

/** Writes text as the file `path` (its directory must exist); returns the path. */
export function writeOutputFile(path: string, text: string): string {
  const out = openDir(dirname(path));
  try {
    return out.write(basename(path), text, { fix: 'check that the directory is writable and the disk is not full' });
  } finally {
    out.close();
  }
}

/** Writes every format into `dir` (an OutputDir or an existing directory's path); returns the paths. */
export async function writeAllFormats(dir: OutputDir | string, c: Comparison, runs: readonly RunResult[]): Promise<string[]> {
  const out = dir instanceof OutputDir ? dir : openDir(dir);
  try {
    const paths: string[] = [];
    for (const f of COMPARE_FORMATS)
      paths.push(out.write(COMPARE_FILE_NAMES[f], await renderComparison(c, runs, f), { fix: 'check that the directory is writable and the disk is not full' }));
    return paths;
  } finally {
    if (!(dir instanceof OutputDir)) out.close();
  }
}
