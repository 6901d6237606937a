/**
 * Writes every report of a run next to its results.json: report.html, report.md,
 * samples.csv and one SVG (optionally PNG) per chart. Built from the RunResult only, so
 * `hintbench report <dir>` can rebuild them at any time.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HintbenchError } from '../bench/errors.ts';
import type { RunResult } from '../bench/types.ts';
import { buildCharts } from './charts.ts';
import { samplesCsv } from './csv.ts';
import { renderHtml, type HtmlChart } from './html.ts';
import { RESULTS_FILE_NAME, readResultsJson } from './json.ts';
import { renderMarkdown } from './markdown.ts';
import { compileToVega, findFontFile, svgToPng, vegaToSvg, vegaUmdSource } from './render.ts';

/** Options of writeReports. */
export interface WriteReportsOptions {
  /** Also write a PNG per chart (needs the DejaVu Sans font file). */
  png?: boolean;
}

/** Write a text file, naming it in the error if that fails. */
function writeText(path: string, text: string | Buffer): string {
  try {
    writeFileSync(path, text);
  } catch (cause) {
    throw new HintbenchError(`cannot write report file ${path}: ${(cause as Error).message}`, 'check that the results directory is writable and the disk is not full', { cause });
  }
  return path;
}

/**
 * Write all reports of `run` into `dir` (which must exist). Returns the paths written:
 * report.html, report.md, samples.csv, then `<chart>.svg` (and `<chart>.png`) per chart.
 */
export async function writeReports(dir: string, run: RunResult, opts: WriteReportsOptions = {}): Promise<string[]> {
  const fontFile = opts.png ? findFontFile() : null;
  const charts = buildCharts(run);
  const compiled: HtmlChart[] = charts.map((c) => ({ name: c.name, title: c.title, vegaSpec: compileToVega(c.spec) }));
  const chartFiles: string[] = [];
  for (const chart of compiled) {
    const svg = await vegaToSvg(chart.vegaSpec);
    chartFiles.push(writeText(join(dir, `${chart.name}.svg`), svg));
    if (fontFile !== null) chartFiles.push(writeText(join(dir, `${chart.name}.png`), svgToPng(svg, fontFile)));
  }
  return [
    writeText(join(dir, 'report.html'), renderHtml(run, compiled, vegaUmdSource())),
    writeText(join(dir, 'report.md'), renderMarkdown(run, charts)),
    writeText(join(dir, 'samples.csv'), samplesCsv(run)),
    ...chartFiles,
  ];
}

/** Rebuild every report of a results directory from its results.json (`hintbench report <dir>`). */
export async function rebuildReports(dir: string, opts: WriteReportsOptions = {}): Promise<string[]> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new HintbenchError(`results directory ${dir} does not exist`, 'pass a directory written by `hintbench run`, e.g. results/<time>-<suite>');
  }
  const path = join(dir, RESULTS_FILE_NAME);
  if (!existsSync(path)) {
    throw new HintbenchError(`${dir} holds no ${RESULTS_FILE_NAME}`, 'pass a directory written by `hintbench run` (it holds results.json)');
  }
  return writeReports(dir, readResultsJson(path), opts);
}
