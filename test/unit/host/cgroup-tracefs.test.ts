import { describe, expect, it } from 'vitest';
import { describeCgroups, detectCgroups } from '../../../bench/host/cgroup.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRACEPOINTS_USED, findTracefs, missingTracepoints, parseScriptTracepoints, tracepointsUsed } from '../../../bench/host/tracefs.ts';
import { HYBRID, V2 } from './fixtures.ts';

describe('detectCgroups', () => {
  it('sees a hybrid layout: memory on v1, cgroup2 mounted without it', () => {
    const info = detectCgroups(HYBRID);
    expect(info).toEqual({
      memory: 'hybrid',
      memoryRoot: '/sys/fs/cgroup/memory',
      v2Root: '/sys/fs/cgroup/unified',
      freezer: { v1: '/sys/fs/cgroup/freezer', v2: '/sys/fs/cgroup/unified' },
    });
    expect(describeCgroups(info)).toContain('hybrid');
  });
  it('sees pure v2 with the memory controller at the top', () => {
    const info = detectCgroups(V2);
    expect(info.memory).toBe('v2');
    expect(info.memoryRoot).toBe('/sys/fs/cgroup');
    expect(info.freezer).toEqual({ v1: null, v2: '/sys/fs/cgroup' });
  });
  it('has no v2 freezer before Linux 5.2 and nothing on an empty tree', () => {
    expect(detectCgroups(V2, '5.1.0').freezer.v2).toBeNull();
    expect(detectCgroups('/nonexistent-root', '6.1.0')).toEqual({ memory: 'none', memoryRoot: null, v2Root: null, freezer: { v1: null, v2: null } });
  });
});

describe('tracefs', () => {
  it('finds tracefs and names the tracepoints that are missing', () => {
    expect(findTracefs(HYBRID)).toBe('/sys/kernel/tracing');
    expect(missingTracepoints('/sys/kernel/tracing', TRACEPOINTS_USED, HYBRID)).toEqual(['sched/sched_stat_runtime']);
  });
  it('reports no tracefs where it is not mounted', () => {
    expect(findTracefs(V2)).toBeNull();
  });
});

describe('tracepoints named by bpftrace scripts', () => {
  it('finds tracepoint probes in a script, skipping wildcards and other probe types', () => {
    const script = [
      'tracepoint:syscalls:sys_enter_process_madvise /pid == $1/ { @s[tid] = nsecs; }',
      'tracepoint:syscalls:sys_exit_process_madvise,',
      't:vmscan:mm_vmscan_reclaim_pages { @r = sum(args.nr_reclaimed); }',
      'tracepoint:syscalls:sys_enter_* { @n = count(); }',
      'software:major-faults:1 { @f[pid] = count(); }',
      'kprobe:do_madvise { }',
    ].join('\n');
    expect(parseScriptTracepoints(script).sort()).toEqual([
      'syscalls/sys_enter_process_madvise',
      'syscalls/sys_exit_process_madvise',
      'vmscan/mm_vmscan_reclaim_pages',
    ]);
  });
  it('adds the scripts of a bpf directory to the fixed list', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hintbench-bpf-'));
    try {
      writeFileSync(join(dir, 'a.bt'), 'tracepoint:tlb:tlb_flush { @ = count(); }\ntracepoint:sched:sched_switch {}\n');
      writeFileSync(join(dir, 'notes.txt'), 'tracepoint:fake:ignored');
      const used = tracepointsUsed(dir);
      expect(used).toContain('tlb/tlb_flush');
      expect(used).not.toContain('fake/ignored');
      for (const tp of TRACEPOINTS_USED) expect(used).toContain(tp);
      expect(used).toHaveLength(TRACEPOINTS_USED.length + 1);
      expect(tracepointsUsed(join(dir, 'missing'))).toHaveLength(TRACEPOINTS_USED.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
