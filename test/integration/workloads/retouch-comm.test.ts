/**
 * The workload renames its thread to RETOUCH_COMM while it re-touches its memory, so a probe
 * keyed by (pid, comm) can tell the re-touch phase's major faults from any other. Checked
 * with refaults.bt in a probe session (which starts the work only once every probe is
 * attached: bpftrace 0.17 prints `attached_probes` before it attaches them).
 */
import { describe, expect, it } from 'vitest';
import { ADVICE_VALUE } from '../../../core/sys/syscall.ts';
import { closeFd, pidfdOpen } from '../../../core/sys/pidfd.ts';
import { processMadviseAll } from '../../../core/sys/process-madvise.ts';
import { startProbeSession, type ProbeReport } from '../../../bpf/session.ts';
import { majorFaultsOf } from '../../../core/attribution.ts';
import { spawnWorkload } from '../../../workloads/client.ts';
import { IDLE_COMM, RETOUCH_COMM } from '../../../workloads/protocol.ts';
import { canRun } from '../../helpers/prereq.ts';

const run = canRun('re-touch comm seen by bpftrace', { root: true, bpftrace: true, swap: true, tracefs: true });

describe.skipIf(!run)('RETOUCH_COMM', () => {
  it('lets a probe keyed by (pid, comm) count exactly the re-touch phase major faults', async () => {
    const w = await spawnWorkload({ kind: 'anon', content: 'random', sizeMiB: 32, vmas: 2 });
    let report: ProbeReport | null = null;
    try {
      const session = await startProbeSession({ scripts: ['refaults'] });
      let t: Awaited<ReturnType<typeof w.retouch>>;
      try {
        const pidfd = pidfdOpen(w.pid);
        try {
          expect(processMadviseAll(pidfd, w.regions, ADVICE_VALUE.pageout).error).toBeNull();
        } finally {
          closeFd(pidfd);
        }
        t = await w.retouch();
        expect((await w.verify()).intact).toBe(true);
      } finally {
        report = await session.stop();
      }
      expect(report.warnings).toEqual([]);
      expect(t.majorFaults).toBeGreaterThanOrEqual(0.98 * t.pages);
      expect(majorFaultsOf(report, w.pid, RETOUCH_COMM)).toBe(t.majorFaults);
      expect(majorFaultsOf(report, w.pid, IDLE_COMM)).toBeLessThanOrEqual(0.02 * t.pages);
    } finally {
      await w.kill();
    }
  });
});
