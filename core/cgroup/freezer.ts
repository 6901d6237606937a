/**
 * The cgroup freezer, both flavours: cgroup v2 `cgroup.freeze` / `cgroup.events` and the v1
 * `freezer` controller's `freezer.state`. Freezing and thawing a cgroup, telling a freeze that
 * was asked for from one that is complete, emptying and removing a cgroup; and, for the
 * ptrace injector, which cgroups hold a process frozen, thawing and re-freezing them (CRIU's
 * sequence: seize + interrupt, thaw, inject, re-freeze, detach) and a cheap repeated check.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { HOST_ROOT, readHostText } from '../proc/hostfs.ts';
import { KeptFiles } from '../proc/kept-files.ts';
import { type CgroupMounts, readCgroupMounts } from './mounts.ts';
import { type CgroupPlacement, parseCgroupPlacement } from './placement.ts';
import { moveTasksAndRemove } from './remove.ts';

export { cgroupPids } from './remove.ts';

/** A cgroup that can be frozen. */
export interface FreezerCgroup {
  /** `v1`: a cgroup of the v1 freezer hierarchy; `v2`: a cgroup2 cgroup. */
  version: 'v1' | 'v2';
  /** Its directory. */
  dir: string;
}

/** Freezes (true) or thaws (false) a cgroup; throws the write's error (e.g. ENOENT when it is gone). */
export function setFrozen(cg: FreezerCgroup, frozen: boolean): void {
  if (cg.version === 'v2') writeFileSync(`${cg.dir}/cgroup.freeze`, frozen ? '1' : '0');
  else writeFileSync(`${cg.dir}/freezer.state`, frozen ? 'FROZEN' : 'THAWED');
}

/** True when freezing was asked for (v2 cgroup.freeze 1, v1 state other than THAWED), whether or not it has completed. */
export function freezeRequested(cg: FreezerCgroup, root: string = HOST_ROOT): boolean {
  if (cg.version === 'v2') return (readHostText(root, `${cg.dir}/cgroup.freeze`) ?? '0').trim() === '1';
  return (readHostText(root, `${cg.dir}/freezer.state`) ?? 'THAWED').trim() !== 'THAWED';
}

/** True once every task of the cgroup is frozen (v2 cgroup.events `frozen 1`, v1 state FROZEN). */
export function freezeComplete(cg: FreezerCgroup): boolean {
  if (cg.version === 'v2') return /^frozen 1$/m.test(readFileSync(`${cg.dir}/cgroup.events`, 'utf8'));
  return readFileSync(`${cg.dir}/freezer.state`, 'utf8').trim() === 'FROZEN';
}

/**
 * Thaws a cgroup, moves its tasks to `to` (default: the parent cgroup) and removes it;
 * resolves with the number of tasks moved once it is gone (core/cgroup/remove.ts).
 */
export async function thawMoveRemove(cg: FreezerCgroup, opts: { to?: string; timeoutMs?: number } = {}): Promise<number> {
  setFrozen(cg, false);
  return moveTasksAndRemove(cg.dir, opts);
}

/** The freezer hierarchies' mount points, read once per process (the injector asks on every injection into a new cgroup). */
let freezerMountsCache: Pick<CgroupMounts, 'v1Freezer' | 'v2'> | undefined;

/** Mount points of the v1 freezer hierarchy and of cgroup2 (read once, then cached). */
export function freezerMounts(): Pick<CgroupMounts, 'v1Freezer' | 'v2'> {
  freezerMountsCache ??= readCgroupMounts();
  return freezerMountsCache;
}

/** The directory and its ancestors up to (excluding) the hierarchy root, deepest first. */
function selfAndAncestors(dir: string, root: string): string[] {
  const out: string[] = [];
  let d = dir;
  while (d.length > root.length && d.startsWith(root)) {
    out.push(d);
    d = d.slice(0, d.lastIndexOf('/'));
  }
  return out;
}

/**
 * The cgroups whose freezing keeps a process frozen, deepest first: v1 cgroups with
 * freezer.self_freezing = 1 (when its own freezer.state is not THAWED) and v2 cgroups with
 * cgroup.freeze = 1, on the process's path. Empty when it is not frozen.
 */
export function freezingCgroups(placement: CgroupPlacement, mounts: Pick<CgroupMounts, 'v1Freezer' | 'v2'> = freezerMounts()): FreezerCgroup[] {
  const out: FreezerCgroup[] = [];
  if (placement.v1Freezer !== null && mounts.v1Freezer !== null && freezeRequested({ version: 'v1', dir: placement.v1Freezer })) {
    for (const dir of selfAndAncestors(placement.v1Freezer, mounts.v1Freezer)) {
      if ((readHostText(HOST_ROOT, `${dir}/freezer.self_freezing`) ?? '').trim() === '1') out.push({ version: 'v1', dir });
    }
  }
  if (placement.v2 !== null && mounts.v2 !== null) {
    for (const dir of selfAndAncestors(placement.v2, mounts.v2)) if (freezeRequested({ version: 'v2', dir })) out.push({ version: 'v2', dir });
  }
  return out;
}

