/** The process table as /proc shows it, for tests that check what a run left behind. */
import { readdirSync } from 'node:fs';
import { readProcStat } from '../../core/proc/stat.ts';

/** One process. */
export interface Proc {
  pid: number;
  ppid: number;
  /** State letter (R, S, D, T, t, Z, ...). */
  state: string;
  /** Start time in clock ticks after boot: with the pid, it names a process even after pid reuse. */
  startTicks: number;
  comm: string;
}

/** Every process now. */
export function readProcs(): Map<number, Proc> {
  const procs = new Map<number, Proc>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const st = readProcStat(Number(d)); // null: exited while being read
    if (st !== null) procs.set(Number(d), { pid: Number(d), state: st.state, ppid: st.ppid, startTicks: st.startTicks, comm: st.comm });
  }
  return procs;
}

/** Every descendant of `root` in `procs`. */
export function descendants(procs: Map<number, Proc>, root: number): Proc[] {
  const children = new Map<number, Proc[]>();
  for (const p of procs.values()) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: Proc[] = [];
  const stack = [...(children.get(root) ?? [])];
  while (stack.length > 0) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(children.get(p.pid) ?? []));
  }
  return out;
}

/** Whether `p` is still the same live (non-zombie) process in `now`. */
export function stillAlive(p: Proc, now: Map<number, Proc> = readProcs()): boolean {
  const q = now.get(p.pid);
  return q !== undefined && q.startTicks === p.startTicks && q.state !== 'Z';
}
