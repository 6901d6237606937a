/**
 * results.json: written atomically through OutputDir (an exclusive temporary file, flushed and
 * renamed over the old one, so the file is whole at every instant and a symlink planted under
 * its name is replaced, never followed) and read back with validation that names the file and
 * the offending field. The schema is documented in docs/results-schema.md.
 */
import { join } from 'node:path';
import { HintbenchError } from '../core/errors.ts';
import { migrateV1, summariesFromSamples } from '../core/schema/migrate.ts';
import { RunResultSchema, SUPPORTED_SCHEMA_VERSIONS } from '../core/schema/results.ts';
import { SchemaViolation, check } from '../core/schema/validate.ts';
import type { RunResult } from '../core/types.ts';
import { OutputDir, readFileNoFollow } from './output-dir.ts';

/** File name of the results inside a results directory. */
export const RESULTS_FILE_NAME = 'results.json';

/**
 * Write results.json into `dir` (an OutputDir, or the path of an existing directory)
 * atomically and durably. Returns the path written; a failure is a HintbenchError naming it.
 */
export function writeResultsJson(dir: OutputDir | string, run: RunResult): string {
  const text = `${JSON.stringify(run, null, 2)}\n`;
  if (dir instanceof OutputDir) return dir.write(RESULTS_FILE_NAME, text, { durable: true });
  let out: OutputDir;
  try {
    out = OutputDir.open(dir);
  } catch (cause) {
    throw new HintbenchError(
      `cannot write ${join(dir, RESULTS_FILE_NAME)}: ${(cause as Error).message}`,
      `check that ${dir} exists and is writable, and that the disk is not full`,
      { cause },
    );
  }
  try {
    return out.write(RESULTS_FILE_NAME, text, { durable: true });
  } finally {
    out.close();
  }
}

/**
 * Validate parsed JSON as a RunResult (core/schema/results.ts). `source` names where it came
 * from (a file path) for error messages. A version 1 file is migrated to the current version
 * first (core/schema/migrate.ts: samples get warmUp false and block = repetition, summaries
 * are recomputed from the samples). Throws HintbenchError naming the source and the first
 * wrong field.
 */
export function validateRunResult(value: unknown, source: string): RunResult {
  const version = typeof value === 'object' && value !== null ? (value as { schemaVersion?: unknown }).schemaVersion : undefined;
  if (typeof version === 'number' && !SUPPORTED_SCHEMA_VERSIONS.includes(version)) {
    throw new HintbenchError(
      `${source}: schemaVersion ${version} is not known to this hintbench (it reads ${SUPPORTED_SCHEMA_VERSIONS.join(', ')})`,
      'use the hintbench version that wrote these results, or rerun the suite with this one',
    );
  }
  const v1 = version === 1 && typeof value === 'object' && value !== null && !Array.isArray(value);
  try {
    if (v1) return summariesFromSamples(check(RunResultSchema, migrateV1(value as Record<string, unknown>), 'regenerate it with `hintbench run`, or fix that field by hand'));
    return check(RunResultSchema, value, 'regenerate it with `hintbench run`, or fix that field by hand (see docs/results-schema.md)');
  } catch (e) {
    if (e instanceof SchemaViolation) throw new HintbenchError(`${source} is not a valid results file: ${e.message}`, e.fix);
    throw e;
  }
}

/**
 * Read and validate a results.json file. A symlink in its last component is refused (so
 * hintbench run as root never reads a file another user's link points at). Errors name the
 * file and, for schema errors, the field.
 */
export function readResultsJson(path: string): RunResult {
  return parseResultsText(
    readResultsText(() => readFileNoFollow(path), path),
    path,
  );
}

/** Read and validate results.json of an OutputDir (same rules as readResultsJson). */
export function readResultsJsonIn(dir: OutputDir): RunResult {
  const path = dir.pathOf(RESULTS_FILE_NAME);
  return parseResultsText(
    readResultsText(() => dir.read(RESULTS_FILE_NAME), path),
    path,
  );
}

function readResultsText(read: () => string, path: string): string {
  try {
    return read();
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const what =
      code === 'ENOENT'
        ? `results file ${path} does not exist`
        : code === 'ELOOP'
          ? `results file ${path} is a symbolic link, which hintbench does not follow`
          : code === 'EINVAL'
            ? `results file ${path} is not a regular file`
            : `cannot read results file ${path}: ${(cause as Error).message}`;
    throw new HintbenchError(what, 'pass a results directory written by `hintbench run` (it holds results.json)', { cause });
  }
}

function parseResultsText(text: string, path: string): RunResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new HintbenchError(`${path} is not valid JSON: ${(cause as Error).message}`, 'the file is damaged; rerun the suite to regenerate it', { cause });
  }
  return validateRunResult(parsed, path);
}
