/**
 * Loading the runs a comparison or an export reads: a results directory (or its results.json)
 * through reports/json.ts, so every schema version this build reads is accepted and every
 * error names the file. Errors here are usage errors: exit code 2.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HintbenchError } from '../../core/errors.ts';
import type { RunResult } from '../../core/types.ts';
import { RESULTS_FILE_NAME, readResultsJson } from '../json.ts';
import { resultsDirOf } from '../write.ts';

/** Exit code of a command given input it cannot use. */
export const USAGE_EXIT_CODE = 2;

/** A run read from disk, with the directory it came from. */
export interface LoadedRun {
  /** Absolute path of the results directory. */
  dir: string;
  /** The validated results (migrated to the current schema when written under an older one). */
  run: RunResult;
  /** The schemaVersion the file was written with, before any migration. */
  fileSchemaVersion: number;
}

/** The same error with exit code 2 (a HintbenchError keeps its message and fix). */
export function asUsageError(err: unknown): unknown {
  if (err instanceof HintbenchError) return new HintbenchError(err.message, err.fix, { cause: err.cause ?? err, exitCode: USAGE_EXIT_CODE });
  return err;
}

/**
 * Reads the run of a results directory (or of the path of its results.json). A directory
 * without results.json, a damaged file or an unknown schemaVersion is a one-line
 * HintbenchError with exit code 2 naming the path.
 */
export function loadRun(target: string): LoadedRun {
  try {
    const dir = resultsDirOf(target);
    const path = join(dir, RESULTS_FILE_NAME);
    try {
      const run = readResultsJson(path);
      // Validated above, so the file parses and holds a supported schemaVersion.
      const fileSchemaVersion = Number((JSON.parse(readFileSync(path, 'utf8')) as { schemaVersion: unknown }).schemaVersion);
      return { dir, run, fileSchemaVersion };
    } catch (err) {
      if (err instanceof HintbenchError && (err.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
        throw new HintbenchError(`${dir} holds no ${RESULTS_FILE_NAME}`, 'pass a directory written by `hintbench run` (it holds results.json)', { cause: err });
      }
      throw err;
    }
  } catch (err) {
    throw asUsageError(err);
  }
}

/**
 * Throws (exit 2) unless every run has the schemaVersion of the first: runs written under
 * different schemas do not hold the same fields with the same meaning.
 */
export function checkSameSchemaVersion(runs: readonly LoadedRun[]): void {
  const first = runs[0];
  if (first === undefined) return;
  for (const other of runs.slice(1)) {
    if (other.fileSchemaVersion !== first.fileSchemaVersion) {
      throw new HintbenchError(
        `${other.dir} has results schemaVersion ${other.fileSchemaVersion}, ${first.dir} has ${first.fileSchemaVersion}`,
        'compare runs written under one results schema: rerun the older suite with this hintbench',
        { exitCode: USAGE_EXIT_CODE },
      );
    }
  }
}
