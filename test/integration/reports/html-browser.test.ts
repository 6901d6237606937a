/**
 * report.html opened in a real browser (Debian's chromium via playwright-core), offline, with
 * JavaScript on and off: every chart has marks (drawn by vega, or the inline SVG without
 * JavaScript), the key findings come first, nothing is fetched, nothing is logged as an
 * error, and the page fits an 800 px wide window without horizontal scrolling.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_LAUNCH, chromiumAvailable, openOffline } from '../../helpers/chromium.ts';
import { buildCharts } from '../../../reports/charts.ts';
import { writeReports } from '../../../reports/write.ts';
import { fixtureRunWithExplanations } from '../../unit/reports/fixture.ts';
import { kindsRun, pressureRun } from '../../unit/reports/pressure-fixture.ts';

/** The chart drawn as bars, not dots with medians. */
const HISTOGRAM_CHART = 'refault-latency';
/** The page width the report must fit. */
const PAGE_WIDTH_PX = 800;

/** A fresh browser (own profile in `workDir`) on `htmlPath`, with every request but the report's own file blocked and recorded; its context joins `contexts` for closing. */
async function openIn(
  workDir: string,
  htmlPath: string,
  javaScriptEnabled: boolean,
  contexts: BrowserContext[],
): Promise<{ page: Page; requested: string[]; consoleErrors: string[] }> {
  const context = await chromium.launchPersistentContext(join(workDir, `profile-js-${javaScriptEnabled}`), {
    ...CHROMIUM_LAUNCH,
    javaScriptEnabled,
    viewport: { width: PAGE_WIDTH_PX, height: 900 },
  });
  contexts.push(context);
  return openOffline(context, htmlPath);
}

