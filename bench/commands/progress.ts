/**
 * Progress of a run on stderr. On a terminal the sample just finished is shown on one live
 * line that is rewritten in place (with elapsed time and ETA), and each block leaves one line
 * behind. Elsewhere (a pipe, a CI log) every line is printed plainly, one per finished
 * repetition and one per block, so a log shows every repetition the run reported as finished
 * (results.json holds each of them). `quiet` prints nothing.
 */

/** Where the progress goes: stderr, or a stand-in in tests. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Prints progress lines of a run. */
export class ProgressPrinter {
  private live = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly opts: { quiet?: boolean } = {},
  ) {}

  /** One progress line of the runner (ProgressFn). */
  line(text: string, kind: 'step' | 'block' | 'note'): void {
    if (this.opts.quiet === true) return;
    if (this.stream.isTTY === true) {
      const width = Math.max(20, (this.stream.columns ?? 100) - 1);
      const shown = text.length > width ? `${text.slice(0, width - 1)}…` : text;
      if (kind === 'step') {
        this.stream.write(`\r\x1b[K${shown}`);
        this.live = true;
        return;
      }
      this.stream.write(`${this.live ? '\r\x1b[K' : ''}${kind === 'block' ? shown : text}\n`);
      this.live = false;
      return;
    }
    this.stream.write(`${text}\n`);
  }

  /** Ends a live line left on the terminal. */
  end(): void {
    if (this.live) this.stream.write('\r\x1b[K');
    this.live = false;
  }
}
