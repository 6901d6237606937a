import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../core/types.ts';
import { buildCharts } from '../../../reports/charts.ts';
import { keyFindings } from '../../../reports/findings.ts';
import { MARKDOWN_WIDTH, escapeMarkdown, renderMarkdown } from '../../../reports/markdown.ts';
import { TERMINAL_WIDTH, TEXT_WIDTH, formatSummaryTable, formatTextSummary } from '../../../reports/summary-table.ts';
import { kindsRun, pressureRun } from './pressure-fixture.ts';
import { fixtureRun } from './fixture.ts';

/** Widest line, in characters (code points), and the line itself. */
function widest(text: string): { width: number; line: string } {
  return text.split('\n').reduce((w, line) => ([...line].length > w.width ? { width: [...line].length, line } : w), { width: 0, line: '' });
}

/** The fixture with every free-text field made long: the widths must hold whatever results.json holds. */
function wideRun(): RunResult {
  const run = fixtureRun();
  const failed = run.scenarios.find((s) => s.status === 'failed')!;
  failed.error = `EPERM ${'while freezing the target cgroup at /sys/fs/cgroup/freezer/hintbench-4242-12345-4243 '.repeat(3)}`;
  failed.scenario.id = `ptrace/pageout/${'x'.repeat(150)}/frozen`;
  run.scenarios[0]!.warnings.push(`probe missed ${'one hint system call of thread 4242 in the window '.repeat(4)}`);
  run.environment.kernelCmdline = `console=ttyS0 ${'a_very_long_parameter=with_a_value '.repeat(20)}${'z'.repeat(230)}`;
  run.environment.kernelConfigSha256 = 'c'.repeat(64);
  run.environment.argv = ['run', '--suite', `/home/user/${'suites/'.repeat(20)}big.json`, '--out', '/tmp/out'];
  run.environment.suiteDefinition = { name: 'fixture', description: 'words '.repeat(40), scenarios: run.scenarios.map((s) => `${s.scenario.id} x 3`) };
  return run;
}

describe('report.md', () => {
  it('starts with key findings, then the overview grouped by layout and state, metric tables per scenario, methodology, environment', () => {
    const run = fixtureRun();
    const md = renderMarkdown(run, buildCharts(run));
    const at = (s: string): number => md.indexOf(s);
    expect(at('## Key findings')).toBeGreaterThan(0);
    expect(at('## Key findings')).toBeLessThan(at('## Charts'));
    expect(md).toContain(`- ${escapeMarkdown(keyFindings(run).findings[0]!.sentence).slice(0, 60)}`);
    expect(at('## Overview')).toBeLessThan(at('## Methodology'));
    expect(md).toContain('**64 MiB random, sleeping target**\n\n| mechanism, advice | n | hint | CI of hint | re-touch | maj. faults | reclaimed | status |');
    expect(md).toMatch(/\| no hint \(baseline\) \| 3 \| {2}\| {2}\| 3\.10 ms \| 0 \| {2}\| ok \|/);
    expect(md).toContain(`**${escapeMarkdown(run.scenarios[0]!.scenario.id)}**\n\n| metric | n | median | 95 % CI of median | robust CV |`);
    expect(md).toMatch(/!\[Hint latency: process\\_madvise vs ptrace, PAGEOUT and COLD, sleeping and running\s+targets\]\(hint-latency\.svg\)/);
    expect(md).toContain(`**kernel**: ${run.environment.kernelRelease}`);
    expect(md).toMatch(/## Failed scenarios\n\n- ptrace\/pageout\/anon-random-64MiB-1vma\/frozen: EPERM/);
    expect(md).toContain('### Statistics');
  });

  it('cannot be broken by pipes, newlines or HTML in strings', () => {
    const run = fixtureRun();
    run.scenarios[0]!.scenario.id = 'a|b\nc<script>';
    const md = renderMarkdown(run, []);
    expect(md).toContain('a\\|b c&lt;script&gt;');
    expect(md).not.toContain('<script>');
  });
});

describe('line widths', () => {
  for (const [name, run] of [
    ['fixture', fixtureRun()],
    ['long strings', wideRun()],
    ['pressure, both mechanisms', pressureRun(6, ['process_madvise', 'ptrace'])],
    ['kinds', kindsRun()],
  ] as const) {
    it(`report.md stays within ${MARKDOWN_WIDTH} columns (${name})`, () => {
      const w = widest(renderMarkdown(run, buildCharts(run)));
      expect(w.width, w.line).toBeLessThanOrEqual(MARKDOWN_WIDTH);
    });
    it(`the terminal summary stays within ${TERMINAL_WIDTH} columns (${name})`, () => {
      const w = widest(formatSummaryTable(run));
      expect(w.width, w.line).toBeLessThanOrEqual(TERMINAL_WIDTH);
    });
    it(`the text summary stays within ${TEXT_WIDTH} columns (${name})`, () => {
      const w = widest(formatTextSummary(run));
      expect(w.width, w.line).toBeLessThanOrEqual(TEXT_WIDTH);
    });
  }
});

describe('terminal summary', () => {
  it('key findings, then the overview by memory layout and target state, then failures with their error', () => {
    const run = fixtureRun();
    const lines = formatSummaryTable(run).trimEnd().split('\n');
    expect(lines[0]).toBe('Key findings:');
    expect(lines[1]).toMatch(/^- 64 MiB random, sleeping target: re-touch \d+(\.\d+)?× slower after/);
    const header = lines.findIndex((l) => l.startsWith('  mechanism, advice'));
    expect(lines[header]).toMatch(/^ {2}mechanism, advice +n +hint +CI of hint +re-touch +maj\. faults +reclaimed +status$/);
    expect(lines[header + 2]).toBe('64 MiB random, sleeping target');
    const pm = lines[header + 3]!;
    expect(pm).toMatch(/^ {2}process_madvise PAGEOUT +3 +52\.4 ms +47\.9–55\.0 ms\* +35\.2 ms +16,383 +16,383 +ok$/);
    expect(lines.some((l) => l.startsWith('* too few samples for a 95 % interval'))).toBe(true);
    const failed = run.scenarios.at(-1)!;
    const tail = lines.slice(lines.findIndex((l) => l.startsWith('failed: ')));
    expect(tail.join(' ').replace(/ {3}/g, ' ')).toBe(`failed: ${failed.scenario.id}: ${failed.error}`);
    expect(tail.slice(1).every((l) => l.startsWith('  '))).toBe(true);
    expect(lines.every((l) => l === l.trimEnd())).toBe(true);
  });

  it('text summary: head, findings, compact overview, method', () => {
    const run = fixtureRun();
    const text = formatTextSummary(run);
    expect(text.split('\n')[0]).toBe(`hintbench ${run.environment.hintbenchVersion}, suite ${run.suite}, ${run.startedAt}`);
    expect(text).toContain('Key findings:');
    expect(text).toMatch(/^ {2}mechanism, advice +n +hint +CI of hint +re-touch$/m);
    expect(text).toContain('distribution-free 95 % CIs');
  });
});
