/**
 * Debian's chromium for the browser tests (through playwright-core): where it is, the flags
 * it runs with (headless, no sandbox as root, nothing fetched on its own account), and the
 * prerequisite check: required under CI, elsewhere its absence skips with a reason.
 */
import { existsSync } from 'node:fs';
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