/** Thaws the cgroups (as freezingCgroups lists them, deepest first), outermost first: a v1 child cannot thaw under a frozen parent. */
export function thawCgroups(cgroups: readonly FreezerCgroup[]): void {
  for (const cg of [...cgroups].reverse()) setFrozen(cg, false);
}

/** Freezes the cgroups again, innermost first. */
export function refreezeCgroups(cgroups: readonly FreezerCgroup[]): void {
  for (const cg of cgroups) setFrozen(cg, true);
}

/** A thread's cgroup placement as last read, and the freezer state files it depends on. */
interface WatchedPlacement {
  /** /proc/PID/task/TID/cgroup text it was parsed from. */
  text: string;
  placement: CgroupPlacement;
  /** freezer.state (v1) and every cgroup.freeze up the v2 path. */
  files: string[];
  /** Date.now() of the last read of the text. */
  readAtMs: number;
}

/**
 * Fast repeated "is this thread frozen?" checks for the ptrace injector: keeps
 * /proc/PID/task/TID/cgroup and the freezer state files open and re-reads them with pread (a
 * few us instead of tens). The thread's own entry is read, so that a process whose main thread
 * has exited is still seen through the thread being injected. The full walk
 * (freezingCgroups) runs only when a check says frozen.
 */
export class FreezerWatch {
  /** /proc/PID/task/TID/cgroup of the threads looked at. */
  private readonly procFiles = new KeptFiles();
  /** Freezer state files; a missing one (cgroup.freeze of a hierarchy root) is remembered as missing. */
  private readonly stateFiles = new KeptFiles();
  private readonly lastText = new Map<number, WatchedPlacement>();
  private readonly buf = Buffer.alloc(4096);

  /** @param placementTtlMs how long a thread's cgroup placement is reused before /proc/PID/task/TID/cgroup is read again, in ms */
  constructor(private readonly placementTtlMs = 1000) {}

  /**
   * The cgroups holding thread `tid` of `pid` frozen (empty when none). The placement
   * (/proc/PID/task/TID/cgroup) is re-read after `placementTtlMs` or with `fresh`; the state
   * files are read every time. Throws when the placement cannot be read (thread gone).
   */
  freezing(pid: number, tid: number, opts: { fresh?: boolean } = {}): FreezerCgroup[] {
    const now = Date.now();
    let entry = this.lastText.get(tid);
    if (entry === undefined || opts.fresh === true || now - entry.readAtMs > this.placementTtlMs) entry = this.readPlacement(pid, tid, now);
    return this.checkFiles(entry);
  }

  private readPlacement(pid: number, tid: number, now: number): WatchedPlacement {
    const path = `/proc/${pid}/task/${tid}/cgroup`;
    const text = this.procFiles.text(path, this.buf);
    if (text === null) {
      this.forget(pid, tid);
      throw new Error(`cannot read ${path}`);
    }
    let entry = this.lastText.get(tid);
    if (entry !== undefined && entry.text === text) entry.readAtMs = now;
    else {
      const mounts = freezerMounts();
      const placement = parseCgroupPlacement(text, mounts);
      const files: string[] = [];
      if (placement.v1Freezer !== null) files.push(`${placement.v1Freezer}/freezer.state`);
      if (placement.v2 !== null && mounts.v2 !== null) {
        for (const dir of selfAndAncestors(placement.v2, mounts.v2)) files.push(`${dir}/cgroup.freeze`);
      }
      entry = { text, placement, files, readAtMs: now };
      if (this.lastText.size >= 256) this.lastText.clear();
      this.lastText.set(tid, entry);
    }
    return entry;
  }

  private checkFiles(entry: WatchedPlacement): FreezerCgroup[] {
    for (const file of entry.files) {
      // A missing file (a root's cgroup.freeze) reads as nothing; a removed cgroup is looked at again next time.
      const s = this.stateFiles.text(file, this.buf, { rememberMissing: true })?.trim();
      if (s !== undefined && s !== 'THAWED' && s !== '0') return freezingCgroups(entry.placement);
    }
    return [];
  }

  /** Closes the descriptor kept for thread `tid` of `pid`. */
  forget(pid: number, tid: number): void {
    this.procFiles.forget(`/proc/${pid}/task/${tid}/cgroup`);
    this.lastText.delete(tid);
  }

  /** Closes every kept descriptor. */
  reset(): void {
    this.procFiles.reset();
    this.stateFiles.reset();
    this.lastText.clear();
  }
}
