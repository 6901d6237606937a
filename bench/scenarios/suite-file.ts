/**
 * Suites from JSON files: the same axes as the built-in suites (see docs/suites.md), checked
 * field by field so that a mistake names the file and the field and says what is allowed.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { HintbenchError } from '../../core/errors.ts';
import type { Advice, Content, MemorySpec, Suite, TargetState } from '../../core/types.ts';
import { expandMatrix, type Matrix } from './matrix.ts';

const MECHANISMS = ['process_madvise', 'ptrace'] as const;
const ADVICES: readonly Advice[] = ['cold', 'pageout'];
const CONTENTS: readonly Content[] = ['zero', 'random', 'mixed'];
const STATES: readonly TargetState[] = ['running', 'sleeping', 'stopped', 'frozen'];
/** Largest workload a suite may ask for, in MiB (the machine must also have the memory and swap). */
const MAX_SIZE_MIB = 64 * 1024;
/** Most repetitions of one scenario (suite files and --reps). */
export const MAX_REPETITIONS = 10_000;
/** Most VMAs one workload may be split into. */
const MAX_VMAS = 65_000;

type Json = unknown;

/** Reads and checks fields of one JSON object, naming the file and field path in errors. */
class Checker {
  constructor(private readonly file: string) {}

  fail(field: string, problem: string, fix: string): never {
    throw new HintbenchError(`suite file ${this.file}: field ${field} ${problem}`, fix);
  }

  object(v: Json, field: string): Record<string, Json> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(field, `must be an object, got ${JSON.stringify(v)}`, 'see docs/suites.md for the format');
    return v as Record<string, Json>;
  }

  noUnknownKeys(o: Record<string, Json>, field: string, known: readonly string[]): void {
    for (const k of Object.keys(o)) {
      if (!known.includes(k)) this.fail(field === '' ? k : `${field}.${k}`, 'is not a known field', `known fields here: ${known.join(', ')}`);
    }
  }

  string(v: Json, field: string, fallback?: string): string {
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'string' || v.trim() === '') this.fail(field, `must be a non-empty string, got ${JSON.stringify(v)}`, 'give it a text value');
    return v;
  }

  int(v: Json, field: string, min: number, max: number, fallback?: number): number {
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) this.fail(field, `must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`, `e.g. ${min}`);
    return v;
  }

  bool(v: Json, field: string, fallback: boolean): boolean {
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') this.fail(field, `must be true or false, got ${JSON.stringify(v)}`, 'use true or false');
    return v;
  }

  oneOfList<T extends string>(v: Json, field: string, allowed: readonly T[]): T[] {
    if (!Array.isArray(v) || v.length === 0) this.fail(field, `must be a non-empty list, got ${JSON.stringify(v)}`, `e.g. ["${allowed[0]}"]; allowed: ${allowed.join(', ')}`);
    return v.map((x, i) => {
      if (typeof x !== 'string' || !allowed.includes(x as T)) this.fail(`${field}[${i}]`, `is ${JSON.stringify(x)}`, `use one of: ${allowed.join(', ')}`);
      return x as T;
    });
  }
}

/** A suite name usable in a directory name. */
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Parses the text of a suite file. `file` is used in error messages. Each memory entry may
 * give `sizeMiB`, `content` (default random), `vmas` (default 1); `baseline` defaults to
 * true, `targetStates` to ["sleeping"], `repetitions` to 5.
 */
export function parseSuiteFile(text: string, file: string): Suite {
  const c = new Checker(file);
  let raw: Json;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new HintbenchError(`suite file ${file} is not valid JSON: ${(err as Error).message}`, 'fix the JSON syntax (see docs/suites.md for an example)', { cause: err });
  }
  const o = c.object(raw, '(top level)');
  c.noUnknownKeys(o, '', ['name', 'description', 'mechanisms', 'advices', 'memories', 'targetStates', 'baseline', 'repetitions']);
  const name = c.string(o.name, 'name', basename(file).replace(/\.json$/i, ''));
  if (!NAME_RE.test(name)) c.fail('name', `is ${JSON.stringify(name)}`, 'use letters, digits, dot, dash and underscore (at most 64), it names the results directory');
  if (!Array.isArray(o.memories) || o.memories.length === 0) c.fail('memories', `must be a non-empty list, got ${JSON.stringify(o.memories)}`, 'e.g. [{"sizeMiB": 64, "content": "random"}]');
  const memories: MemorySpec[] = (o.memories as Json[]).map((m, i) => {
    const field = `memories[${i}]`;
    const mo = c.object(m, field);
    c.noUnknownKeys(mo, field, ['kind', 'content', 'sizeMiB', 'vmas']);
    if (mo.kind !== undefined && mo.kind !== 'anon') c.fail(`${field}.kind`, `is ${JSON.stringify(mo.kind)}`, 'only "anon" memory is supported so far');
    const content = mo.content === undefined ? 'random' : c.oneOfList([mo.content], `${field}.content`, CONTENTS)[0]!;
    const sizeMiB = c.int(mo.sizeMiB, `${field}.sizeMiB`, 1, MAX_SIZE_MIB);
    const vmas = c.int(mo.vmas, `${field}.vmas`, 1, MAX_VMAS, 1);
    if (vmas > sizeMiB * 256) c.fail(`${field}.vmas`, `is ${vmas}, more than the ${sizeMiB * 256} pages of ${sizeMiB} MiB`, 'use fewer VMAs or more memory');
    return { kind: 'anon', content, sizeMiB, vmas };
  });
  const matrix: Matrix = {
    mechanisms: c.oneOfList(o.mechanisms ?? ['process_madvise'], 'mechanisms', MECHANISMS),
    advices: c.oneOfList(o.advices ?? ['cold', 'pageout'], 'advices', ADVICES),
    memories,
    targetStates: c.oneOfList(o.targetStates ?? ['sleeping'], 'targetStates', STATES),
    baseline: c.bool(o.baseline, 'baseline', true),
    repetitions: c.int(o.repetitions, 'repetitions', 1, MAX_REPETITIONS, 5),
  };
  const description = o.description === undefined ? `suite file ${basename(file)}` : c.string(o.description, 'description');
  return { name, description, scenarios: expandMatrix(matrix) };
}

/** Reads a suite file; a missing or unreadable file is an error naming it. */
export function readSuiteFile(path: string): Suite {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new HintbenchError(`cannot read suite file ${path}: ${(err as Error).message}`, 'check the path, or use a built-in suite (hintbench suites)', { cause: err });
  }
  return parseSuiteFile(text, path);
}
