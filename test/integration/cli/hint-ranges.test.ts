/**
 * `hintbench hint --ranges` against a real process: the whole address space is planned in
 * one pass over the VMAs, values beyond 64 bits or beyond the address space are refused
 * before any hint, and unmapped parts are reported the same way by both mechanisms.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStatus } from '../../../core/proc/status.ts';
import { canRun } from '../../helpers/prereq.ts';
import { cli, errorLines, startLiveTarget, type LiveTargetProcess } from './live-target.ts';

const ready = canRun('hintbench hint --ranges', { root: true, swap: true });
const MECHANISMS = ['process_madvise', 'ptrace'] as const;

describe.skipIf(!ready)('hintbench hint --ranges', () => {
  let t: LiveTargetProcess;
  beforeAll(async () => {
    t = await startLiveTarget('plain', 16);
  });
  afterAll(async () => {
    await t?.kill();
  });
  const hint = (...args: string[]) => cli(['hint', '--pid', String(t.pid), '--no-probe', ...args]);

  it('0-7ffffffff000: every VMA hinted, holes and kernel mappings skipped, identically by both mechanisms', async () => {
    const results = [];
    for (const via of MECHANISMS) {
      const r = await hint('--advice', 'cold', '--via', via, '--ranges', '0-7ffffffff000', '--json');
      expect(r.code, r.stderr).toBe(0);
      results.push(JSON.parse(r.stdout) as { ranges: number; bytesRequested: number; bytesAdvised: number; skipped: string[]; error: string | null });
    }
    const [pm, pt] = results as [(typeof results)[0], (typeof results)[0]];
    expect(pm.error).toBeNull();
    expect(pt.error).toBeNull();
    expect(pm.ranges).toBeGreaterThan(5);
    expect(pt.ranges).toBe(pm.ranges);
    expect(pm.bytesAdvised).toBe(pm.bytesRequested);
    expect(pt.bytesAdvised).toBe(pt.bytesRequested);
    expect(pt.skipped).toEqual(pm.skipped);
    expect(pm.skipped[0]).toMatch(/^0x0-0x[0-9a-f]+: unmapped$/);
    expect(pm.skipped).toContain(pm.skipped.find((s) => /: kernel mapping \[vdso\]$/.test(s)));
    expect(pm.skipped.at(-1)).toMatch(/-0x7ffffffff000: unmapped$/);
  });

  it('0-fffffffffffff000 and ranges past the address space: one-line error naming the limit, exit 1, for both mechanisms', async () => {
    for (const via of MECHANISMS) {
      for (const range of ['0-fffffffffffff000', '800000000000-800000001000', '20000000000000-20000000001000']) {
        const r = await hint('--advice', 'pageout', '--via', via, '--ranges', range);
        expect(r.code, `${via} ${range}`).toBe(1);
        expect(errorLines(r)).toHaveLength(1);
        expect(r.stderr).toMatch(
          new RegExp(
            `^Error: --ranges: '0x${range.replace('-', '-0x')}' goes beyond the user address space of pid ${t.pid}, which ends at 0x7ffffffff000 \\(x86_64, 4-level paging\\)\\. Fix: keep END at or below 0x7ffffffff000`,
          ),
        );
      }
    }
  });

  it('a 65-bit value is refused, not wrapped onto the real region (which stays in memory)', async () => {
    // region + 2^64: modulo 2^64 this is exactly the target's data
    const wrapped = `1${t.region[0].toString(16).padStart(16, '0')}-1${t.region[1].toString(16).padStart(16, '0')}`;
    const swapBefore = readStatus(t.pid).swapBytes;
    for (const via of MECHANISMS) {
      const r = await hint('--advice', 'pageout', '--via', via, '--ranges', wrapped);
      expect(r.code).toBe(2); // a malformed --ranges is a command-line error
      expect(errorLines(r)).toEqual([expect.stringMatching(/^Error: --ranges: '.*' has an address wider than 64 bits \(0x1[0-9a-f]{16}\)\. Fix: /)]);
    }
    expect(readStatus(t.pid).swapBytes).toBe(swapBefore);
  });

  it('a range that overlaps no mapping: the same one-line error for both mechanisms; a partly mapped list hints the mapped part', async () => {
    for (const via of MECHANISMS) {
      const none = await hint('--advice', 'cold', '--via', via, '--ranges', '1000-2000');
      expect(none.code).toBe(1);
      expect(errorLines(none)).toEqual([
        `Error: --ranges: 0x1000-0x2000 overlaps no hintable mapping of pid ${t.pid}. Fix: pick ranges from /proc/${t.pid}/maps, or use --ranges anon for its private anonymous memory`,
      ]);
      const some = await hint('--advice', 'cold', '--via', via, '--ranges', `1000-2000,${t.range}`, '--json');
      expect(some.code, some.stderr).toBe(0);
      const r = JSON.parse(some.stdout) as { bytesAdvised: number; skipped: string[]; error: string | null };
      expect(r.error).toBeNull();
      expect(r.bytesAdvised).toBe(t.region[1] - t.region[0]);
      expect(r.skipped).toEqual(['0x1000-0x2000: unmapped']);
    }
  });
});
