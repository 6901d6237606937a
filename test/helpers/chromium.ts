/**
 * Debian's chromium for the browser tests (through playwright-core): where it is, the flags
 * it runs with (headless, no sandbox as root, nothing fetched on its own account), and the
 * prerequisite check: required under CI, elsewhere its absence skips with a reason.
 */
import { existsSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { inCI } from './prereq.ts';

/** The browser binary (apt-get install -y chromium). */
export const CHROMIUM = '/usr/bin/chromium';

/** Command-line flags of every launch. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launch options shared by playwright's launch() and launchPersistentContext(). */
export const CHROMIUM_LAUNCH = { executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS] };

/** True when chromium is installed; under CI=true its absence throws, elsewhere it prints why `what` is skipped. */
export function chromiumAvailable(what: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (inCI) throw new Error(`${what}: ${CHROMIUM} missing, and CI=true requires every test to run (apt-get install -y chromium)`);
  process.stderr.write(`SKIP ${what}: ${CHROMIUM} missing (apt-get install -y chromium)\n`);
  return false;
}

/** A page of `context` on the local file `htmlPath`, every other request blocked and recorded, console errors and page errors collected. */
export async function openOffline(context: BrowserContext, htmlPath: string): Promise<{ page: Page; requested: string[]; consoleErrors: string[] }> {
  const requested: string[] = [];
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url === `file://${htmlPath}`) return route.continue();
    requested.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(`file://${htmlPath}`);
  return { page, requested, consoleErrors };
}
