/**
 * Prepares the host once for the whole test run, like `hintbench run` does: as root it
 * installs bpftrace when missing, creates a zram swap device when there is no swap and
 * mounts tracefs, registering the test run as a user of that preparation; when the run ends
 * it releases it, which undoes it only when no other run or test run still uses it and it
 * is not kept by `hintbench setup`. Without root it changes nothing (integration tests then
 * skip outside CI, and fail under CI=true).
 */
import { releaseHost, setupHost } from '../bench/host/setup.ts';
import { isRoot } from '../core/process/privileges.ts';

const log = (line: string): void => {
  process.stderr.write(`[test host] ${line}\n`);
};

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!isRoot()) {
    log('not root: host left as it is (integration tests need root)');
    return async () => {};
  }
  await setupHost({ log, userLabel: 'hintbench test run' });
  return async () => {
    await releaseHost({ log });
  };
}
