/** The hand-made results fixture, read through the validating reader, and a deep-copy helper. */
import type { RunResult } from '../../../core/types.ts';
import { readResultsJson } from '../../../reports/json.ts';

/** Path of test/fixtures/results/results.json. */
export const FIXTURE_PATH = new URL('../../fixtures/results/results.json', import.meta.url).pathname;

/** A fresh copy of the fixture run (tests may modify it). */
export function fixtureRun(): RunResult {
  return structuredClone(readResultsJson(FIXTURE_PATH));
}

/**
 * The fixture run with the explanation counters a probed run records, derived from each
 * sample's own figures: hinted samples get TLB shootdown IPIs (one per reclaimed page for a
 * running target, a few for a sleeping one) and caller off-CPU time; samples with re-touch
 * major faults get a log2 refault-latency histogram whose buckets sum to refaultsTimed.
 */
export function fixtureRunWithExplanations(): RunResult {
  const run = fixtureRun();
  for (const r of run.scenarios) {
    const hinted = r.scenario.mechanism !== 'none';
    const running = r.scenario.targetState === 'running';
    r.samples.forEach((s, i) => {
      if (hinted) {
        s.tlbRemoteIpiSends = running ? (s.reclaimedPages ?? 0) + 100 * i : 3 + i;
        s.tlbRemoteShootdowns = running ? (s.reclaimedPages ?? 0) + 90 * i : 0;
        s.callerOffCpuNs = 10_000 * (i + 1);
      }
      const faults = s.retouchMajorFaults ?? 0;
      if (faults > 0) {
        // Buckets 11-14 (2-32 µs), most in bucket 12, the rest spread over the others.
        const hist = new Array<number>(15).fill(0);
        hist[11] = Math.floor(faults / 4);
        hist[13] = Math.floor(faults / 8);
        hist[14] = i % 2;
        hist[12] = faults - hist[11]! - hist[13]! - hist[14]!;
        s.refaultLatencyLog2Hist = hist;
        s.refaultsTimed = faults;
      }
    });
  }
  return run;
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
