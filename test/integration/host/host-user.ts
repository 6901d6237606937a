/**
 * A stand-in for a run that uses the prepared host: sets up (registering itself as a user of
 * the state file in argv[2]), prints what setup did as one JSON line, and on the stdin line
 * `release` releases the host, prints what that did and exits.
 */
import { createInterface } from 'node:readline';
import { releaseHost, setupHost } from '../../../bench/host/setup.ts';

const statePath = process.argv[2];
const label = process.argv[3] ?? 'host user';
if (statePath === undefined) throw new Error('usage: host-user.ts STATE_PATH [LABEL]');
const changes = await setupHost({ log: () => undefined, statePath, forceZram: true, compressor: 'lz4', swapSizeBytes: 64 * 2 ** 20, userLabel: label });
process.stdout.write(`${JSON.stringify({ lines: changes.lines, reused: changes.reused, device: changes.state.zram?.device ?? null })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() !== 'release') continue;
  const r = await releaseHost({ statePath });
  process.stdout.write(`${JSON.stringify({ undone: r.undone, otherUsers: r.otherUsers.map((u) => u.pid), kept: r.kept })}\n`);
  process.exit(0);
}
