/** The hand-made results fixture, read through the validating reader, and a deep-copy helper. */
import type { RunResult } from '../../../core/types.ts';
import { readResultsJson } from '../../../reports/json.ts';

/** Path of test/fixtures/results/results.json. */
export const FIXTURE_PATH = new URL('../../fixtures/results/results.json', import.meta.url).pathname;

/** A fresh copy of the fixture run (tests may modify it). */
export function fixtureRun(): RunResult {
  return structuredClone(readResultsJson(FIXTURE_PATH));
}

/** Minimal RFC 4180 CSV parser for checking samples.csv (quotes, doubled quotes, CRLF/LF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
