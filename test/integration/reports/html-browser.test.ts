/**
 * report.html opened in a real browser (Debian's chromium via playwright-core), with every
 * network request blocked: all charts render, nothing is fetched, no console errors.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inCI } from '../../helpers/prereq.ts';
import { buildCharts } from '../../../reports/charts.ts';
import { readResultsJson } from '../../../reports/json.ts';
import { writeReports } from '../../../reports/write.ts';

const CHROMIUM = '/usr/bin/chromium';
const FIXTURE = new URL('../../fixtures/results/results.json', import.meta.url).pathname;

/** Chromium is required under CI (CI installs it); elsewhere its absence skips with a reason. */
function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (inCI) throw new Error(`report browser test: ${CHROMIUM} missing, and CI=true requires every test to run (apt-get install -y chromium)`);
  process.stderr.write(`SKIP report browser test: ${CHROMIUM} missing (apt-get install -y chromium)\n`);
  return false;
}

describe.skipIf(!chromiumAvailable())('report.html in chromium', () => {
  let workDir: string;
  let context: BrowserContext;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'hintbench-report-browser-'));
    // A fresh profile in the temporary directory (playwright passes it as --user-data-dir).
    context = await chromium.launchPersistentContext(join(workDir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await context?.close();
    if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
  });

  it('renders every chart offline, requests nothing and logs no error', async () => {
    const run = readResultsJson(FIXTURE);
    const chartNames = buildCharts(run).map((c) => c.name);
    expect(chartNames.length).toBeGreaterThanOrEqual(5);
    const outDir = join(workDir, 'out');
    mkdirSync(outDir);
    await writeReports(outDir, run);
    const htmlPath = join(outDir, 'report.html');

    const page = await context.newPage();
    const requested: string[] = [];
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      if (url.startsWith('file://') && url.endsWith('/report.html')) return route.continue();
      requested.push(url);
      return route.abort();
    });
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));

    await page.goto(`file://${htmlPath}`);
    await page.waitForSelector(`body[data-charts-done="${chartNames.length}"]`, { timeout: 30_000 });

    for (const name of chartNames) {
      const view = page.locator(`#chart-${name}`);
      expect(await view.getAttribute('data-rendered'), name).toBe('true');
      const svg = view.locator('svg').first();
      const box = await svg.boundingBox();
      expect(box, name).not.toBeNull();
      expect(box!.width, name).toBeGreaterThan(200);
      expect(box!.height, name).toBeGreaterThan(150);
      // Marks: vega draws each sample dot as a path inside a mark-symbol group.
      const dots = await view.locator('g.mark-symbol path').count();
      expect(dots, name).toBeGreaterThan(0);
      expect(await view.locator('g.mark-rect path, g.mark-rect rect').count(), `${name} median ticks`).toBeGreaterThan(0);
    }

    const scenarioRows = await page.locator('table.scenarios tbody tr').count();
    expect(scenarioRows).toBe(run.scenarios.length);
    expect(await page.locator('table.summary tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('#failed + .failed li').count()).toBe(run.scenarios.filter((s) => s.status === 'failed').length);
    expect(requested).toEqual([]);
    expect(consoleErrors).toEqual([]);

    const shot = process.env.HINTBENCH_REPORT_SCREENSHOT ?? join(workDir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(existsSync(shot)).toBe(true);
    await page.close();
  });
});
