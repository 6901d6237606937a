/**
 * results.json: written atomically through OutputDir (an exclusive temporary file, flushed and
 * renamed over the old one, so the file is whole at every instant and a symlink planted under
 * its name is replaced, never followed) and read back with validation that names the file and
 * the offending field. The schema is documented in docs/results-schema.md.
 */
import { join } from 'node:path';
import { HintbenchError } from '../core/errors.ts';
import type {
  Environment,
  RunResult,
  Sample,
  Scenario,
  ScenarioResult,
  Summary,
  SwapDevice,
} from '../core/types.ts';
import { OutputDir, readFileNoFollow } from './output-dir.ts';

/** Schema versions this build can read. */
export const SUPPORTED_SCHEMA_VERSIONS: readonly number[] = [1];

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

/** A schema violation found while validating; turned into a HintbenchError naming the file. */
class SchemaViolation extends Error {}

/** A validator: throws SchemaViolation naming `at` when `value` does not fit. */
type Check = (value: unknown, at: string) => void;

/** Short rendering of a wrong value for error messages. */
function shown(value: unknown): string {
  if (value === undefined) return 'nothing (field missing)';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function fail(at: string, expected: string, value: unknown): never {
  throw new SchemaViolation(`field ${at} must be ${expected}, got ${shown(value)}`);
}

const num: Check = (v, at) => { if (typeof v !== 'number' || !Number.isFinite(v)) fail(at, 'a finite number', v); };
const str: Check = (v, at) => { if (typeof v !== 'string') fail(at, 'a string', v); };
const bool: Check = (v, at) => { if (typeof v !== 'boolean') fail(at, 'true or false', v); };

function nullable(check: Check, what: string): Check {
  return (v, at) => {
    if (v === null) return;
    try { check(v, at); } catch (e) { if (e instanceof SchemaViolation) fail(at, `${what} or null`, v); throw e; }
  };
}
const numOrNull = nullable(num, 'a finite number');
const strOrNull = nullable(str, 'a string');

function oneOf(values: readonly string[]): Check {
  return (v, at) => { if (typeof v !== 'string' || !values.includes(v)) fail(at, `one of ${values.join(', ')}`, v); };
}

function arrayOf(check: Check): Check {
  return (v, at) => {
    if (!Array.isArray(v)) fail(at, 'an array', v);
    v.forEach((item, i) => check(item, `${at}[${i}]`));
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Object validator; the Record type makes the compiler demand a check for every field. */
function object<T>(fields: Readonly<Record<keyof T, Check>>): Check {
  return (v, at) => {
    if (!isObject(v)) fail(at, 'an object', v);
    for (const [name, check] of Object.entries(fields) as [string, Check][]) {
      check(v[name], at === '' ? name : `${at}.${name}`);
    }
  };
}

function recordOf(check: Check): Check {
  return (v, at) => {
    if (!isObject(v)) fail(at, 'an object', v);
    for (const [k, item] of Object.entries(v)) check(item, `${at}.${k}`);
  };
}

const swapDevice = object<SwapDevice>({
  name: str, type: str, sizeBytes: num, usedBytes: num, priority: num, zramCompressor: strOrNull,
});

const environment = object<Environment>({
  hostname: str, kernelRelease: str, arch: str, pageSizeBytes: num, cpuModel: str, cpuCount: num,
  memTotalBytes: num, swapDevices: arrayOf(swapDevice), thpMode: str, cgroupMemory: str,
  nodeVersion: str, bpftraceVersion: strOrNull, hintbenchVersion: str, backgroundReclaimers: arrayOf(str),
});

const scenario = object<Scenario>({
  id: str,
  mechanism: oneOf(['process_madvise', 'ptrace', 'none']),
  advice: oneOf(['cold', 'pageout', 'none']),
  memory: object<Scenario['memory']>({
    kind: oneOf(['anon']), content: oneOf(['zero', 'random', 'mixed']), sizeMiB: num, vmas: num,
  }),
  targetState: oneOf(['running', 'sleeping', 'stopped', 'frozen']),
  repetitions: num,
});

const sample = object<Sample>({
  repetition: num, pid: num, userLatencyNs: numOrNull, kernelLatencyNs: numOrNull, syscalls: num, probeSyscalls: numOrNull,
  bytesRequested: num, bytesAdvised: num, reclaimedPages: numOrNull, rssBeforeBytes: num,
  rssAfterBytes: num, swapBeforeBytes: num, swapAfterBytes: num, pswpoutDeltaPages: num,
  pswpinDeltaPages: num, retouchNs: num, retouchMajorFaults: num, retouchMajorFaultsProbe: numOrNull,
  stallNs: numOrNull, injectorStopNs: numOrNull, callerCpuNs: numOrNull, targetCpuNs: numOrNull, targetEintr: num,
  dataIntact: bool, errors: arrayOf(str),
});

const summary = object<Summary>({
  n: num, median: num, min: num, max: num, mean: num, stddev: num, p99: num, spread: num, relSpread: num,
});

const scenarioResult = object<ScenarioResult>({
  scenario,
  status: oneOf(['ok', 'partial', 'failed', 'interrupted']),
  error: strOrNull,
  samples: arrayOf(sample),
  summary: recordOf(summary),
  warnings: arrayOf(str),
});

const runResult = object<RunResult>({
  schemaVersion: num,
  suite: str,
  startedAt: str,
  finishedAt: strOrNull,
  environment,
  hostChanges: arrayOf(str),
  scenarios: arrayOf(scenarioResult),
});

/**
 * Validate parsed JSON as a RunResult. `source` names where it came from (a file path) for
 * error messages. Throws HintbenchError naming the source and the first wrong field.
 */
export function validateRunResult(value: unknown, source: string): RunResult {
  if (isObject(value) && typeof value.schemaVersion === 'number' && !SUPPORTED_SCHEMA_VERSIONS.includes(value.schemaVersion)) {
    throw new HintbenchError(
      `${source}: schemaVersion ${value.schemaVersion} is not known to this hintbench (it reads ${SUPPORTED_SCHEMA_VERSIONS.join(', ')})`,
      'use the hintbench version that wrote these results, or rerun the suite with this one',
    );
  }
  try {
    runResult(value, '');
  } catch (e) {
    if (e instanceof SchemaViolation) {
      throw new HintbenchError(
        `${source} is not a valid results file: ${e.message}`,
        'regenerate it with `hintbench run`, or fix that field by hand (see docs/results-schema.md)',
      );
    }
    throw e;
  }
  return value as RunResult;
}

/**
 * Read and validate a results.json file. A symlink in its last component is refused (so
 * hintbench run as root never reads a file another user's link points at). Errors name the
 * file and, for schema errors, the field.
 */
export function readResultsJson(path: string): RunResult {
  return parseResultsText(readResultsText(() => readFileNoFollow(path), path), path);
}

/** Read and validate results.json of an OutputDir (same rules as readResultsJson). */
export function readResultsJsonIn(dir: OutputDir): RunResult {
  const path = dir.pathOf(RESULTS_FILE_NAME);
  return parseResultsText(readResultsText(() => dir.read(RESULTS_FILE_NAME), path), path);
}

function readResultsText(read: () => string, path: string): string {
  try {
    return read();
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const what =
      code === 'ENOENT' ? `results file ${path} does not exist`
        : code === 'ELOOP' ? `results file ${path} is a symbolic link, which hintbench does not follow`
          : code === 'EINVAL' ? `results file ${path} is not a regular file`
            : `cannot read results file ${path}: ${(cause as Error).message}`;
    throw new HintbenchError(what, 'pass a results directory written by `hintbench run` (it holds results.json)', { cause });
  }
}

function parseResultsText(text: string, path: string): RunResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new HintbenchError(
      `${path} is not valid JSON: ${(cause as Error).message}`,
      'the file is damaged; rerun the suite to regenerate it',
      { cause },
    );
  }
  return validateRunResult(parsed, path);
}
