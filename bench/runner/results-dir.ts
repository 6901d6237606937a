/**
 * Claiming the directory a run writes into, before anything else happens (host set-up,
 * probes, workloads), so that a bad `--out` is a one-line error and two runs never share a
 * directory.
 *
 * - Without `--out`: `<root>/<UTC time>-<suite>` is created with an exclusive mkdir; when
 *   that name is taken (another run started in the same second), `-2`, `-3`, ... is appended.
 * - With `--out DIR`: DIR must not exist (it is created, parents too) or be an empty
 *   directory owned by the current user; `--force` accepts any existing directory. A symlink,
 *   a file, or a directory that cannot be written into is refused whatever the flags.
 *
 * The directory is returned pinned as an OutputDir (reports/output-dir.ts), so every later
 * write creates its files exclusively and never follows a link planted in it.
 */
import { lstatSync, mkdirSync, readFileSync, readlinkSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { OutputDir } from '../../reports/output-dir.ts';
import { HintbenchError } from '../../core/errors.ts';

/** Mode of directories hintbench creates. */
export const RESULT_DIR_MODE = 0o755;
/** Most `-N` suffixes tried before giving up on a results directory name. */
const MAX_NAME_SUFFIX = 1000;
/** Name of the empty file written and removed to prove a directory is writable. */
const WRITE_PROBE_NAME = '.hintbench-write-check';

/** Options of claimResultsDir(). */
export interface ClaimOptions {
  /** `--out`: the exact directory to write into. */
  out?: string;
  /** `--force`: accept an existing `--out` directory that is not empty or not the user's own. */
  force?: boolean;
  /** Parent of generated directory names; default `results` under the working directory. */
  root?: string;
  /** Suite name (part of the generated name). */
  suite: string;
  /** Start of the run (part of the generated name). */
  date: Date;
}

/** A results directory claimed for one run. */
export interface ClaimedDir {
  /** The pinned directory. */
  dir: OutputDir;
  /** Whether this run created it (releaseResultsDir then removes it while it is empty). */
  created: boolean;
}

/** `2026-11-25T17-40-12Z`: a UTC time usable in a directory name. */
export function utcStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');
}

/** The effective uid of this process. */
function myUid(): number {
  return process.geteuid?.() ?? process.getuid?.() ?? 0;
}

/** `uid 65534 (nobody)`, the name taken from /etc/passwd when it is there. */
function describeUid(uid: number): string {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.split(':')[2] === String(uid));
    const name = line?.split(':')[0];
    if (name !== undefined && name !== '') return `uid ${uid} (${name})`;
  } catch {
    // no passwd file: the number alone
  }
  return `uid ${uid}`;
}

/** What an errno means for a directory the user wants results in. */
function explainErrno(code: string | undefined): string {
  switch (code) {
    case 'EPERM':
      return 'operation not permitted (an immutable directory, or a filesystem that refuses it)';
    case 'EACCES':
      return 'permission denied';
    case 'EROFS':
      return 'the filesystem is read-only';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'ENOENT':
      return 'the filesystem does not allow creating it (e.g. /proc or /sys)';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a directory';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    case 'ELOOP':
      return 'too many symbolic links in the path';
    default:
      return code ?? 'unknown error';
  }
}

/**
 * Creates the missing directories of `path` one at a time (mode 0755). Node's recursive mkdir
 * retries forever where a filesystem answers ENOENT to mkdir (/proc), so each level is tried once.
 */
function makeDirs(path: string, what: string): void {
  const missing: string[] = [];
  let p = path;
  for (;;) {
    try {
      if (!statSync(p).isDirectory()) throw new HintbenchError(`${what}: ${p} is a file, not a directory`, 'pass a path whose parent directories are directories');
      break;
    } catch (err) {
      if (err instanceof HintbenchError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw new HintbenchError(`${what}: cannot use ${p}: ${explainErrno(code)}`, 'pass a directory you can write to', { cause: err });
      missing.push(p);
      const up = dirname(p);
      if (up === p) break;
      p = up;
    }
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir, { mode: RESULT_DIR_MODE });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && statSync(dir).isDirectory()) continue;
      throw new HintbenchError(`${what}: cannot create ${dir}: ${explainErrno(code)}`, 'pass a directory on a writable filesystem, e.g. under results/ or /tmp', { cause: err });
    }
  }
}

/** Proves `dir` writable by creating and removing an empty file in it. */
function checkWritable(dir: OutputDir, what: string): void {
  try {
    dir.write(WRITE_PROBE_NAME, '');
    dir.remove(WRITE_PROBE_NAME);
  } catch (err) {
    const code = ((err as Error).cause as NodeJS.ErrnoException | undefined)?.code;
    throw new HintbenchError(`${what} is not writable: ${explainErrno(code)}`, 'pass a directory you can write to (check chattr -i, read-only mounts and free space)', {
      cause: err,
    });
  }
}

