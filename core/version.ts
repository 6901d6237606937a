/** hintbench's own version, from its package.json. */
import { readFileSync } from 'node:fs';

/** The `version` of package.json, or `unknown` when it has none. */
export function hintbenchVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}
