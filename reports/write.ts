/**
 * Writes every report of a run next to its results.json: report.html, report.md,
 * samples.csv and one SVG (optionally PNG) per chart. Built from the RunResult only, so
 * `hintbench report <dir>` can rebuild them at any time. Every file goes through OutputDir:
 * created exclusively with mode 0644 and renamed into place, never written through a symlink.
 */
import { statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { HintbenchError } from '../core/errors.ts';
import type { RunResult } from '../core/types.ts';
import { buildCharts } from './charts.ts';
import { samplesCsv } from './csv.ts';
import { renderHtml, type HtmlChart } from './html.ts';
import { RESULTS_FILE_NAME, readResultsJsonIn } from './json.ts';
import { renderMarkdown } from './markdown.ts';
import { OutputDir } from './output-dir.ts';
import { compileToVega, findFontFile, svgToPng, vegaToSvg, vegaUmdSource } from './render.ts';

/** Options of writeReports. */
export interface WriteReportsOptions {
  /** Also write a PNG per chart (needs the DejaVu Sans font file). */
  png?: boolean;
}

const WRITE_FIX = 'check that the results directory is writable and the disk is not full';

/** Opens a directory given by path for writing, naming it in the error. */
function openForWriting(dir: string): OutputDir {
  try {
    return OutputDir.open(dir);
  } catch (cause) {
    throw new HintbenchError(`cannot write reports into ${dir}: ${(cause as Error).message}`, WRITE_FIX, { cause });
  }
}

/** Runs `fn` on `dir`, opening (and afterwards closing) it when it is given as a path. */
async function withDir<T>(dir: OutputDir | string, fn: (out: OutputDir) => Promise<T>): Promise<T> {
  if (dir instanceof OutputDir) return fn(dir);
  const out = openForWriting(dir);
  try {
    return await fn(out);
  } finally {
    out.close();
  }
}

/**
 * Write all reports of `run` into `dir` (an OutputDir, or the path of an existing directory).
 * Returns the paths written: report.html, report.md, samples.csv, then `<chart>.svg` (and
 * `<chart>.png`) per chart.
 */
export async function writeReports(dir: OutputDir | string, run: RunResult, opts: WriteReportsOptions = {}): Promise<string[]> {
  return withDir(dir, async (out) => {
    const fontFile = opts.png ? findFontFile() : null;
    const charts = buildCharts(run);
    const compiled: HtmlChart[] = [];
    const chartFiles: string[] = [];
    for (const chart of charts) {
      const vegaSpec = compileToVega(chart.spec);
      const svg = await vegaToSvg(vegaSpec);
      compiled.push({ name: chart.name, title: chart.title, vegaSpec, svg });
      chartFiles.push(out.write(`${chart.name}.svg`, svg, { fix: WRITE_FIX }));
      if (fontFile !== null) chartFiles.push(out.write(`${chart.name}.png`, svgToPng(svg, fontFile), { fix: WRITE_FIX }));
    }
    return [
      out.write('report.html', renderHtml(run, compiled, vegaUmdSource()), { fix: WRITE_FIX }),
      out.write('report.md', renderMarkdown(run, charts), { fix: WRITE_FIX }),
      out.write('samples.csv', samplesCsv(run), { fix: WRITE_FIX }),
      ...chartFiles,
    ];
  });
}

/**
 * The results directory `target` names: the directory itself, or the directory of a
 * results.json given by its path. Throws a HintbenchError saying what to pass otherwise.
 */
export function resultsDirOf(target: string): string {
  const path = resolve(target);
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new HintbenchError(`results directory ${target} does not exist`, 'pass a directory written by `hintbench run`, e.g. results/<time>-<suite>, or its results.json');
  }
  if (isDir) return path;
  if (basename(path) === RESULTS_FILE_NAME) return dirname(path);
  throw new HintbenchError(`${target} is a file, not a results directory`, `pass the directory written by \`hintbench run\` (e.g. ${dirname(target)}) or its ${RESULTS_FILE_NAME}`);
}

/** Reads the results.json of an open results directory, naming the directory when it has none. */
function readRunIn(out: OutputDir): RunResult {
  try {
    return readResultsJsonIn(out);
  } catch (err) {
    if (err instanceof HintbenchError && (err.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      throw new HintbenchError(`${out.path} holds no ${RESULTS_FILE_NAME}`, 'pass a directory written by `hintbench run` (it holds results.json)', { cause: err });
    }
    throw err;
  }
}

/** The run saved in a results directory (`target`: the directory or its results.json), read without writing anything. */
export function readRunOf(target: string): RunResult {
  const dir = resultsDirOf(target);
  let out: OutputDir;
  try {
    out = OutputDir.open(dir);
  } catch (cause) {
    throw new HintbenchError(`cannot read ${dir}: ${(cause as Error).message}`, 'check that the results directory is readable', { cause });
  }
  try {
    return readRunIn(out);
  } finally {
    out.close();
  }
}

/**
 * Rebuild every report of a results directory from its results.json (`hintbench report`).
 * `target` is the directory or the path of its results.json.
 */
export async function rebuildReports(target: string, opts: WriteReportsOptions = {}): Promise<string[]> {
  const out = openForWriting(resultsDirOf(target));
  try {
    return await writeReports(out, readRunIn(out), opts);
  } finally {
    out.close();
  }
}
