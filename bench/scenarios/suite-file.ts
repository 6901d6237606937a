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
import { fleetScenarios } from './claims-fleet.ts';
import { VECTORED_MODE_BY_NAME, vectoredScenarios } from './claims-vectored.ts';
import { expandMatrix } from './matrix.ts';
import { raceScenarios } from './claims-race.ts';
import { expandPressure } from './pressure.ts';

export { MAX_REPETITIONS } from '../../core/schema/suite-file.ts';

/** Parses the text of a suite file and expands its matrix. `file` is used in error messages. */
export function parseSuiteFile(text: string, file: string): Suite {
  let raw: unknown;
  try {
    raw = parseJson(text, 'fix the JSON syntax (see docs/suites.md for an example)');
    const parsed = check(SuiteFileSchema, raw, 'see docs/suites.md for the format');
    const { name = basename(file).replace(/\.json$/i, ''), description = `suite file ${basename(file)}`, memories = [], fleets = [], vectored, race, pressure, ...axes } = parsed;
    if (!SUITE_NAME_PATTERN.test(name)) {
      throw new SchemaViolation(
        'name',
        `file name ${JSON.stringify(name)} cannot name the suite: it must be letters, digits, dot, dash and underscore (at most 64)`,
        'rename the file, or give a "name" field',
      );
    }
    const reps = (r: number | undefined): number => r ?? axes.repetitions;
    let pressureScenarios: Suite['scenarios'] = [];
    if (pressure !== undefined) {
      const { limitMiB = null, balloonLimitMiB = null, balloonMiB = null, ...rest } = pressure;
      try {
        pressureScenarios = expandPressure({ ...rest, limitMiB, balloonLimitMiB, balloonMiB, repetitions: axes.repetitions });
      } catch (err) {
        // The sizes are checked against each other: the message names the field already.
        if (err instanceof HintbenchError) throw new SchemaViolation('', err.message, err.fix);
        throw err;
      }
    }
    const scenarios = [
      ...expandMatrix({ ...axes, memories }),
      ...fleets.flatMap(({ repetitions, ...f }) => fleetScenarios({ ...f, repetitions: reps(repetitions) })),
      ...(vectored === undefined ? [] : vectoredScenarios({ ...vectored, modes: vectored.modes.map((m) => VECTORED_MODE_BY_NAME[m]), repetitions: reps(vectored.repetitions) })),
      ...(race === undefined ? [] : raceScenarios({ ...race, mechanisms: axes.mechanisms, advices: axes.advices, repetitions: axes.repetitions })),
      ...pressureScenarios,
    ];
    return { name, description, scenarios };
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
