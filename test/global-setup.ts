/**
 * Prepares the host once for the whole test run, like `hintbench run` does: as root it
 * installs bpftrace when missing, creates a zram swap device when there is no swap and
 * mounts tracefs, then undoes exactly that when the run ends. Without root it changes
 * nothing (integration tests then skip outside CI, and fail under CI=true).
 */
import { setupHost, teardownHost } from '../bench/host/setup.ts';

const log = (line: string): void => {
  process.stderr.write(`[test host] ${line}\n`);
};

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (process.getuid?.() !== 0) {
    log('not root: host left as it is (integration tests need root)');
    return async () => {};
  }
  const changes = await setupHost({ log });
  return async () => {
    if (changes.lines.length > 0) await teardownHost({ log });
  };
}
