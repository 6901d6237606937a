/**
 * cgroup freezer state of a process (v1 `freezer` controller and cgroup v2 `cgroup.freeze`)
 * and the thaw / re-freeze steps of CRIU's injection sequence: seize + interrupt, thaw,
 * inject, re-freeze, detach.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';

/** One cgroup directory the injector thawed and must re-freeze. */
export interface ThawedCgroup {
  /** `v1` (freezer.state) or `v2` (cgroup.freeze). */
  version: 'v1' | 'v2';
  /** Absolute cgroup directory. */
  dir: string;
}

/** Where a process sits in the freezer hierarchies. */
export interface FreezerPlacement {
  /** Directory of the process's v1 freezer cgroup, or null without a v1 freezer. */
  v1Dir: string | null;
  /** v1 freezer mount point (for walking up to the root). */
  v1Root: string | null;
  /** Directory of the process's cgroup v2 cgroup, or null without cgroup2. */
  v2Dir: string | null;
  /** cgroup2 mount point. */
  v2Root: string | null;
}

let mounts: { v1Freezer: string | null; v2: string | null } | undefined;

/** Mount points of the v1 freezer hierarchy and of cgroup2, from /proc/self/mountinfo (cached). */
export function cgroupMounts(): { v1Freezer: string | null; v2: string | null } {
  if (mounts !== undefined) return mounts;
  let v1Freezer: string | null = null;
  let v2: string | null = null;
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    const mountPoint = left[4];
    if (mountPoint === undefined) continue;
    if (right[0] === 'cgroup2' && v2 === null) v2 = mountPoint;
    if (right[0] === 'cgroup' && (right[2] ?? '').split(',').includes('freezer') && v1Freezer === null) v1Freezer = mountPoint;
  }
  mounts = { v1Freezer, v2 };
  return mounts;
}

/** Parses /proc/PID/cgroup text into the freezer placement, given the mount points. */
export function parseFreezerPlacement(text: string, m: { v1Freezer: string | null; v2: string | null }): FreezerPlacement {
  let v1Dir: string | null = null;
  let v2Dir: string | null = null;
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const hierarchy = line.slice(0, first);
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1);
    if (hierarchy === '0' && controllers === '' && m.v2 !== null) v2Dir = m.v2 + (path === '/' ? '' : path);
    else if (controllers.split(',').includes('freezer') && m.v1Freezer !== null) v1Dir = m.v1Freezer + (path === '/' ? '' : path);
  }
  return { v1Dir, v1Root: m.v1Freezer, v2Dir, v2Root: m.v2 };
}

/** Where `pid` sits in the freezer hierarchies (reads /proc/PID/cgroup). */
export function freezerPlacement(pid: number): FreezerPlacement {
  return parseFreezerPlacement(readFileSync(`/proc/${pid}/cgroup`, 'utf8'), cgroupMounts());
}

