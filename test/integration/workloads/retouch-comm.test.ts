import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ADVICE_VALUE } from '../../../bench/types.ts';
import { closeFd, pidfdOpen } from '../../../bench/sys/pidfd.ts';
import { processMadviseAll } from '../../../bench/sys/process-madvise.ts';
import { spawnWorkload } from '../../../workloads/client.ts';
import { IDLE_COMM, RETOUCH_COMM } from '../../../workloads/protocol.ts';
import { canRun } from '../../helpers/prereq.ts';

const run = canRun('re-touch comm seen by bpftrace', { root: true, bpftrace: true, swap: true });

describe.skipIf(!run)('RETOUCH_COMM', () => {
  it('lets a probe keyed by (pid, comm) count exactly the re-touch phase major faults', async () => {
    const w = await spawnWorkload({ kind: 'anon', content: 'random', sizeMiB: 32, vmas: 2 });
    const bt = spawn('bpftrace', ['-f', 'json', '-e', `software:major-faults:1 /pid == ${w.pid}/ { @[comm] = count(); }`], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      bt.stdout.setEncoding('utf8');
      await new Promise<void>((resolve, reject) => {
        bt.stdout.on('data', (s: string) => {
          out += s;
          if (out.includes('"attached_probes"')) resolve();
        });
        bt.once('exit', (code) => reject(new Error(`bpftrace exited with ${code} before attaching`)));
      });
      const pidfd = pidfdOpen(w.pid);
      try {
        expect(processMadviseAll(pidfd, w.regions, ADVICE_VALUE.pageout).error).toBeNull();
      } finally {
        closeFd(pidfd);
      }
      const t = await w.retouch();
      expect((await w.verify()).intact).toBe(true);
      const exited = new Promise((r) => bt.once('exit', r));
      bt.kill('SIGINT');
      await exited;
      const map = out.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { type: string; data: Record<string, Record<string, number>> })
        .find((m) => m.type === 'map');
      const byComm = map?.data['@'] ?? {};
      expect(t.majorFaults).toBeGreaterThanOrEqual(0.98 * t.pages);
      expect(byComm[RETOUCH_COMM]).toBe(t.majorFaults);
      expect(byComm[IDLE_COMM] ?? 0).toBeLessThanOrEqual(0.02 * t.pages);
    } finally {
      if (bt.exitCode === null && bt.signalCode === null) bt.kill('SIGKILL');
      await w.kill();
    }
  });
});
