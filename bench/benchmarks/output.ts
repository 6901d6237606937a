import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Writes a benchmark's figures as JSON to `results/benchmarks/<name>.json` (or `outPath`)
 * and prints its one-line summary. Returns the JSON path.
 */
export function writeBenchmark(name: string, figures: object, line: string, outPath?: string): string {
  const path = resolve(outPath ?? `results/benchmarks/${name}.json`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify({ benchmark: name, measuredAt: new Date().toISOString(), ...figures }, null, 2)}\n`);
  process.stdout.write(`${line}\n(figures: ${path})\n`);
  return path;
}
