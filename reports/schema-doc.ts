/**
 * The tables of docs/results-schema.md and docs/results.schema.json, generated from the
 * schema (core/schema/results.ts), the metric registry (core/metrics.ts) and the CSV column
 * list (reports/columns.ts). Each table sits between `<!-- generated: NAME -->` and
 * `<!-- end generated -->` in the Markdown; the prose around them is written by hand.
 * test/unit/reports/schema-doc.test.ts fails when a table or the JSON Schema is out of date.
 *
 *   npm run docs     rewrites both files
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { SAMPLE_FIELDS } from '../core/metrics.ts';
import {
  EnvironmentSchema,
  HalfWidthSchema,
  MedianCiSchema,
  RunResultSchema,
  SampleSchema,
  ScenarioResultSchema,
  ScenarioSchema,
  StoppingSchema,
  SummarySchema,
  SwapDeviceSchema,
} from '../core/schema/results.ts';
import { SAMPLE_COLUMNS, sampleFieldOfHeader } from './columns.ts';

/** Where the generated files live. */
export const SCHEMA_DOC_PATH = fileURLToPath(new URL('../docs/results-schema.md', import.meta.url));
export const JSON_SCHEMA_PATH = fileURLToPath(new URL('../docs/results.schema.json', import.meta.url));

type Node = z.core.$ZodType;
interface Def {
  type: string;
  innerType?: Node;
  element?: Node;
  shape?: Record<string, Node>;
  options?: Node[];
  entries?: Record<string, string>;
  values?: unknown[];
}
const defOf = (s: Node): Def => (s as unknown as { _zod: { def: Def } })._zod.def;
const descriptionOf = (s: Node): string => (z.globalRegistry.get(s) as { description?: string } | undefined)?.description ?? '';

/** Named object schemas: a field holding one is written by its name. */
const NAMED: readonly [string, Node][] = [
  ['RunResult', RunResultSchema],
  ['Environment', EnvironmentSchema],
  ['SwapDevice', SwapDeviceSchema],
  ['ScenarioResult', ScenarioResultSchema],
  ['Scenario', ScenarioSchema],
  ['Summary', SummarySchema],
  ['MedianCi', MedianCiSchema],
  ['Stopping', StoppingSchema],
  ['HalfWidth', HalfWidthSchema],
  ['Sample', SampleSchema],
];

function nameOf(node: Node): string | null {
  const shape = defOf(node).shape;
  return NAMED.find(([, s]) => defOf(s).shape === shape)?.[0] ?? null;
}

/** The type column of a field: `number or null`, `` `ok`, `partial` ``, `Sample[]`. */
export function typeText(node: Node): string {
  const d = defOf(node);
  switch (d.type) {
    case 'nullable':
      return `${typeText(d.innerType!)} or null`;
    case 'optional':
    case 'default':
      return typeText(d.innerType!);
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'enum':
      return Object.values(d.entries ?? {})
        .map((v) => `\`${v}\``)
        .join(', ');
    case 'literal':
      return (d.values ?? []).map((v) => `\`${String(v)}\``).join(', ');
    case 'union':
      return (d.options ?? []).map(typeText).join(', ');
    case 'array':
      return `${typeText(d.element!)}[]`;
    case 'record':
      return 'object';
    case 'object':
      return nameOf(node) ?? 'object';
    default:
      return d.type;
  }
}

/** `| a | b |` */
const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;

/** A field table of an object schema (`field | type | meaning`); nested objects named in `flatten` are listed field by field (`memory.kind`). */
function objectTable(schema: Node, flatten: readonly string[] = []): string[] {
  const lines = [row(['field', 'type', 'meaning']), row(['---', '---', '---'])];
  for (const [name, node] of Object.entries(defOf(schema).shape ?? {})) {
    if (flatten.includes(name)) {
      for (const [sub, subNode] of Object.entries(defOf(node).shape ?? {})) lines.push(row([`\`${name}.${sub}\``, typeText(subNode), descriptionOf(subNode)]));
    } else {
      lines.push(row([`\`${name}\``, typeText(node), descriptionOf(node)]));
    }
  }
  return lines;
}

/** The Sample table: every registry field with its type, unit and doc line. */
function sampleTable(): string[] {
  const lines = [row(['field', 'type', 'unit', 'meaning']), row(['---', '---', '---', '---'])];
  for (const [name, f] of Object.entries(SAMPLE_FIELDS)) lines.push(row([`\`${name}\``, typeText(f.schema), f.unit ?? '', f.doc]));
  return lines;
}

/** The metrics table: which Sample fields are summarised, shown and judged, and which way is better. */
function metricsTable(): string[] {
  const lines = [row(['field', 'summarised', 'shown as', 'compared', 'better']), row(['---', '---', '---', '---', '---'])];
  for (const [name, f] of Object.entries(SAMPLE_FIELDS)) {
    if (!f.summarised) continue;
    const better = f.direction === 'lower-is-better' ? 'lower' : f.direction === 'higher-is-better' ? 'higher' : '';
    lines.push(row([`\`${name}\``, 'yes', f.display?.label ?? '', f.compared ? 'yes' : '', better]));
  }
  return lines;
}

/** The samples.csv table: each column and where it comes from. */
function csvTable(): string[] {
  const lines = [row(['column', 'meaning']), row(['---', '---'])];
  for (const c of SAMPLE_COLUMNS) {
    const field = sampleFieldOfHeader(c.header);
    const meaning = field === null ? c.description : `\`Sample.${field}\`${field === 'errors' ? ', joined with `; `' : ''}`;
    lines.push(row([`\`${c.header}\``, meaning]));
  }
  return lines;
}

/** Every generated table by its marker name. */
export function generatedTables(): Record<string, string[]> {
  return {
    RunResult: objectTable(RunResultSchema),
    Environment: objectTable(EnvironmentSchema),
    SwapDevice: objectTable(SwapDeviceSchema),
    ScenarioResult: objectTable(ScenarioResultSchema),
    Scenario: objectTable(ScenarioSchema, ['memory']),
    Summary: objectTable(SummarySchema),
    MedianCi: objectTable(MedianCiSchema),
    Stopping: objectTable(StoppingSchema),
    HalfWidth: objectTable(HalfWidthSchema),
    Sample: sampleTable(),
    Metrics: metricsTable(),
    'samples.csv': csvTable(),
  };
}

const BLOCK = /(<!-- generated: ([\w.]+) -->\n)[\s\S]*?(<!-- end generated -->)/g;

/** `doc` with every generated block replaced by the current table; throws on an unknown block name. */
export function renderSchemaDoc(doc: string): string {
  const tables = generatedTables();
  return doc.replace(BLOCK, (_whole, open: string, name: string, close: string) => {
    const table = tables[name];
    if (table === undefined) throw new Error(`docs/results-schema.md: no generated table named ${name}`);
    return `${open}${table.join('\n')}\n${close}`;
  });
}

/** Names of the generated blocks a document holds, in order. */
export function generatedBlockNames(doc: string): string[] {
  return [...doc.matchAll(BLOCK)].map((m) => m[2]!);
}

/** docs/results.schema.json: the JSON Schema of results.json. */
export function renderJsonSchema(): string {
  return `${JSON.stringify(z.toJSONSchema(RunResultSchema, { target: 'draft-2020-12' }), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(SCHEMA_DOC_PATH, renderSchemaDoc(readFileSync(SCHEMA_DOC_PATH, 'utf8')));
  writeFileSync(JSON_SCHEMA_PATH, renderJsonSchema());
  process.stdout.write(`${SCHEMA_DOC_PATH}\n${JSON_SCHEMA_PATH}\n`);
}