function readTrim(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
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
 * The cgroups whose freezing keeps `pid` frozen: v1 cgroups with freezer.self_freezing = 1
 * and v2 cgroups with cgroup.freeze = 1, on the process's path. Empty when it is not frozen.
 */
export function freezingCgroups(placement: FreezerPlacement): ThawedCgroup[] {
  const out: ThawedCgroup[] = [];
  if (placement.v1Dir !== null && placement.v1Root !== null) {
    const state = readTrim(`${placement.v1Dir}/freezer.state`);
    if (state !== null && state !== 'THAWED') {
      for (const dir of selfAndAncestors(placement.v1Dir, placement.v1Root)) {
        if (readTrim(`${dir}/freezer.self_freezing`) === '1') out.push({ version: 'v1', dir });
      }
    }
  }
  if (placement.v2Dir !== null && placement.v2Root !== null) {
    for (const dir of selfAndAncestors(placement.v2Dir, placement.v2Root)) {
      if (readTrim(`${dir}/cgroup.freeze`) === '1') out.push({ version: 'v2', dir });
    }
  }
  return out;
}

/** Thaws the cgroups, outermost first (a v1 child cannot thaw under a frozen parent). */
export function thawCgroups(cgroups: readonly ThawedCgroup[]): void {
  for (const cg of [...cgroups].reverse()) {
    if (cg.version === 'v1') writeFileSync(`${cg.dir}/freezer.state`, 'THAWED');
    else writeFileSync(`${cg.dir}/cgroup.freeze`, '0');
  }
}

/** Freezes the cgroups again, innermost first. */
export function refreezeCgroups(cgroups: readonly ThawedCgroup[]): void {
  for (const cg of cgroups) {
    if (cg.version === 'v1') writeFileSync(`${cg.dir}/freezer.state`, 'FROZEN');
    else writeFileSync(`${cg.dir}/cgroup.freeze`, '1');
  }
}

/** Reads a small file at offset 0 through a kept-open descriptor (pread), or null when it fails. */
function preadText(fd: number, buf: Buffer): string | null {
  try {
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.toString('latin1', 0, n);
  } catch {
    return null;
  }
}

/**
 * Fast repeated "is this thread frozen?" checks for the injector: keeps
 * /proc/PID/task/TID/cgroup and the freezer state files open and re-reads them with pread (a
 * few us instead of tens). The thread's own entry is read, so that a process whose main thread
 * has exited is still seen through the thread being injected. The full walk
 * (freezingCgroups) runs only when a check says frozen.
 */
export class FreezerWatch {
  private readonly procFds = new Map<number, number>();
  /** Open descriptors of freezer state files; -1 marks a file that does not exist (a hierarchy root). */
  private readonly stateFds = new Map<string, number>();
  private readonly lastText = new Map<number, { text: string; placement: FreezerPlacement; files: string[]; readAtMs: number }>();
  /** How long a process's cgroup placement is reused before /proc/PID/cgroup is read again, in ms. */
  constructor(private readonly placementTtlMs = 1000) {}
  private readonly buf = Buffer.alloc(4096);

  /**
   * The cgroups holding thread `tid` of `pid` frozen (empty when none). The placement
   * (/proc/PID/task/TID/cgroup) is re-read after `placementTtlMs` or with `fresh`; the state
   * files are read every time. Throws when the placement cannot be read (thread gone).
   */
  freezing(pid: number, tid: number, opts: { fresh?: boolean } = {}): ThawedCgroup[] {
    const now = Date.now();
    let entry = this.lastText.get(tid);
    if (entry === undefined || opts.fresh === true || now - entry.readAtMs > this.placementTtlMs) entry = this.readPlacement(pid, tid, now);
    return this.checkFiles(entry);
  }

  private readPlacement(pid: number, tid: number, now: number): { text: string; placement: FreezerPlacement; files: string[]; readAtMs: number } {
    let fd = this.procFds.get(tid);
    if (fd === undefined) {
      if (this.procFds.size > 256) this.reset();
      fd = openSync(`/proc/${pid}/task/${tid}/cgroup`, 'r');
      this.procFds.set(tid, fd);
    }
    const text = preadText(fd, this.buf);
    if (text === null) {
      this.forget(tid);
      throw new Error(`cannot read /proc/${pid}/task/${tid}/cgroup`);
    }
    let entry = this.lastText.get(tid);
    if (entry !== undefined && entry.text === text) entry.readAtMs = now;
    else {
      const placement = parseFreezerPlacement(text, cgroupMounts());
      const files: string[] = [];
      if (placement.v1Dir !== null) files.push(`${placement.v1Dir}/freezer.state`);
      if (placement.v2Dir !== null && placement.v2Root !== null) {
        for (const dir of selfAndAncestors(placement.v2Dir, placement.v2Root)) files.push(`${dir}/cgroup.freeze`);
      }
      entry = { text, placement, files, readAtMs: now };
      this.lastText.set(tid, entry);
    }
    return entry;
  }

  private checkFiles(entry: { placement: FreezerPlacement; files: string[] }): ThawedCgroup[] {
    for (const file of entry.files) {
      let sfd = this.stateFds.get(file);
      if (sfd === undefined) {
        sfd = existsSync(file) ? openSync(file, 'r') : -1;
        this.stateFds.set(file, sfd);
      }
      if (sfd < 0) continue;
      const v = preadText(sfd, this.buf);
      if (v === null) {
        // The cgroup was removed: drop the descriptor and look again next time.
        try { closeSync(sfd); } catch { /* already closed */ }
        this.stateFds.delete(file);
        continue;
      }
      const s = v.trim();
      if (s !== 'THAWED' && s !== '0') return freezingCgroups(entry.placement);
    }
    return [];
  }

  /** Closes the descriptor kept for thread `tid`. */
  forget(tid: number): void {
    const fd = this.procFds.get(tid);
    if (fd !== undefined) { try { closeSync(fd); } catch { /* closed */ } }
    this.procFds.delete(tid);
    this.lastText.delete(tid);
  }

  /** Closes every kept descriptor. */
  reset(): void {
    for (const fd of this.procFds.values()) { try { closeSync(fd); } catch { /* closed */ } }
    for (const fd of this.stateFds.values()) { if (fd >= 0) { try { closeSync(fd); } catch { /* closed */ } } }
    this.procFds.clear();
    this.stateFds.clear();
    this.lastText.clear();
  }
}
