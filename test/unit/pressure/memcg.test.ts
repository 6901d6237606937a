import { describe, expect, it } from 'vitest';
import { parseFlatKeyed, parsePsiTotals } from '../../../core/cgroup/memcg.ts';
import { kmsgText, oomLinesFor } from '../../../bench/pressure/oom-reason.ts';
import { strategyHint } from '../../../bench/pressure/sample.ts';

describe('memory cgroup files', () => {
  it('parses memory.stat, memory.events and memory.oom_control lines', () => {
    expect(parseFlatKeyed('cache 4096\nworkingset_refault_anon 37\n\n')).toEqual({ cache: 4096, workingset_refault_anon: 37 });
    expect(parseFlatKeyed('oom_kill_disable 0\nunder_oom 1\noom_kill 2\n')).toEqual({ oom_kill_disable: 0, under_oom: 1, oom_kill: 2 });
  });

  it('reads both PSI totals, and says null for a file that is not PSI', () => {
    const text = 'some avg10=0.00 avg60=0.04 avg300=0.05 total=5777479\nfull avg10=0.00 avg60=0.04 avg300=0.05 total=5775873\n';
    expect(parsePsiTotals(text)).toEqual({ someTotalUs: 5777479, fullTotalUs: 5775873 });
    expect(parsePsiTotals('hello')).toBeNull();
  });
});

describe('OOM reason from the kernel log', () => {
  it('keeps the text of a /dev/kmsg record and finds the lines about one pid only', () => {
    expect(kmsgText('6,1234,5678,-;Memory cgroup out of memory: Killed process 42 (node) total-vm:1kB\n SUBSYSTEM=x')).toBe(
      'Memory cgroup out of memory: Killed process 42 (node) total-vm:1kB',
    );
    const lines = [
      'oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/hintbench-1-2-42,task_memcg=/hintbench-1-2-42,task=node,pid=42,uid=0',
      'Memory cgroup out of memory: Killed process 42 (node) total-vm:1kB',
      'Memory cgroup out of memory: Killed process 420 (node) total-vm:1kB',
      'oom-kill:constraint=CONSTRAINT_MEMCG,task=node,pid=4200,uid=0',
    ];
    expect(oomLinesFor(lines, 42)).toEqual(lines.slice(0, 2));
  });
});

describe('strategies', () => {
  const regions = [
    { startAddr: 0x1000, lengthBytes: 0x2000, kind: 'anon', content: 'random', role: 'hot' },
    { startAddr: 0x10000, lengthBytes: 0x4000, kind: 'anon', content: 'random', role: 'cold' },
  ] as const;
  it('hints nothing, the cold set, or everything', () => {
    expect(strategyHint('none', [...regions])).toBeNull();
    expect(strategyHint('cold_cold_set', [...regions])).toEqual({ advice: 'cold', set: 'cold', ranges: [{ startAddr: 0x10000, lengthBytes: 0x4000 }] });
    expect(strategyHint('pageout_cold_set', [...regions])?.advice).toBe('pageout');
    expect(strategyHint('pageout_all', [...regions])?.ranges).toHaveLength(2);
  });
});
