/**
 * Chart rendering: Vega-Lite spec -> Vega spec (compiled in Node, so viewers need only vega),
 * Vega spec -> SVG (headless vega View), SVG -> PNG (resvg with a DejaVu font file).
 */
import { existsSync, readFileSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { HintbenchError } from '../core/errors.ts';

/** Compile a Vega-Lite spec to a Vega spec. */
export function compileToVega(spec: TopLevelSpec): vega.Spec {
  return compile(spec).spec;
}

/** Render a compiled Vega spec to SVG text without a browser. */
export async function vegaToSvg(spec: vega.Spec): Promise<string> {
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Render a Vega-Lite spec to SVG text. */
export async function chartToSvg(spec: TopLevelSpec): Promise<string> {
  return vegaToSvg(compileToVega(spec));
}

/** Where DejaVu Sans is looked for, in order (Debian/Ubuntu, Fedora, Arch). */
export const FONT_CANDIDATES: readonly string[] = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
];

/** Path of a DejaVu Sans font file, or a HintbenchError saying how to install one. */
export function findFontFile(candidates: readonly string[] = FONT_CANDIDATES): string {
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) {
    throw new HintbenchError(
      `PNG charts need the DejaVu Sans font, not found at ${candidates.join(', ')}`,
      'install it (apt-get install -y fonts-dejavu-core), or leave out --png: SVG charts need no font file',
    );
  }
  return found;
}

/** Render SVG text to PNG bytes (white background, 2x scale for sharp text). */
export function svgToPng(svg: string, fontFile: string = findFontFile()): Buffer {
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: 2 },
    font: { fontFiles: [fontFile], loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}

/** The vega UMD build (vega.min.js) as text, for inlining into HTML. */
export function vegaUmdSource(): string {
  let entry: string;
  try {
    entry = import.meta.resolve('vega');
  } catch {
    entry = new URL('../node_modules/vega/build/vega.module.js', import.meta.url).href;
  }
  const url = new URL('vega.min.js', entry);
  try {
    return readFileSync(url, 'utf8');
  } catch (cause) {
    throw new HintbenchError(`cannot read vega's browser build at ${url.pathname}`, 'reinstall dependencies with `npm ci`', { cause });
  }
}
