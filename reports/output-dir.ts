/**
 * A results directory pinned by an open file descriptor, and the only way hintbench writes
 * into one. Every file is written to a fresh temporary file created with
 * O_CREAT | O_EXCL | O_NOFOLLOW and mode 0644, then renamed over its final name: a symlink or
 * hard link planted under that name is replaced, never written through, and no file someone
 * else created is ever reused. Paths go through /proc/self/fd/<fd>, so renaming the directory,
 * or swapping it or one of its parents for a symlink while hintbench writes, changes nothing.
 * Reads open with O_NOFOLLOW as well.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fchmodSync, fstatSync, fsyncSync, openSync, readFileSync, readdirSync, renameSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { HintbenchError } from '../core/errors.ts';

/** Mode of every file hintbench writes into a results directory. */
export const RESULT_FILE_MODE = 0o644;

const OPEN_DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY;
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
/** O_NONBLOCK so that a FIFO planted under a file's name cannot block the open. */
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * Reads a file as UTF-8, refusing a symlink in its last component (ELOOP) and anything but a
 * regular file. Throws the raw errno error (ENOENT, ELOOP, EACCES) or, for a directory, FIFO
 * or device, an Error with code EINVAL naming `shownPath`.
 */
export function readFileNoFollow(path: string, shownPath = path): string {
  const fd = openSync(path, READ_FLAGS);
  try {
    if (!fstatSync(fd).isFile()) throw Object.assign(new Error(`${shownPath} is not a regular file`), { code: 'EINVAL' });
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** Options of OutputDir.write(). */
export interface WriteOptions {
  /** fsync the file before the rename and the directory after it (results.json). */
  durable?: boolean;
  /** What the user should do when the write fails. */
  fix?: string;
}

/** A directory hintbench writes result files into; see the module comment. */
export class OutputDir {
  /** The directory's path as the user gave it (resolved), used in messages and returned paths. */
  readonly path: string;
  private fd: number;

  private constructor(path: string, fd: number) {
    this.path = path;
    this.fd = fd;
  }

  /**
   * Opens and pins the directory at `path`. With `noFollow` a symlink at `path` itself is
   * refused (ELOOP). Throws the raw errno error (ENOENT, ENOTDIR, ELOOP, EACCES): callers
   * know which message fits.
   */
  static open(path: string, opts: { noFollow?: boolean } = {}): OutputDir {
    const fd = openSync(path, OPEN_DIR_FLAGS | (opts.noFollow === true ? constants.O_NOFOLLOW : 0));
    return new OutputDir(path, fd);
  }

  /** The pinned path of `name` inside the directory (what the kernel resolves). */
  private pinned(name: string): string {
    if (this.fd < 0) throw new Error(`results directory ${this.path} is closed`);
    if (name === '' || name.includes('/') || name === '.' || name === '..') throw new Error(`not a file name: ${JSON.stringify(name)}`);
    return `/proc/self/fd/${this.fd}/${name}`;
  }

  /** Sets the directory's own mode bits. */
  chmod(mode: number): void {
    fchmodSync(this.fd, mode);
  }

  /** fstat of the directory itself (owner, mode). */
  stat(): Stats {
    return fstatSync(this.fd);
  }

  /** Names of the entries in the directory. */
  entries(): string[] {
    return readdirSync(`/proc/self/fd/${this.fd}`);
  }

  /** The user-facing path of `name` in this directory. */
  pathOf(name: string): string {
    return join(this.path, name);
  }

  /**
   * Writes `data` as `name`: a new temporary file (exclusive, no symlink followed, mode 0644),
   * renamed over the old name. Returns the user-facing path. Throws a HintbenchError naming
   * the file; nothing is left behind on failure.
   */
  write(name: string, data: string | Uint8Array, opts: WriteOptions = {}): string {
    const target = this.pinned(name);
    const tmp = this.pinned(`.${name}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
    let fd = -1;
    try {
      fd = openSync(tmp, CREATE_FLAGS, RESULT_FILE_MODE);
      fchmodSync(fd, RESULT_FILE_MODE); // the umask does not decide it
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      if (opts.durable === true) fsyncSync(fd);
      closeSync(fd);
      fd = -1;
      renameSync(tmp, target);
      if (opts.durable === true) fsyncSync(this.fd);
    } catch (cause) {
      if (fd >= 0) closeSync(fd);
      try {
        unlinkSync(tmp);
      } catch {
        /* not created, or already renamed */
      }
      throw new HintbenchError(
        `cannot write ${this.pathOf(name)}: ${(cause as Error).message.replaceAll(`/proc/self/fd/${this.fd}`, this.path)}`,
        opts.fix ?? `check that ${this.path} is writable and the disk is not full`,
        { cause },
      );
    }
    return this.pathOf(name);
  }

  /** Reads `name` as UTF-8 with readFileNoFollow(). */
  read(name: string): string {
    return readFileNoFollow(this.pinned(name), this.pathOf(name));
  }

  /** Removes `name` if it exists (no error when it does not). */
  remove(name: string): void {
    try {
      unlinkSync(this.pinned(name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  /** Closes the descriptor; later calls fail. Idempotent. */
  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
