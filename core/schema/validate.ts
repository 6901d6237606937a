/**
 * Validation against the zod schemas of core/schema with errors that name the field: the
 * first problem becomes `field scenarios[2].samples[0].userLatencyNs must be a finite number
 * or null, got "abc"`, with a fix taken from the schema (a field's `fix` metadata, or the
 * values it allows). Every reader of a file or a protocol line goes through check().
 */
import { z } from 'zod';

/** Metadata hintbench attaches to schema nodes with `.meta()`. */
export interface FieldMeta {
  /** One line on what the field holds (documentation). */
  description?: string;
  /** What to do when the value is wrong. */
  fix?: string;
  /** How the allowed values are said in an error, when the generic wording would be vague (e.g. a pattern). */
  expected?: string;
}

/** A value that does not fit its schema: the first problem, by field path. */
export class SchemaViolation extends Error {
  /** Path of the field, e.g. `scenarios[2].samples[0].userLatencyNs` ('' for the whole value). */
  readonly path: string;
  /** What to do about it. */
  readonly fix: string;

  constructor(path: string, message: string, fix: string) {
    super(message);
    this.name = 'SchemaViolation';
    this.path = path;
    this.fix = fix;
  }
}

type AnySchema = z.core.$ZodType;
/** The parts of a zod node's definition this module reads. */
interface Def {
  type: string;
  innerType?: AnySchema;
  element?: AnySchema;
  valueType?: AnySchema;
  shape?: Record<string, AnySchema>;
  options?: AnySchema[];
  discriminator?: string;
  values?: unknown[];
  entries?: Record<string, string>;
  in?: AnySchema;
  format?: string;
  checks?: { _zod: { def: { check: string; value?: number; inclusive?: boolean; minimum?: number; maximum?: number } } }[];
}

const defOf = (s: AnySchema): Def => (s as unknown as { _zod: { def: Def } })._zod.def;
const metaOf = (s: AnySchema): FieldMeta => (z.globalRegistry.get(s) as FieldMeta | undefined) ?? {};