describe.skipIf(!chromiumAvailable('report browser test'))('report.html in chromium', () => {
  let workDir: string;
  let htmlPath: string;
  let chartNames: string[];
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'hintbench-report-browser-'));
    // The fixture with explanation counters and refault histograms, so every chart kind is drawn.
    const run = fixtureRunWithExplanations();
    chartNames = buildCharts(run).map((c) => c.name);
    const outDir = join(workDir, 'out');
    mkdirSync(outDir);
    await writeReports(outDir, run);
    htmlPath = join(outDir, 'report.html');
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
  });

  const openReport = (javaScriptEnabled: boolean) => openIn(workDir, htmlPath, javaScriptEnabled, contexts);

  /** Checks that hold with and without JavaScript. */
  async function checkPage(page: Page): Promise<void> {
    expect(chartNames).toContain('explanations');
    expect(chartNames).toContain(HISTOGRAM_CHART);
    for (const name of chartNames) {
      const view = page.locator(`#chart-${name}`);
      const svg = view.locator('svg').first();
      const box = await svg.boundingBox();
      expect(box, name).not.toBeNull();
      expect(box!.width, name).toBeGreaterThan(200);
      expect(box!.x + box!.width, `${name} right edge`).toBeLessThanOrEqual(PAGE_WIDTH_PX);
      if (name === HISTOGRAM_CHART) {
        // Marks: one bar (mark-rect) per non-empty latency bucket.
        expect(await view.locator('g.mark-rect path, g.mark-rect rect').count(), `${name} bars`).toBeGreaterThan(0);
        continue;
      }
      // Marks: each sample dot is a path inside a mark-symbol group, each median a tick (mark-rect) with its whisker (mark-rule).
      expect(await view.locator('g.mark-symbol path').count(), `${name} dots`).toBeGreaterThan(0);
      expect(await view.locator('g.mark-rect path, g.mark-rect rect').count(), `${name} median ticks`).toBeGreaterThan(0);
      expect(await view.locator('g.mark-rule line, g.mark-rule path').count(), `${name} CI whiskers`).toBeGreaterThan(0);
    }
    const findings = page.locator('#key-findings li');
    expect(await findings.count()).toBeGreaterThan(0);
    expect(await findings.first().textContent()).toMatch(/× slower .*CI/);
    const findingsTop = (await page.locator('#key-findings').boundingBox())!.y;
    expect(findingsTop).toBeLessThan((await page.locator('#charts').boundingBox())!.y);
    expect(await page.locator('table.overview tr.group').count()).toBeGreaterThan(0);
    // Evaluated in the page (a string: this file is compiled without the DOM types).
    const widths = await page.evaluate<{ doc: number; body: number; inner: number }>(
      '({ doc: document.documentElement.scrollWidth, body: document.body.scrollWidth, inner: window.innerWidth })',
    );
    expect(widths.inner).toBe(PAGE_WIDTH_PX);
    expect(widths.doc, 'horizontal overflow').toBeLessThanOrEqual(PAGE_WIDTH_PX);
    expect(widths.body, 'horizontal overflow').toBeLessThanOrEqual(PAGE_WIDTH_PX);
  }

  it('with JavaScript: vega draws every chart, nothing is requested, no error, fits 800 px', async () => {
    const { page, requested, consoleErrors } = await openReport(true);
    await page.waitForSelector(`body[data-charts-done="${chartNames.length}"]`, { timeout: 30_000 });
    for (const name of chartNames) expect(await page.locator(`#chart-${name}`).getAttribute('data-rendered'), name).toBe('true');
    // vega replaced the inline picture: one svg per view.
    for (const name of chartNames) expect(await page.locator(`#chart-${name} > svg`).count(), name).toBe(1);
    await checkPage(page);
    expect(requested).toEqual([]);
    expect(consoleErrors).toEqual([]);
    const shot = process.env.HINTBENCH_REPORT_SCREENSHOT ?? join(workDir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(existsSync(shot)).toBe(true);
  });

  it('without JavaScript: the inline SVG of every chart shows, nothing is requested, no error, fits 800 px', async () => {
    const { page, requested, consoleErrors } = await openReport(false);
    for (const name of chartNames) expect(await page.locator(`#chart-${name}`).getAttribute('data-rendered'), name).toBeNull();
    expect(await page.locator('body').getAttribute('data-charts-done')).toBeNull();
    await checkPage(page);
    expect(requested).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});

describe.skipIf(!chromiumAvailable('report browser test'))('report.html of a run with pressure and memory-kind scenarios in chromium', () => {
  let workDir: string;
  let htmlPath: string;
  let chartNames: string[];
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'hintbench-report-browser-pressure-'));
    // Hint scenarios over several kinds and the pressure strategies by both mechanisms, in one run.
    const run = pressureRun(6, ['process_madvise', 'ptrace']);
    run.scenarios.push(...kindsRun(['anon', 'file_private']).scenarios);
    chartNames = buildCharts(run).map((c) => c.name);
    const outDir = join(workDir, 'out');
    mkdirSync(outDir);
    await writeReports(outDir, run);
    htmlPath = join(outDir, 'report.html');
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
  });

  it('vega draws the strategy cost and pressure timeline charts with their marks, with no error or request, within 800 px', async () => {
    expect(chartNames).toContain('strategy-cost');
    expect(chartNames).toContain('pressure-timeline');
    const { page, requested, consoleErrors } = await openIn(workDir, htmlPath, true, contexts);
    await page.waitForSelector(`body[data-charts-done="${chartNames.length}"]`, { timeout: 30_000 });
    for (const name of chartNames) expect(await page.locator(`#chart-${name}`).getAttribute('data-rendered'), name).toBe('true');
    const cost = page.locator('#chart-strategy-cost');
    // Sample dots and median crosses are symbols (so are the legend's): refaults and access p99 for all 7 strategies
    // (6 samples + 1 median each), target stall for the 3 ptrace ones.
    expect(await cost.locator('g.mark-symbol path').count()).toBeGreaterThanOrEqual(2 * 7 * 7 + 3 * 7);
    expect(await cost.locator('g.mark-rule line, g.mark-rule path').count()).toBeGreaterThan(0);
    // One line per sample and series.
    expect(await page.locator('#chart-pressure-timeline g.mark-line path').count()).toBeGreaterThanOrEqual(7 * 6 * 5);
    for (const name of chartNames) {
      const box = await page.locator(`#chart-${name} > svg`).boundingBox();
      expect(box, name).not.toBeNull();
      expect(box!.x + box!.width, `${name} right edge`).toBeLessThanOrEqual(PAGE_WIDTH_PX);
    }
    expect(await page.locator('table.strategies tr.group').count()).toBe(1);
    expect(await page.locator('table.kinds tr.group').count()).toBe(2);
    expect(await page.locator('#key-findings li', { hasText: 'protected the hot set best' }).count()).toBe(1);
    const docWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
    expect(docWidth, 'horizontal overflow').toBeLessThanOrEqual(PAGE_WIDTH_PX);
    expect(requested).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
