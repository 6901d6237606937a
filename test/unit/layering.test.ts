/**
 * The layers of the tree, checked on every import:
 *
 *   core/        data types, errors, schema, metric registry, system bindings, /proc and cgroup readers
 *   bpf/  workloads/  reports/   beside each other on top of core: each imports core only
 *   bench/       the application: imports core, bpf, workloads and reports
 *   test/        may import anything; nothing imports it
 *
 * No folder imports a folder that imports it back, so the top-level graph has no cycle; and
 * no module imports values from a module that imports values from it back (type imports are
 * erased and do not count). A forbidden import fails the test naming the file and the import.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The folders each top-level folder may import from (besides itself). */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  core: [],
  bpf: ['core'],
  workloads: ['core'],
  reports: ['core'],
  bench: ['core', 'bpf', 'workloads', 'reports'],
  test: ['core', 'bpf', 'workloads', 'reports', 'bench'],
};

/** Imports that still cross a layer boundary the wrong way: `file -> imported file`. */
const ALLOW_LIST: readonly string[] = [];

/** One import of one file. */
interface ImportEdge {
  /** Importing file, relative to the repository root. */
  file: string;
  /** The specifier as written. */
  specifier: string;
  /** Imported file, relative to the repository root. */
  target: string;
}

/** Every .ts/.js file below `dir` (relative paths), skipping node_modules and test fixtures' data. */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string): void => {
    for (const name of readdirSync(abs)) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const p = join(abs, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|js|mjs|cjs)$/.test(name)) out.push(relative(ROOT, p));
    }
  };
  walk(join(ROOT, dir));
  return out.sort();
}

/**
 * The module specifiers a source text imports: static `import ... from`, side-effect
 * `import '...'`, `export ... from`, and dynamic `import('...')`. Static forms count only at
 * the start of a line, so examples in comments are not imports.
 */
function importSpecifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^[ \t]*(?:import|export)\b[^;'"`]*?\bfrom\s*['"]([^'"]+)['"]/gm)) out.push(m[1]!);
  for (const m of text.matchAll(/^[ \t]*import\s*['"]([^'"]+)['"]/gm)) out.push(m[1]!);
  for (const line of text.split('\n')) {
    if (/^\s*(\*|\/\/|\/\*)/.test(line)) continue;
    for (const m of line.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  }
  return out;
}

/**
 * The specifiers a source text imports values from: the static forms of importSpecifiers()
 * except `import type` / `export type` and braces holding only `type` members, which are
 * erased at compile time and so cannot make a cycle at load time.
 */
function valueImportSpecifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^[ \t]*(import|export)\b([^;'"`]*?)\bfrom\s*['"]([^'"]+)['"]/gm)) {
    const clause = m[2]!.trim();
    if (/^type\b/.test(clause)) continue;
    const braces = /^\{([^}]*)\}$/.exec(clause);
    if (braces !== null && braces[1]!.split(',').every((x) => x.trim() === '' || /^type\b/.test(x.trim()))) continue;
    out.push(m[3]!);
  }
  return out;
}

/** Relative imports of every file of the tree. */
function importEdges(): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const top of Object.keys(ALLOWED)) {
    for (const file of sourceFiles(top)) {
      for (const specifier of importSpecifiers(readFileSync(join(ROOT, file), 'utf8'))) {
        if (!specifier.startsWith('.')) continue;
        edges.push({ file, specifier, target: relative(ROOT, resolve(ROOT, dirname(file), specifier)) });
      }
    }
  }
  return edges;
}

const topOf = (path: string): string => path.split('/')[0]!;

describe('layering', () => {
  const edges = importEdges();

  it('reads every layer (the scan itself works)', () => {
    for (const top of Object.keys(ALLOWED)) expect(sourceFiles(top).length, top).toBeGreaterThan(0);
    expect(edges.length).toBeGreaterThan(500);
    const dynamic = ['const e = await imp', "ort('./e.ts');"].join('');
    const sample = [
      "import a from './a.ts';",
      'import {',
      '  b,',
      '  type C,',
      "} from '../b.ts';",
      "export * from './c.ts';",
      "import './d.ts';",
      dynamic,
      " * import x from './not-an-import.ts';",
    ].join('\n');
    expect(importSpecifiers(sample)).toEqual(['./a.ts', '../b.ts', './c.ts', './d.ts', './e.ts']);
  });

  it('has no import against the layers', () => {
    const bad = edges
      .filter((e) => {
        const from = topOf(e.file);
        const to = topOf(e.target);
        return from !== to && !(ALLOWED[from] ?? []).includes(to);
      })
      .map((e) => `${e.file} -> ${e.target}`);
    const unexpected = bad.filter((b) => !ALLOW_LIST.includes(b));
    expect(unexpected, 'forbidden imports (file -> imported file)').toEqual([]);
    const stale = ALLOW_LIST.filter((a) => !bad.includes(a));
    expect(stale, 'allow-list entries that no longer occur: remove them').toEqual([]);
  });

  it('imports only files that exist', () => {
    const missing = edges
      .filter((e) => !/\.(ts|js|mjs|cjs|json)$/.test(e.target) || !statSync(join(ROOT, e.target), { throwIfNoEntry: false }))
      .map((e) => `${e.file}: ${e.specifier}`);
    expect(missing).toEqual([]);
  });

  it('keeps modules free of value-import cycles (each module loads after everything it uses)', () => {
    expect(valueImportSpecifiers("import type { A } from './a.ts';\nimport { type B } from './b.ts';\nimport { type C, d } from './c.ts';\nexport { e } from './e.ts';")).toEqual([
      './c.ts',
      './e.ts',
    ]);
    const graph = new Map<string, string[]>();
    for (const top of Object.keys(ALLOWED).filter((t) => t !== 'test')) {
      for (const file of sourceFiles(top)) {
        const targets = valueImportSpecifiers(readFileSync(join(ROOT, file), 'utf8'))
          .filter((x) => x.startsWith('.'))
          .map((x) => relative(ROOT, resolve(ROOT, dirname(file), x)));
        graph.set(file, targets);
      }
    }
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'open');
      path.push(file);
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next].join(' -> '));
        else if (!state.has(next)) visit(next);
      }
      path.pop();
      state.set(file, 'done');
    };
    for (const file of graph.keys()) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  it('keeps the top-level folders free of cycles', () => {
    const graph = new Map<string, Set<string>>();
    for (const e of edges) {
      const from = topOf(e.file);
      const to = topOf(e.target);
      if (from === to || ALLOW_LIST.includes(`${e.file} -> ${e.target}`)) continue;
      if (!graph.has(from)) graph.set(from, new Set());
      graph.get(from)!.add(to);
    }
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean => {
      for (const next of graph.get(from) ?? []) {
        if (next === to) return true;
        if (!seen.has(next)) {
          seen.add(next);
          if (reaches(next, to, seen)) return true;
        }
      }
      return false;
    };
    const cycles = [...graph.keys()].filter((top) => reaches(top, top));
    expect(cycles).toEqual([]);
  });
});