/** `a.b[2].c` for a path of keys and indices. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : out === '' ? String(k) : `.${String(k)}`;
  return out;
}

/** A wrong value as it is shown in an error: JSON, at most 60 characters. */
function shown(value: unknown): string {
  if (value === undefined) return 'nothing (field missing)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The schema node without optional/default/readonly wrappers (nullable is kept: it changes the wording). */
function unwrap(s: AnySchema): AnySchema {
  let node = s;
  for (;;) {
    const d = defOf(node);
    if ((d.type === 'optional' || d.type === 'default' || d.type === 'prefault' || d.type === 'readonly' || d.type === 'nonoptional') && d.innerType !== undefined)
      node = d.innerType;
    else if (d.type === 'pipe' && d.in !== undefined) node = d.in;
    else return node;
  }
}

/** The schema node of the field at `path` inside `schema`, given the value being checked (for unions). */
function nodeAt(schema: AnySchema, path: readonly PropertyKey[], value: unknown): AnySchema | null {
  let node: AnySchema = schema;
  let v: unknown = value;
  for (const key of path) {
    node = unwrap(node);
    let d = defOf(node);
    if (d.type === 'nullable' && d.innerType !== undefined) {
      node = unwrap(d.innerType);
      d = defOf(node);
    }
    if (d.type === 'union' && d.options !== undefined) {
      const found = pickOption(d, v);
      if (found === null) return null;
      node = unwrap(found);
      d = defOf(node);
    }
    if (d.type === 'object' && d.shape !== undefined) node = d.shape[String(key)] ?? null!;
    else if (d.type === 'array' && d.element !== undefined) node = d.element;
    else if (d.type === 'record' && d.valueType !== undefined) node = d.valueType;
    else return null;
    if (node === null) return null;
    v = typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  }
  return node;
}

/** The option of a union the value belongs to: by discriminator, else the first object option with all of its keys. */
function pickOption(d: Def, value: unknown): AnySchema | null {
  const options = d.options ?? [];
  if (typeof value !== 'object' || value === null) return options[0] ?? null;
  const o = value as Record<string, unknown>;
  if (d.discriminator !== undefined) {
    return (
      options.find((opt) => {
        const tag = defOf(unwrap(opt)).shape?.[d.discriminator!];
        return tag !== undefined && (defOf(tag).values ?? []).includes(o[d.discriminator!]);
      }) ?? null
    );
  }
  return options[0] ?? null;
}

/** Bounds of a number or length from a node's checks: `>= 1`, `> 0`, `<= 10`, and whether it must be an integer. */
function bounds(d: Def): { min: number | null; minInclusive: boolean; max: number | null; int: boolean } {
  const b = { min: null as number | null, minInclusive: true, max: null as number | null, int: d.format === 'safeint' || d.format === 'int32' };
  for (const c of d.checks ?? []) {
    const cd = c._zod.def;
    if (cd.check === 'greater_than') {
      b.min = cd.value ?? null;
      b.minInclusive = cd.inclusive !== false;
    } else if (cd.check === 'min_length') b.min = cd.minimum ?? null;
    else if (cd.check === 'less_than' || cd.check === 'max_length') b.max = cd.value ?? cd.maximum ?? null;
  }
  return b;
}

/** How the values a node allows are said: `an integer from 1 to 65536`, `one of cold, pageout`, `a finite number or null`. */
export function describeExpected(schema: AnySchema): string {
  const node = unwrap(schema);
  const meta = metaOf(node);
  if (meta.expected !== undefined) return meta.expected;
  const d = defOf(node);
  switch (d.type) {
    case 'nullable':
      return `${describeExpected(d.innerType!)} or null`;
    case 'number': {
      const b = bounds(d);
      const what = b.int ? 'an integer' : 'a finite number';
      if (b.min !== null && b.max !== null && b.minInclusive) return `${what} from ${b.min} to ${b.max}`;
      const parts = [b.min === null ? null : `${b.minInclusive ? '>=' : '>'} ${b.min}`, b.max === null ? null : `<= ${b.max}`].filter((x) => x !== null);
      return parts.length === 0 ? what : `${what} ${parts.join(' and ')}`;
    }
    case 'string':
      return bounds(d).min !== null ? 'a non-empty string' : 'a string';
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${Object.values(d.entries ?? {}).join(', ')}`;
    case 'literal':
      return (d.values ?? []).map((x) => JSON.stringify(x)).join(' or ');
    case 'array':
      return bounds(d).min === 1 ? 'a non-empty list' : 'a list';
    case 'object':
    case 'record':
      return 'an object';
    case 'union':
      return (d.options ?? []).map(describeExpected).join(' or ');
    default:
      return `a valid ${d.type}`;
  }
}

/** The fix of a node: its `fix` metadata, else the values it allows. */
function fixOf(node: AnySchema | null, generic: string): string {
  if (node === null) return generic;
  const meta = metaOf(unwrap(node));
  if (meta.fix !== undefined) return meta.fix;
  const d = defOf(unwrap(node));
  if (d.type === 'enum') return `use one of: ${Object.values(d.entries ?? {}).join(', ')}`;
  if (d.type === 'array' && d.element !== undefined && defOf(unwrap(d.element)).type === 'enum') {
    const allowed = Object.values(defOf(unwrap(d.element)).entries ?? {});
    return `e.g. ["${allowed[0]}"]; allowed: ${allowed.join(', ')}`;
  }
  return generic;
}

/** The value at `path` inside `value`. */
function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const k of path) v = typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

/** The first issue of a failed parse as a SchemaViolation naming the field. */
function violationOf(schema: AnySchema, value: unknown, issue: z.core.$ZodIssue, genericFix: string): SchemaViolation {
  if (issue.code === 'unrecognized_keys') {
    const at = [...issue.path, issue.keys[0]!];
    const parent = nodeAt(schema, issue.path, value);
    const known = parent === null ? [] : Object.keys(defOf(unwrap(parent)).shape ?? {});
    return new SchemaViolation(formatPath(at), `field ${formatPath(at)} is not a known field`, known.length > 0 ? `known fields here: ${known.join(', ')}` : genericFix);
  }
  let path = issue.path;
  if (issue.code === 'invalid_union' && 'discriminator' in issue && typeof issue.discriminator === 'string' && path.at(-1) !== issue.discriminator)
    path = [...path, issue.discriminator];
  const node = nodeAt(schema, path, value);
  const at = formatPath(path);
  const name = at === '' ? 'the value' : `field ${at}`;
  if (issue.code === 'custom') return new SchemaViolation(at, `${name} ${issue.message}`, fixOf(node, genericFix));
  const options = 'options' in issue && Array.isArray(issue.options) ? (issue.options as unknown[]) : null;
  if (issue.code === 'invalid_union' && options !== null) {
    const allowed = options.map(String).join(', ');
    return new SchemaViolation(at, `${name} must be one of ${allowed}, got ${shown(valueAt(value, path))}`, `use one of: ${allowed}`);
  }
  const expected = node === null ? issue.message : describeExpected(node);
  return new SchemaViolation(at, `${name} must be ${expected}, got ${shown(valueAt(value, path))}`, fixOf(node, genericFix));
}

/**
 * Validates `value` against `schema` and returns it typed (with defaults applied). Throws a
 * SchemaViolation naming the first wrong field; `genericFix` is its fix when the field has
 * none of its own.
 */
export function check<S extends AnySchema>(schema: S, value: unknown, genericFix: string): z.output<S> {
  const r = z.safeParse(schema, value);
  if (r.success) return r.data;
  throw violationOf(schema, value, r.error.issues[0]!, genericFix);
}

/** JSON.parse that throws a SchemaViolation (`not JSON: ...`) instead of a SyntaxError. */
export function parseJson(text: string, genericFix: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SchemaViolation('', `not valid JSON: ${(err as Error).message}`, genericFix);
  }
}
