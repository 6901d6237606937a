/**
 * The host-state file: what `hintbench setup` changed on this host, so that teardown undoes
 * exactly that and nothing else, and which processes rely on it, so that one run's teardown
 * does not pull swap or tracefs from under another. Default path
 * /run/hintbench/host-state.json (override with the HINTBENCH_HOST_STATE environment variable
 * or the statePath option).
 */
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, rmdirSync, writeFileSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { basename, dirname, join } from 'node:path';
import type { z } from 'zod';
import { HintbenchError } from '../../core/errors.ts';
import { HOST_STATE_VERSION, HostStateSchema, HostStateV1Schema, type HostUserSchema, type ZramStateSchema } from '../../core/schema/host-state.ts';
import { check, parseJson } from '../../core/schema/validate.ts';
import { type ProcessIdentity, processAlive, selfIdentity } from '../../core/proc/stat.ts';

/** Where setup records its changes unless told otherwise. */
export const DEFAULT_STATE_PATH = '/run/hintbench/host-state.json';

/** The state path in force: HINTBENCH_HOST_STATE when set, else DEFAULT_STATE_PATH. */
export function defaultStatePath(): string {
  const env = process.env.HINTBENCH_HOST_STATE;
  return env !== undefined && env !== '' ? env : DEFAULT_STATE_PATH;
}

/** A zram swap device setup created. */
export type ZramState = z.infer<typeof ZramStateSchema>;

/** A process that relies on the prepared host (a run, a test run) until it releases it or dies. */
export type HostUser = z.infer<typeof HostUserSchema>;

/** Everything setup changed that is still in place, and who relies on it (format: core/schema/host-state.ts). */
export type HostState = z.infer<typeof HostStateSchema>;

/** Format version written; version 1 files (no users, no keep flag) are migrated on load. */
export const STATE_VERSION = HOST_STATE_VERSION;

/** A state with nothing recorded. */
export function emptyState(now: Date = new Date()): HostState {
  return { version: STATE_VERSION, createdAt: now.toISOString(), keep: false, users: [], zram: null, zramModuleLoaded: false, tracefsMount: null, bpftraceInstalled: false };
}

/** True when the state records no change (users of nothing are not worth a file). */
export function isEmptyState(s: HostState): boolean {
  return s.zram === null && !s.zramModuleLoaded && s.tracefsMount === null && !s.bpftraceInstalled;
}

/**
 * A parsed state file as version 2. Version 1 recorded no users and could not tell a
 * preparation by `hintbench setup` from one by a run, so it is kept (only `hintbench teardown`
 * undoes it), which is what version 1 did with a preparation found at a run's start. Throws
 * SchemaViolation naming the wrong field.
 */
export function migrateState(parsed: unknown): HostState {
  const fix = 'inspect it, undo its changes by hand if any (swapoff, umount), then delete it';
  if (typeof parsed === 'object' && parsed !== null && (parsed as { version?: unknown }).version === 1) {
    return { ...check(HostStateV1Schema, parsed, fix), version: STATE_VERSION, keep: true, users: [] };
  }
  return check(HostStateSchema, parsed, fix);
}

/** Users whose process is still alive (same pid and start time); dead ones are dropped. */
export function liveUsers(users: readonly HostUser[]): HostUser[] {
  return users.filter((u) => processAlive(u.pid, u.startTicks));
}

/** True when `u` is the process `id`. */
export function isUser(u: ProcessIdentity, id: ProcessIdentity): boolean {
  return u.pid === id.pid && u.startTicks === id.startTicks;
}

/** `pid 123 (hintbench run, since 2026-11-28T10:00:00.000Z)` for each user, joined. */
export function describeUsers(users: readonly HostUser[]): string {
  return users.map((u) => `pid ${u.pid} (${u.label}, since ${u.since})`).join(', ');
}