/** Opens a directory this run just created, checking it is still the one it made. */
function openCreated(path: string, what: string): OutputDir {
  let dir: OutputDir;
  try {
    dir = OutputDir.open(path, { noFollow: true });
  } catch (err) {
    throw new HintbenchError(
      `${what}: ${path} changed right after it was created (${explainErrno((err as NodeJS.ErrnoException).code)})`,
      'make sure no other program writes to that place, then rerun',
      { cause: err },
    );
  }
  if (dir.stat().uid !== myUid()) {
    dir.close();
    throw new HintbenchError(`${what}: ${path} was replaced by another user's directory right after it was created`, 'use a directory only you can write to');
  }
  dir.chmod(RESULT_DIR_MODE); // the umask does not decide it
  return dir;
}

/** Claims an existing `--out` directory after the checks of the module comment. */
function claimExisting(path: string, out: string, force: boolean): ClaimedDir {
  const what = `--out ${out}`;
  const st = lstatSync(path);
  if (st.isSymbolicLink()) {
    let target = '';
    try {
      target = ` (it points to ${resolve(dirname(path), readlinkSync(path))})`;
    } catch {
      /* dangling or unreadable */
    }
    throw new HintbenchError(`${what} is a symbolic link${target}`, 'pass the directory itself, or a new path (hintbench creates the directory)');
  }
  if (!st.isDirectory()) throw new HintbenchError(`${what} is a file, not a directory`, 'pass a new path (hintbench creates the directory) or an existing empty directory');
  let dir: OutputDir;
  try {
    dir = OutputDir.open(path, { noFollow: true });
  } catch (err) {
    throw new HintbenchError(`${what} cannot be opened: ${explainErrno((err as NodeJS.ErrnoException).code)}`, 'pass a directory you can read and write', { cause: err });
  }
  try {
    const owner = dir.stat().uid;
    if (owner !== myUid() && !force) {
      throw new HintbenchError(
        `${what} belongs to ${describeUid(owner)}, not to you (${describeUid(myUid())})`,
        'pass a new path or an empty directory you own; --force writes into it anyway (hintbench never follows links in it)',
      );
    }
    const entries = dir.entries();
    if (entries.length > 0 && !force) {
      const shown = entries.slice(0, 3).join(', ');
      throw new HintbenchError(
        `${what} is not empty (${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}: ${shown}${entries.length > 3 ? ', ...' : ''})`,
        "pass a new path or an empty directory, or add --force to replace hintbench's files in it",
      );
    }
    checkWritable(dir, what);
  } catch (err) {
    dir.close();
    throw err;
  }
  return { dir, created: false };
}

/**
 * Claims the directory a run writes into (see the module comment) and returns it pinned.
 * Every refusal is a HintbenchError naming `--out` or the directory and what to do.
 */
export function claimResultsDir(opts: ClaimOptions): ClaimedDir {
  if (opts.out !== undefined) {
    const what = `--out ${opts.out}`;
    if (opts.out.trim() === '') throw new HintbenchError('--out is empty', 'pass a directory path, e.g. --out results/my-run');
    const path = resolve(opts.out);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        lstatSync(path);
        return claimExisting(path, opts.out, opts.force === true);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (err instanceof HintbenchError) throw err;
        if (code !== 'ENOENT') throw new HintbenchError(`${what} cannot be used: ${explainErrno(code)}`, 'pass a directory you can write to', { cause: err });
      }
      makeDirs(dirname(path), what);
      try {
        mkdirSync(path, { mode: RESULT_DIR_MODE });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') continue; // created by someone else meanwhile: check it as an existing one
        throw new HintbenchError(`${what}: cannot create the directory: ${explainErrno(code)}`, 'pass a directory on a writable filesystem, e.g. under results/ or /tmp', {
          cause: err,
        });
      }
      const dir = openCreated(path, what);
      checkWritable(dir, what);
      return { dir, created: true };
    }
    throw new HintbenchError(`${what} appeared and disappeared while hintbench was claiming it`, 'make sure no other program uses that path, then rerun');
  }
  const root = resolve(opts.root ?? 'results');
  const what = `results directory under ${root}`;
  makeDirs(root, what);
  const base = `${utcStamp(opts.date)}-${opts.suite}`;
  for (let n = 1; n <= MAX_NAME_SUFFIX; n++) {
    const path = join(root, n === 1 ? base : `${base}-${n}`);
    try {
      mkdirSync(path, { mode: RESULT_DIR_MODE });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      throw new HintbenchError(`cannot create results directory ${path}: ${explainErrno(code)}`, `make ${root} writable, or pass --out DIR`, { cause: err });
    }
    return { dir: openCreated(path, what), created: true };
  }
  throw new HintbenchError(`${root} already holds ${MAX_NAME_SUFFIX} results directories named ${base}[-N]`, `remove some of them, or pass --out DIR`);
}

/**
 * Lets go of a claimed directory: closes it and, when this run created it and it is still
 * empty (nothing was measured), removes it.
 */
export function releaseResultsDir(claimed: ClaimedDir): void {
  const empty = claimed.dir.entries().length === 0;
  claimed.dir.close();
  if (claimed.created && empty) {
    try {
      rmdirSync(claimed.dir.path);
    } catch {
      // something appeared in it meanwhile: keep it
    }
  }
}
