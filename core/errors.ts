/**
 * An error a user can act on: `message` says what failed (naming the pid, file, field or
 * flag) and `fix` says what to do. The CLI prints both on one line and exits non-zero.
 */
export class HintbenchError extends Error {
  /** What the user should do about it. */
  readonly fix: string;
  /** Process exit code the CLI uses. */
  readonly exitCode: number;

  constructor(message: string, fix: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HintbenchError';
    this.fix = fix;
    this.exitCode = options?.exitCode ?? 1;
  }
}