/** Reads the state file; null when there is none. Throws HintbenchError when it is not a state file. */
export function loadState(path: string): HostState | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new HintbenchError(`cannot read host state file ${path}: ${(err as Error).message}`, 'run hintbench as root', { cause: err });
  }
  try {
    const parsed = parseJson(text, '');
    const version = typeof parsed === 'object' && parsed !== null ? (parsed as { version?: unknown }).version : undefined;
    if (typeof version === 'number' && version > STATE_VERSION) {
      throw new HintbenchError(
        `host state file ${path} has format version ${version}, newer than this hintbench reads (${STATE_VERSION})`,
        'run setup and teardown with the hintbench version that wrote it, or upgrade hintbench',
      );
    }
    return migrateState(parsed);
  } catch (err) {
    if (err instanceof HintbenchError) throw err;
    throw new HintbenchError(
      `host state file ${path} is not a hintbench state file (${(err as Error).message})`,
      `inspect it, undo its changes by hand if any (swapoff, umount), then delete ${path}`,
      { cause: err },
    );
  }
}

/** Writes the state atomically (temp file + rename); an empty state removes the file. */
export function saveState(path: string, state: HostState): void {
  if (isEmptyState(state)) {
    rmSync(path, { force: true });
    return;
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o644 });
  renameSync(tmp, path);
}

/** Removes /run/hintbench once nothing is recorded in it: the host is left as it was found. */
function removeDefaultDirIfEmpty(statePath: string): void {
  if (statePath !== DEFAULT_STATE_PATH) return;
  try {
    rmdirSync(dirname(statePath)); // fails, harmlessly, while anything is in it
  } catch {
    // not empty, or already gone
  }
}

/** Removes `<state file>.<pid>.tmp` files of writers that died between write and rename. */
function removeDeadWritersTemps(statePath: string): void {
  const prefix = `${basename(statePath)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(statePath));
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^(\d+)\.tmp$/.exec(name.startsWith(prefix) ? name.slice(prefix.length) : '');
    if (m !== null && !processAlive(Number(m[1]), null)) rmSync(join(dirname(statePath), name), { force: true });
  }
}

/** Owner of a lock file: `<pid> <start ticks>` (or a bare pid, as older versions wrote). */
function parseLockOwner(text: string): { pid: number; startTicks: number | null } | null {
  const m = /^\s*(\d+)(?:\s+(\d+))?\s*$/.exec(text);
  if (m === null) return null;
  return { pid: Number(m[1]), startTicks: m[2] === undefined ? null : Number(m[2]) };
}

/**
 * Runs `fn` while holding `<statePath>.lock` (created exclusively, holding the owner's pid and
 * start time), so concurrent setups and teardowns on one host see each other's records instead
 * of overwriting them. A lock whose owner is dead, or whose pid now belongs to a later
 * process, is taken over. Throws HintbenchError after `timeoutMs`.
 */
export async function withStateLock<T>(statePath: string, fn: () => Promise<T>, timeoutMs = 300_000): Promise<T> {
  const lockPath = `${statePath}.lock`;
  mkdirSync(dirname(statePath), { recursive: true, mode: 0o755 });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let fd: number;
    try {
      fd = openSync(lockPath, 'wx', 0o644);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new HintbenchError(`cannot create lock ${lockPath}: ${(err as Error).message}`, 'run hintbench as root', { cause: err });
      }
      let text: string;
      try {
        text = readFileSync(lockPath, 'utf8');
      } catch {
        continue; // released meanwhile
      }
      const owner = parseLockOwner(text);
      if (owner !== null && owner.pid > 0 && !processAlive(owner.pid, owner.startTicks)) {
        rmSync(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        const who = owner === null ? 'an unknown owner' : `pid ${owner.pid}`;
        throw new HintbenchError(
          `host state ${statePath} is locked by ${who} (another hintbench setup or teardown)`,
          `wait for ${who} to finish, or delete ${lockPath} if it is not hintbench`,
        );
      }
      await sleep(100);
      continue;
    }
    try {
      const me = selfIdentity();
      writeSync(fd, `${me.pid} ${me.startTicks}\n`);
    } finally {
      closeSync(fd);
    }
    removeDeadWritersTemps(statePath);
    try {
      return await fn();
    } finally {
      rmSync(lockPath, { force: true });
      removeDefaultDirIfEmpty(statePath);
    }
  }
}
