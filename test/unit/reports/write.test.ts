import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildCharts } from '../../../reports/charts.ts';
import { FONT_CANDIDATES, findFontFile } from '../../../reports/render.ts';
import { rebuildReports, writeReports } from '../../../reports/write.ts';
import { FIXTURE_PATH, fixtureRun } from './fixture.ts';
import { canUse } from '../../helpers/prereq.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hintbench-write-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const fontPresent = canUse(
  'PNG rendering',
  FONT_CANDIDATES.some((p) => existsSync(p)),
  'apt-get install -y fonts-dejavu-core',
);

describe('writeReports / rebuildReports', () => {
  it('writes html, md, csv and one svg per chart, and returns exactly those paths', async () => {
    const run = fixtureRun();
    const paths = await writeReports(dir, run);
    const names = buildCharts(run).map((c) => `${c.name}.svg`);
    expect(paths).toEqual(['report.html', 'report.md', 'samples.csv', ...names].map((n) => join(dir, n)));
    expect(readdirSync(dir).sort()).toEqual(['report.html', 'report.md', 'samples.csv', ...names].sort());
    for (const n of names) expect(readFileSync(join(dir, n), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>$/);
  });

  it.skipIf(!fontPresent)('writes a PNG per chart when asked', async () => {
    const paths = await writeReports(dir, fixtureRun(), { png: true });
    const pngs = paths.filter((p) => p.endsWith('.png'));
    expect(pngs).toHaveLength(buildCharts(fixtureRun()).length);
    for (const p of pngs) {
      const bytes = readFileSync(p);
      expect(bytes.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
      expect(bytes.length).toBeGreaterThan(10_000);
    }
  });

  it('gives a clear error for PNG only when no font is found', () => {
    expect(() => findFontFile([join(dir, 'no-font.ttf')])).toThrow(/PNG charts need the DejaVu Sans font.*no-font\.ttf/);
  });

  it('rebuilds from results.json alone', async () => {
    copyFileSync(FIXTURE_PATH, join(dir, 'results.json'));
    const paths = await rebuildReports(dir);
    expect(paths).toContain(join(dir, 'report.html'));
    expect(readFileSync(join(dir, 'samples.csv'), 'utf8').trim().split('\n')).toHaveLength(1 + 12);
  });

  it('names the directory when it or its results.json is missing', async () => {
    await expect(rebuildReports(join(dir, 'absent'))).rejects.toThrow(`results directory ${join(dir, 'absent')} does not exist`);
    await expect(rebuildReports(dir)).rejects.toThrow(`${dir} holds no results.json`);
  });
});
