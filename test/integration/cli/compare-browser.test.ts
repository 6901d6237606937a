/**
 * compare.html opened in a real browser (Debian's chromium via playwright-core), every
 * network request blocked: with scripts on, vega redraws every chart, nothing is fetched and
 * no error is logged; with scripts off, the inlined SVG charts are there.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildComparison } from '../../../reports/compare/compare.ts';
import { renderComparison } from '../../../reports/compare/output.ts';
import { CHROMIUM_LAUNCH, chromiumAvailable, openOffline } from '../../helpers/chromium.ts';
import { loaded, syntheticRun } from '../../unit/compare/synthetic.ts';

describe.skipIf(!chromiumAvailable('compare browser test'))('compare.html in chromium', () => {
  let workDir: string;
  let browser: Browser;
  let htmlPath: string;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'hintbench-compare-browser-'));
    const base = syntheticRun({ n: 30, seed: 1 });
    const next = syntheticRun({ n: 30, seed: 2, scale: { userLatencyNs: 1.2, retouchNs: 0.9 } });
    const c = buildComparison(loaded(base, '/base'), [loaded(next, '/new')]);
    htmlPath = join(workDir, 'compare.html');
    writeFileSync(htmlPath, await renderComparison(c, [base, next], 'html'));
    // playwright gives the browser a fresh temporary profile and removes it on close
    browser = await chromium.launch(CHROMIUM_LAUNCH);
  });

  afterAll(async () => {
    await browser?.close();
    if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
  });

  for (const scripts of [true, false]) {
    it(`scripts ${scripts ? 'on: vega redraws each chart' : 'off: the inlined SVG charts show'}, nothing is fetched, no error`, async () => {
      const context = await browser.newContext({ javaScriptEnabled: scripts, viewport: { width: 1400, height: 900 } });
      const { page, requested, consoleErrors: errors } = await openOffline(context, htmlPath);
      if (scripts) await page.waitForSelector('body[data-charts-done="2"]', { timeout: 30_000 });
      for (const id of ['chart-0-0', 'chart-0-1']) {
        const view = page.locator(`#${id}`);
        if (scripts) expect(await view.getAttribute('data-rendered'), id).toBe('true');
        const box = await view.locator('svg').first().boundingBox();
        expect(box, id).not.toBeNull();
        expect(box!.width, id).toBeGreaterThan(400);
        expect(await view.locator('g.mark-symbol path').count(), `${id} sample dots`).toBeGreaterThan(60);
      }
      expect(await page.locator('table tbody tr.verdict-regressed').count()).toBe(2);
      expect(requested).toEqual([]);
      expect(errors).toEqual([]);
      await context.close();
    });
  }
});
