/**
 * The comparison as terminal text, at most 100 columns wide: run identities and environment
 * differences first, then per new run and scenario one row per key metric (medians, shift
 * with its interval, Holm-adjusted p-value, verdict and reason), then the conclusion.
 */
import type { Comparison, ComparisonCell } from './compare.ts';
import { conclusion, coverageLines, environmentLines, formatP, formatShift, formatValue, verdictText } from './format.ts';

/** Widest line the terminal output has. */
export const TERMINAL_WIDTH = 100;

/** Splits text into lines of at most `width` characters, breaking at spaces where possible; continuation lines get `indent`. */
export function wrapLine(text: string, width: number = TERMINAL_WIDTH, indent = '    '): string[] {
  const out: string[] = [];
  let rest = text;
  let prefix = '';
  while (prefix.length + rest.length > width) {
    const room = width - prefix.length;
    let cut = rest.lastIndexOf(' ', room);
    if (cut <= 0) cut = room;
    out.push(prefix + rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
    prefix = indent;
  }
  out.push(prefix + rest);
  return out;
}

/** A line cut to the terminal width, marked with `…` when cut. */
function clip(line: string): string {
  const chars = [...line];
  return chars.length <= TERMINAL_WIDTH ? line : `${chars.slice(0, TERMINAL_WIDTH - 1).join('')}…`;
}

const HEADERS = ['metric', 'base', 'new', 'shift [CI]', 'p(Holm)', 'verdict'];

function row(cell: ComparisonCell, minN: number): string[] {
  return [cell.field, formatValue(cell.field, cell.baseMedian), formatValue(cell.field, cell.newMedian), formatShift(cell), formatP(cell.adjustedPValue), verdictText(cell, minN)];
}

/** Rows padded into columns (the last column unpadded), each prefixed with two spaces; one space between columns when two do not fit. */
function table(rows: readonly string[][]): string[] {
  const all = [HEADERS, ...rows];
  const widths = HEADERS.map((_, i) => Math.max(...all.map((r) => [...r[i]!].length)));
  const numeric = [false, true, true, false, true, false];
  const pad = (cell: string, i: number): string => {
    const room = widths[i]! - [...cell].length;
    return numeric[i] ? ' '.repeat(room) + cell : cell + ' '.repeat(room);
  };
  const render = (gap: string): string[] => all.map((r) => `  ${r.map((cell, i) => (i === r.length - 1 ? cell : pad(cell, i))).join(gap)}`.trimEnd());
  const wide = render('  ');
  return (wide.every((l) => [...l].length <= TERMINAL_WIDTH) ? wide : render(' ')).map(clip);
}

/** The whole comparison as terminal lines (no line longer than TERMINAL_WIDTH). */
export function renderTerminal(c: Comparison): string {
  const lines: string[] = [];
  const push = (text: string, indent = '    '): void => {
    lines.push(...wrapLine(text, TERMINAL_WIDTH, indent));
  };
  push(`base: ${c.base.dir} (suite ${c.base.suite}, ${c.base.startedAt})`);
  c.news.forEach((n, i) => {
    lines.push('');
    push(`new${c.news.length > 1 ? ` #${i + 1}` : ''}: ${n.run.dir} (suite ${n.run.suite}, ${n.run.startedAt})`);
    for (const l of environmentLines(n)) push(l.includes(' -> ') ? `  ${l}` : l, '      ');
    for (const l of coverageLines(n)) push(l);
    const cells = c.cells.filter((cell) => cell.newIndex === i);
    const scenarios = [...new Set(cells.map((cell) => cell.scenarioId))];
    for (const id of scenarios) {
      const own = cells.filter((cell) => cell.scenarioId === id);
      const nb = Math.max(...own.map((x) => x.nBase));
      const nn = Math.max(...own.map((x) => x.nNew));
      lines.push('');
      push(`${id}  (n ${nb} base, ${nn} new)`);
      lines.push(...table(own.map((cell) => row(cell, c.options.minN))));
    }
  });
  lines.push('');
  push(`shift: Hodges-Lehmann estimate of new/base - 1 with its ${Math.round(c.options.confidence * 100)}% interval; p: Mann-Whitney, Holm-adjusted`);
  push(conclusion(c));
  return `${lines.join('\n')}\n`;
}
