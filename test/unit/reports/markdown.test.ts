import { describe, expect, it } from 'vitest';
import { buildCharts } from '../../../reports/charts.ts';
import { SCENARIO_COLUMNS, SUMMARY_COLUMNS, summaryRows } from '../../../reports/columns.ts';
import { escapeMarkdown, renderMarkdown } from '../../../reports/markdown.ts';
import { formatSummaryTable } from '../../../reports/summary-table.ts';
import { fixtureRun } from './fixture.ts';

describe('report.md', () => {
  it('has the scenario and summary tables with the declared headers, charts, environment', () => {
    const run = fixtureRun();
    const md = renderMarkdown(run, buildCharts(run));
    const lines = md.split('\n');
    const header = (cols: readonly { header: string }[]): string => `| ${cols.map((c) => escapeMarkdown(c.header)).join(' | ')} |`;
    const scen = lines.indexOf(header(SCENARIO_COLUMNS));
    expect(scen).toBeGreaterThan(0);
    expect(lines.slice(scen + 2, scen + 2 + run.scenarios.length).every((l) => l.startsWith('| '))).toBe(true);
    expect(lines[scen + 2 + run.scenarios.length]).toBe('');
    const summ = lines.indexOf(header(SUMMARY_COLUMNS));
    expect(lines.slice(summ + 2).indexOf('')).toBe(summaryRows(run).length);
    expect(md).toContain('![Hint latency by mechanism, advice and size](hint-latency.svg)');
    expect(md).toContain(`**kernel**: ${run.environment.kernelRelease}`);
    expect(md).toMatch(/## Failed scenarios\n\n- ptrace\/pageout\/anon-random-64MiB-1vma\/frozen: EPERM/);
  });

  it('cannot be broken by pipes, newlines or HTML in strings', () => {
    const run = fixtureRun();
    run.scenarios[0]!.scenario.id = 'a|b\nc<script>';
    const md = renderMarkdown(run, []);
    expect(md).toContain('a\\|b c&lt;script&gt;');
    expect(md).not.toContain('<script>');
  });
});

describe('terminal summary table', () => {
  it('aligns one line per scenario and lists failures with their error', () => {
    const run = fixtureRun();
    const text = formatSummaryTable(run);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^scenario\s+n\s+median user latency \(µs\)\s+median kernel latency \(µs\)\s+median reclaimed \(pages\)\s+median re-touch major faults\s+median re-touch time \(ms\)\s+status$/,
    );
    expect(lines).toHaveLength(2 + run.scenarios.length + run.scenarios.filter((s) => s.status === 'failed').length);
    const statusCol = lines[0]!.indexOf('status');
    for (const [i, s] of run.scenarios.entries()) {
      const line = lines[2 + i]!;
      expect(line.startsWith(s.scenario.id)).toBe(true);
      expect(line.slice(statusCol)).toBe(s.status);
    }
    const pm = run.scenarios[0]!;
    const median = (pm.summary.retouchNs!.median / 1e6).toFixed(2);
    const reTouchEnd = lines[0]!.indexOf('re-touch time (ms)') + 're-touch time (ms)'.length;
    expect(lines[2]!.slice(0, reTouchEnd).endsWith(median)).toBe(true);
    expect(lines.at(-1)).toBe(`failed: ${run.scenarios.at(-1)!.scenario.id}: ${run.scenarios.at(-1)!.error}`);
    expect(lines.every((l) => l === l.trimEnd())).toBe(true);
  });
});
