/** The system C compiler: finding it, and compiling one C file into a temporary directory. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { findExecutable } from './command.ts';

/** Compilers tried, in this order. */
const C_COMPILERS = ['cc', 'gcc', 'clang'];

/** Name of the C compiler found on PATH (cc, gcc or clang), or null. */
export function findCCompiler(): string | null {
  return C_COMPILERS.find((cc) => findExecutable(cc) !== null) ?? null;
}

/** An executable compiled into a temporary directory of its own. */
export interface CBuild {
  /** Path of the executable. */
  path: string;
  /** Deletes the directory and the executable. */
  remove(): void;
}

/**
 * Compiles the C file `sourcePath` with `cc` and `flags` (e.g. `-O2`, `-pthread`) into a new
 * temporary directory; the executable is named after the source. Throws an Error carrying the
 * compiler's message on failure (the directory is removed then).
 */
export function compileC(cc: string, sourcePath: string, flags: readonly string[]): CBuild {
  const dir = mkdtempSync(join(tmpdir(), 'hintbench-cc-'));
  const path = join(dir, basename(sourcePath).replace(/\.c$/, ''));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    execFileSync(cc, [...flags, '-o', path, sourcePath], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    remove();
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim() ?? '';
    throw new Error(`${cc} could not build ${sourcePath}: ${stderr || (err as Error).message}`);
  }
  return { path, remove };
}
