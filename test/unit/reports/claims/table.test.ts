import { describe, expect, it } from 'vitest';
import { claimsTable } from '../../../../reports/claims/table.ts';
import { renderHtml } from '../../../../reports/html.ts';
import { renderMarkdown } from '../../../../reports/markdown.ts';
import { TEXT_WIDTH, formatTextSummary } from '../../../../reports/summary-table.ts';
import type { Sample } from '../../../../core/types.ts';
import { fixtureRun } from '../fixture.ts';
import { addScenario, emptyRun } from './synthetic.ts';

const BYTES = 16 * 2 ** 20;

function tracedRun() {
  const r = emptyRun();
  const ok: Partial<Sample> = { bytesRequested: BYTES, bytesAdvised: BYTES, foreignTracerIntact: true, dataIntact: true };
  addScenario(r, 'process_madvise', 'traced', Array(6).fill(ok));
  addScenario(r, 'ptrace', 'traced', Array(6).fill({ ...ok, bytesAdvised: 0, errors: ['EPERM: thread 7 of pid 7 is already traced by pid 8 (PTRACE_SEIZE: EPERM)'] }));
  return r;
}

describe('claims table in the reports', () => {
  it('is absent from every format when the run has no claim scenarios', () => {
    const run = fixtureRun();
    expect(claimsTable(run)).toBeNull();
    expect(renderMarkdown(run, [])).not.toMatch(/## Claims/);
    expect(renderHtml(run, [], '')).not.toMatch(/id="claims"/);
    expect(formatTextSummary(run)).not.toMatch(/^Claims:/m);
  });

  it('appears in Markdown, HTML and text with the verdict, the result and the kernel and host it holds for', () => {
    const run = tracedRun();
    const env = run.environment;
    const md = renderMarkdown(run, []);
    expect(md).toMatch(/## Claims/);
    expect(md).toContain('| claim | how it was measured | result | verdict | why |');
    expect(md).toMatch(/\| supported \|/);
    expect(md).toContain(env.kernelRelease);
    const html = renderHtml(run, [], '');
    expect(html).toMatch(/<tr data-claim="traced-target">.*<strong>supported<\/strong>/);
    expect(html).toContain(`on ${env.hostname}`);
    const text = formatTextSummary(run);
    expect(text).toMatch(/^Claims:/m);
    expect(text).toMatch(/- SUPPORTED: "It doesn't work if the target/);
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(TEXT_WIDTH);
  });
});
