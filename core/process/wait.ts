/** Waiting for a condition that can be observed (a file's content, a process state), never for a fixed time. */

/** Options of waitUntil(). */
export interface WaitOptions {
  /** Longest wait, in ms. */
  timeoutMs: number;
  /** Pause between checks, in ms; default 2. */
  intervalMs?: number;
  /** Called before every pause (e.g. to provoke the event waited for). */
  poke?: () => void;
}

/** Checks `done` until it holds (resolves true) or `timeoutMs` passes (resolves false after a last check). */
export async function waitUntil(done: () => boolean, opts: WaitOptions): Promise<boolean> {
  const deadline = Date.now() + opts.timeoutMs;
  const intervalMs = opts.intervalMs ?? 2;
  for (;;) {
    if (done()) return true;
    if (Date.now() > deadline) return false;
    opts.poke?.();
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
