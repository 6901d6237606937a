/**
 * Suites from JSON files: the same axes as the built-in suites (see docs/suites.md), checked
 * against the suite file schema (core/schema/suite-file.ts) so that a mistake names the file
 * and the field and says what is allowed.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { HintbenchError } from '../../core/errors.ts';
import { SUITE_NAME_PATTERN, SuiteFileSchema } from '../../core/schema/suite-file.ts';
import { SchemaViolation, check, parseJson } from '../../core/schema/validate.ts';
import type { Suite } from '../../core/types.ts';
import { expandMatrix } from './matrix.ts';
import { raceScenarios } from './claims-race.ts';

export { MAX_REPETITIONS } from '../../core/schema/suite-file.ts';

/** Parses the text of a suite file and expands its matrix. `file` is used in error messages. */
export function parseSuiteFile(text: string, file: string): Suite {
  let raw: unknown;
  try {
    raw = parseJson(text, 'fix the JSON syntax (see docs/suites.md for an example)');
    const parsed = check(SuiteFileSchema, raw, 'see docs/suites.md for the format');
    const { name = basename(file).replace(/\.json$/i, ''), description = `suite file ${basename(file)}`, memories, race, ...axes } = parsed;
    if (memories === undefined && race === undefined)
      throw new SchemaViolation(
        'memories',
        'field memories is missing: a suite file needs memories, race, or both',
        'give memories, e.g. [{"sizeMiB": 64}], or a race block, e.g. {"race": {}}',
      );
    if (!SUITE_NAME_PATTERN.test(name)) {
      throw new SchemaViolation(
        'name',
        `file name ${JSON.stringify(name)} cannot name the suite: it must be letters, digits, dot, dash and underscore (at most 64)`,
        'rename the file, or give a "name" field',
      );
    }
    const hint = memories === undefined ? [] : expandMatrix({ ...axes, memories });
    const races = race === undefined ? [] : raceScenarios({ ...race, mechanisms: axes.mechanisms, advices: axes.advices, repetitions: axes.repetitions });
    return { name, description, scenarios: [...hint, ...races] };
  } catch (err) {
    if (!(err instanceof SchemaViolation)) throw err;
    const where = err.path === '' && raw === undefined ? ` is ${err.message}` : `: ${err.message}`;
    throw new HintbenchError(`suite file ${file}${where}`, err.fix, { cause: err });
  }
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
