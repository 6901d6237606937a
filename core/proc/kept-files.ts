/**
 * Small files read again and again (a thread's /proc stat or cgroup, a cgroup's freezer
 * state) through descriptors kept open: each read is one pread from offset 0, a few us
 * instead of the tens an open + read + close costs. For readers on the ptrace injector's path.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** Descriptor value that marks a file remembered as missing. */
const MISSING = -1;

/** Kept-open descriptors of small files, by path; all are closed once more than `maxOpen` would be open. */
export class KeptFiles {
  private readonly fds = new Map<string, number>();

  /** @param maxOpen descriptors kept at most (beyond that all are closed and reopened on demand) */
  constructor(private readonly maxOpen = 256) {}

  /**
   * Reads `path` from its start into `buf` and returns the bytes read; -1 when it cannot be
   * opened (with `rememberMissing`, it is then taken as missing until forgotten) or read (its
   * descriptor is dropped: the next read opens the file again, e.g. a re-created cgroup).
   */
  read(path: string, buf: Buffer, opts: { rememberMissing?: boolean } = {}): number {
    let fd = this.fds.get(path);
    if (fd === undefined) {
      if (this.fds.size >= this.maxOpen) this.reset();
      try {
        fd = openSync(path, 'r');
      } catch {
        if (opts.rememberMissing === true) this.fds.set(path, MISSING);
        return -1;
      }
      this.fds.set(path, fd);
    }
    if (fd === MISSING) return -1;
    try {
      return readSync(fd, buf, 0, buf.length, 0);
    } catch {
      this.forget(path);
      return -1;
    }
  }

  /** The text of `path` (latin1: /proc and cgroup files are ASCII), or null when it cannot be read (see read()). */
  text(path: string, buf: Buffer, opts: { rememberMissing?: boolean } = {}): string | null {
    const n = this.read(path, buf, opts);
    return n < 0 ? null : buf.toString('latin1', 0, n);
  }

  /** Closes the descriptor kept for `path` (and forgets that it was missing). */
  forget(path: string): void {
    const fd = this.fds.get(path);
    this.fds.delete(path);
    if (fd !== undefined && fd !== MISSING) closeQuietly(fd);
  }

  /** Closes every kept descriptor. */
  reset(): void {
    for (const fd of this.fds.values()) if (fd !== MISSING) closeQuietly(fd);
    this.fds.clear();
  }
}

/** close(2) that ignores an already closed descriptor. */
function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}
