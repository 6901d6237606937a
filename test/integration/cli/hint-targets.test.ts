/**
 * `hintbench hint` on awkward targets, with both mechanisms: a zombie, a process whose main
 * thread has exited, and a thread id given as --pid. Each is refused with what happened, or
 * resolved the same way by both mechanisms and said so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRun } from '../../helpers/prereq.ts';
import { cli, errorLines, startLiveTarget, type LiveTargetProcess } from './live-target.ts';

const ready = canRun('hintbench hint on zombies and threads', { root: true });

interface HintJson {
  pid: number;
  tid: number;
  ranges: number;
  bytesAdvised: number;
  bytesRequested: number;
  samplesNs: number[];
  notes: string[];
  error: string | null;
}

describe.skipIf(!ready)('hintbench hint on zombies and threads', () => {
  const targets: LiveTargetProcess[] = [];
  afterAll(async () => {
    for (const t of targets) await t.kill();
  });
  const start = async (mode: Parameters<typeof startLiveTarget>[0]): Promise<LiveTargetProcess> => {
    const t = await startLiveTarget(mode, 8);
    targets.push(t);
    return t;
  };

  it('a zombie: both mechanisms say it is a zombie and name its parent (not EPERM, not "no mappings")', async () => {
    const t = await start('zombie');
    for (const args of [[], ['--via', 'ptrace'], ['--via', 'ptrace', '--ranges', '1000-2000'], ['--ranges', '1000-2000']]) {
      const r = await cli(['hint', '--pid', String(t.zombie), '--advice', 'cold', '--no-probe', ...args]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(errorLines(r)).toEqual([
        `Error: pid ${t.zombie} is a zombie: it has exited and its memory is freed; its parent (pid ${t.pid}) has not reaped it yet. Fix: nothing to hint: pick a live process (ps -o pid,stat,comm marks zombies with Z)`,
      ]);
    }
  });

  describe('main thread exited, second thread running', () => {
    let t: LiveTargetProcess;
    beforeAll(async () => {
      t = await start('exit-main');
    });

    it('ptrace reads the maps through the live thread and injects into it, with or without --tid, pinned across --repeat', async () => {
      const size = t.region[1] - t.region[0];
      for (const extra of [[], ['--tid', String(t.tids[1])]]) {
        const r = await cli(['hint', '--pid', String(t.pid), '--advice', 'cold', '--via', 'ptrace', '--no-probe', '--json', '--repeat', '3', ...extra]);
        expect(r.code, r.stderr).toBe(0);
        const j = JSON.parse(r.stdout) as HintJson;
        expect(j.error).toBeNull();
        // The pin (a pidfd of the process, whose main thread is a zombie) held for every repetition.
        expect(j.samplesNs).toHaveLength(3);
        expect(j.pid).toBe(t.pid);
        expect(j.tid).toBe(t.tids[1]);
        expect(j.ranges).toBeGreaterThan(0);
        expect(j.bytesAdvised).toBeGreaterThanOrEqual(size);
        if (extra.length === 0) expect(j.notes).toContain(`the main thread of pid ${t.pid} has exited: injecting into thread ${t.tids[1]}`);
      }
    });

    it('process_madvise is refused with the reason and the ptrace alternative', async () => {
      const r = await cli(['hint', '--pid', String(t.pid), '--advice', 'cold', '--no-probe']);
      expect(r.code).toBe(1);
      expect(errorLines(r)).toEqual([
        `Error: the main thread of pid ${t.pid} has exited (1 other thread still runs); process_madvise reaches a process's memory through its main thread and fails with ESRCH. Fix: use --via ptrace, which injects into a live thread (e.g. --tid ${t.tids[1]})`,
      ]);
    });

    it('--tid naming the exited main thread is refused', async () => {
      const r = await cli(['hint', '--pid', String(t.pid), '--tid', String(t.pid), '--advice', 'cold', '--via', 'ptrace', '--no-probe']);
      expect(r.code).toBe(1);
      expect(errorLines(r)).toEqual([`Error: thread ${t.pid} of pid ${t.pid} has exited. Fix: pick a live thread from /proc/${t.pid}/task (${t.tids[1]})`]);
    });
  });

  it('a thread id as --pid stands for its process with both mechanisms, and the output says so', async () => {
    const t = await start('threads');
    const thread = t.tids[1]!;
    const out: HintJson[] = [];
    for (const via of ['process_madvise', 'ptrace']) {
      const r = await cli(['hint', '--pid', String(thread), '--advice', 'cold', '--via', via, '--ranges', t.range, '--no-probe', '--json']);
      expect(r.code, `${via}: ${r.stderr}`).toBe(0);
      out.push(JSON.parse(r.stdout) as HintJson);
    }
    const [pm, pt] = out as [HintJson, HintJson];
    for (const j of out) {
      expect(j.error).toBeNull();
      expect(j.pid).toBe(t.pid);
      expect(j.bytesAdvised).toBe(t.region[1] - t.region[0]);
      expect(j.notes).toContain(`${thread} is a thread of process ${t.pid}: hinting process ${t.pid}`);
    }
    // ptrace acts in the thread that was named
    expect(pt.tid).toBe(thread);
    expect(pm.tid).toBe(t.pid);
  });
});
