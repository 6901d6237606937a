/**
 * `hintbench setup` / `hintbench teardown`: prepare the host for a run and undo exactly that.
 *
 * setupHost() installs bpftrace (apt-get) when it is missing, creates a zram swap device when
 * there is no swap, and mounts tracefs when it is not mounted. Every change is logged as a line
 * and recorded in the state file (state.ts) before the next step, so teardownHost() can undo
 * what was made even after a failure half-way. Nothing else on the host is changed.
 * Packages stay installed by default (teardownHost({ removePackages: true }) removes a
 * bpftrace that setup installed).
 *
 * The preparation is shared: every run (and test run) registers itself as a user in the
 * state file, and releaseHost() at its end undoes the preparation only when no other live
 * user remains and nobody asked to keep it. An explicit teardownHost() refuses while other
 * live users remain, unless forced. Users that died without releasing are dropped.
 * Setup and teardown also remove the cgroups killed runners left behind (stale-cgroups.ts).
 */
import { dirname } from 'node:path';
import { HintbenchError } from '../../core/errors.ts';
import { requireRoot } from '../../core/process/privileges.ts';
import { readBpftraceVersion } from '../../bpf/version.ts';
import { findExecutable, lastLine, runCommand } from '../../core/process/command.ts';
import { selfIdentity } from '../../core/proc/stat.ts';
import { removeStaleCgroups } from './stale-cgroups.ts';
import { describeSwapDevice, formatBytes, readMemTotalBytes, readSwapDevices } from './swap.ts';
import { type HostState, type HostUser, defaultStatePath, describeUsers, emptyState, isEmptyState, isUser, liveUsers, loadState, saveState, withStateLock } from './state.ts';
import { TRACEFS_MOUNT, tracefsMounted } from '../../core/proc/tracefs.ts';
import { createZramSwap, loadZramModule, removeZramSwap, zramLoaded } from './zram.ts';

/** Largest zram device setup creates by default. */
export const DEFAULT_SWAP_MAX_BYTES = 4 * 1024 ** 3;

/** Options of setupHost(). */
export interface SetupOptions {
  /** Receives one line per change (and per reused change). */
  log: (line: string) => void;
  /** Size of the zram device to create; default min(4 GiB, 50 % of MemTotal). */
  swapSizeBytes?: number;
  /** zram compressor (e.g. `lz4`); default: the kernel's default. */
  compressor?: string;
  /** State file; default /run/hintbench/host-state.json (or HINTBENCH_HOST_STATE). */
  statePath?: string;
  /** Create hintbench's own zram device even when other swap is active (e.g. to measure zram beside a disk swap). */
  forceZram?: boolean;
  /**
   * `use` (default): register this process as a user of the preparation until releaseHost()
   * (or its death). `keep`: the preparation stays until `hintbench teardown` (the setup
   * command); nothing is registered.
   */
  purpose?: 'use' | 'keep';
  /** What this process is, recorded with its registration; default `hintbench`. */
  userLabel?: string;
}

/** What setupHost() left in place. */
export interface HostChanges {
  /** Changes this call made, one line each (empty when the host was already prepared); a run undoes them when it ends. */
  lines: string[];
  /** Changes an earlier setup made that are still in place and were reused, one line each. */
  reused: string[];
  /** Everything teardownHost() will undo. */
  state: HostState;
  /** Where the state is recorded. */
  statePath: string;
  /** Stale cgroups of dead runners that were removed, one line each. */
  cleaned: string[];
}

/** Options of teardownHost(). */
export interface TeardownOptions {
  /** Receives one line per undone change. */
  log?: (line: string) => void;
  /** Also `apt-get remove` bpftrace when setup installed it (default false: packages are kept). */
  removePackages?: boolean;
  /** State file; default as for setupHost(). */
  statePath?: string;
  /** Undo the preparation even while other live processes are registered as its users. */
  force?: boolean;
  /** Also remove stale cgroups of dead runners (default true). */
  cgroups?: boolean;
}

/** Options of releaseHost(). */
export interface ReleaseOptions {
  /** Receives one line per undone change, and a line when the preparation stays. */
  log?: (line: string) => void;
  /** State file; default as for setupHost(). */
  statePath?: string;
  /** Keep the preparation until `hintbench teardown` (`run --keep-host`). */
  keep?: boolean;
}

/** What releaseHost() did. */
export interface HostRelease {
  /** Changes undone, one line each (empty when the preparation stays). */
  undone: string[];
  /** Other live users the preparation stays for. */
  otherUsers: HostUser[];
  /** True when the preparation stays because it is kept until `hintbench teardown`. */
  kept: boolean;
}

/** Default zram size for a machine with `memTotalBytes` of RAM: min(4 GiB, 50 %), rounded down to 1 MiB. */
export function defaultSwapSizeBytes(memTotalBytes: number | null): number {
  if (memTotalBytes === null) return DEFAULT_SWAP_MAX_BYTES;
  const half = Math.floor(memTotalBytes / 2 / 2 ** 20) * 2 ** 20;
  return Math.min(DEFAULT_SWAP_MAX_BYTES, half);
}

async function installBpftrace(log: (line: string) => void): Promise<void> {
  const apt = findExecutable('apt-get');
  if (apt === null) {
    throw new HintbenchError(
      'bpftrace is not installed and apt-get is not available',
      "install bpftrace 0.16 or later with your distribution's package manager (e.g. dnf install bpftrace)",
    );
  }
  requireRoot('installing bpftrace', 'apt-get', 'hintbench setup');
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  let r = await runCommand(apt, ['install', '-y', 'bpftrace'], { env });
  if (r.exitCode !== 0 && /Unable to locate package|has no installation candidate/.test(`${r.stdout}\n${r.stderr}`)) {
    log('apt-get: bpftrace not in the package lists; running apt-get update');
    const u = await runCommand(apt, ['update'], { env });
    if (u.exitCode !== 0) throw new HintbenchError(`apt-get update failed: ${lastLine(u)}`, 'fix the apt sources, then `apt-get install -y bpftrace`');
    r = await runCommand(apt, ['install', '-y', 'bpftrace'], { env });
  }
  if (r.exitCode !== 0) throw new HintbenchError(`apt-get install -y bpftrace failed: ${lastLine(r)}`, 'install bpftrace by hand (apt-get install -y bpftrace) and rerun');
}

/**
 * Prepares the host; idempotent. A state file left by an earlier setup is reused: changes that
 * are still in place are reported as reused, vanished ones (e.g. after a reboot) are dropped.
 * Throws HintbenchError with the fix when something needed cannot be made; changes made before
 * the error stay recorded, so teardownHost() still undoes them.
 */
export async function setupHost(opts: SetupOptions): Promise<HostChanges> {
  const statePath = opts.statePath ?? defaultStatePath();
  const cleaned = await cleanStaleCgroups(opts.log);
  const changes = await withStateLock(statePath, () => setupLocked(opts, statePath));
  return { ...changes, cleaned };
}

/** Removes stale cgroups, logging each; a cgroup that cannot be removed is logged as a note (the doctor reports it). */
async function cleanStaleCgroups(log: (line: string) => void): Promise<string[]> {
  const r = await removeStaleCgroups(log);
  for (const f of r.failures) log(`note: ${f.message} (fix: ${f.fix})`);
  return r.removed;
}

/** Registers this process as a user of `state` (once), dropping users that died. */
function registerUser(state: HostState, label: string): void {
  const me = selfIdentity();
  state.users = liveUsers(state.users).filter((u) => !isUser(u, me));
  state.users.push({ ...me, label, since: new Date().toISOString() });
}

async function setupLocked(opts: SetupOptions, statePath: string): Promise<Omit<HostChanges, 'cleaned'>> {
  const state = loadState(statePath) ?? emptyState();
  if (opts.purpose === 'keep') state.keep = true;
  else registerUser(state, opts.userLabel ?? 'hintbench');
  if (!isEmptyState(state)) saveState(statePath, state);
  const lines: string[] = [];
  const reused: string[] = [];
  const change = (line: string): void => {
    lines.push(line);
    opts.log(line);
    saveState(statePath, state);
  };
  const reuse = (line: string): void => {
    reused.push(line);
    opts.log(line);
  };

  // Swap: a zram device when there is none.
  const swaps = readSwapDevices();
  const own = state.zram;
  if (own !== null && swaps.some((d) => d.name === own.device)) {
    reuse(`reusing zram swap ${own.device} (${formatBytes(own.sizeBytes)}, ${own.compressor}) from an earlier setup`);
  } else {
    if (own !== null) {
      state.zram = null; // vanished since it was recorded
      saveState(statePath, state);
    }
    if (swaps.length === 0 || opts.forceZram === true) {
      requireRoot('creating zram swap', 'zram, mkswap and swapon', 'hintbench setup');
      if (!zramLoaded()) {
        await loadZramModule();
        state.zramModuleLoaded = true;
        change('loaded the zram kernel module (modprobe zram)');
      }
      const size = opts.swapSizeBytes ?? defaultSwapSizeBytes(readMemTotalBytes());
      const z = await createZramSwap(size, opts.compressor ?? null);
      state.zram = z;
      change(`created zram swap ${z.device}: ${formatBytes(z.sizeBytes)}, compressor ${z.compressor}, priority 100${z.hotAdded ? ' (hot-added device)' : ''}`);
    } else if (opts.compressor !== undefined && !swaps.some((d) => d.zramCompressor === opts.compressor)) {
      opts.log(`note: swap already present (${swaps.map(describeSwapDevice).join('; ')}); compressor ${opts.compressor} not applied`);
    }
  }

  // tracefs.
  if (state.tracefsMount !== null && tracefsMounted()) {
    reuse(`reusing tracefs mounted at ${state.tracefsMount} by an earlier setup`);
  } else if (!tracefsMounted()) {
    requireRoot('mounting tracefs', 'mount', 'hintbench setup');
    const mount = findExecutable('mount');
    if (mount === null) throw new HintbenchError('tracefs is not mounted and mount is not installed', `apt-get install -y mount, then mount -t tracefs nodev ${TRACEFS_MOUNT}`);
    const r = await runCommand(mount, ['-t', 'tracefs', 'nodev', TRACEFS_MOUNT]);
    if (r.exitCode !== 0 || !tracefsMounted()) {
      throw new HintbenchError(
        `mount -t tracefs nodev ${TRACEFS_MOUNT} failed: ${lastLine(r)}`,
        'use a kernel with CONFIG_TRACING, and run as root outside a restricted container',
      );
    }
    state.tracefsMount = TRACEFS_MOUNT;
    change(`mounted tracefs at ${TRACEFS_MOUNT}`);
  } else if (state.tracefsMount !== null) {
    state.tracefsMount = null;
    saveState(statePath, state);
  }

  // bpftrace.
  if ((await readBpftraceVersion()) === null) {
    const elsewhere = findExecutable('bpftrace');
    if (elsewhere !== null) {
      throw new HintbenchError(
        `bpftrace is installed at ${elsewhere} but is not on PATH (or does not run)`,
        `add ${dirname(elsewhere)} to PATH, and check that \`${elsewhere} --version\` works`,
      );
    }
    await installBpftrace(opts.log);
    const version = await readBpftraceVersion();
    if (version === null) throw new HintbenchError('apt-get installed bpftrace but `bpftrace --version` still fails', 'run `bpftrace --version` to see why');
    state.bpftraceInstalled = true;
    change(`installed bpftrace ${version} (apt-get install -y bpftrace; kept by hintbench teardown: apt-get remove bpftrace removes it)`);
  } else if (state.bpftraceInstalled) {
    reuse('bpftrace installed by an earlier setup is present');
  }

  return { lines, reused, state, statePath };
}

/**
 * Ends this process's use of the preparation (a run or test run, at its end): removes its
 * registration and drops dead users; then, when no other live user remains and the
 * preparation is not kept, undoes it as teardownHost() does. With `keep` the preparation is
 * marked to stay until `hintbench teardown`.
 */
export async function releaseHost(opts: ReleaseOptions = {}): Promise<HostRelease> {
  const statePath = opts.statePath ?? defaultStatePath();
  const log = opts.log ?? ((): void => undefined);
  if (loadState(statePath) === null) return { undone: [], otherUsers: [], kept: false };
  return withStateLock(statePath, async () => {
    const state = loadState(statePath);
    if (state === null) return { undone: [], otherUsers: [], kept: false };
    const me = selfIdentity();
    state.users = liveUsers(state.users).filter((u) => !isUser(u, me));
    if (opts.keep === true) state.keep = true;
    if (state.users.length > 0 || state.keep) {
      saveState(statePath, state);
      if (state.users.length > 0) log(`host preparation stays: still used by ${describeUsers(state.users)}`);
      return { undone: [], otherUsers: state.users, kept: state.keep };
    }
    return { undone: await undoLocked(state, statePath, log, false), otherUsers: [], kept: false };
  });
}

/**
 * Undoes what setupHost() recorded: swapoff and reset (hot-remove) its zram device, unload a
 * zram module it loaded, unmount a tracefs it mounted, and with removePackages remove a
 * bpftrace it installed; also removes stale cgroups of dead runners. Safe when nothing was set
 * up. Returns one line per undone change. Refuses (HintbenchError naming them) while other
 * live processes are registered as users, unless `force`. What cannot be undone stays in the
 * state file and a HintbenchError says why.
 */
export async function teardownHost(opts: TeardownOptions = {}): Promise<string[]> {
  const statePath = opts.statePath ?? defaultStatePath();
  const log = opts.log ?? ((): void => undefined);
  const cgroups = opts.cgroups === false ? { removed: [], failures: [] } : await removeStaleCgroups(log);
  const undone = [...cgroups.removed];
  const failures = [...cgroups.failures];
  if (loadState(statePath) !== null) {
    try {
      undone.push(...(await withStateLock(statePath, () => teardownLocked(opts, statePath, log))));
    } catch (err) {
      failures.push(err instanceof HintbenchError ? err : new HintbenchError(String(err), 'rerun `hintbench teardown`', { cause: err }));
    }
  }
  const first = failures[0];
  if (first !== undefined) {
    throw new HintbenchError(failures.map((f) => f.message).join('; '), first.fix, { cause: first });
  }
  return undone;
}

async function teardownLocked(opts: TeardownOptions, statePath: string, log: (line: string) => void): Promise<string[]> {
  const state = loadState(statePath);
  if (state === null) return [];
  const me = selfIdentity();
  const others = liveUsers(state.users).filter((u) => !isUser(u, me));
  if (others.length > 0 && opts.force !== true) {
    throw new HintbenchError(
      `the host preparation recorded in ${statePath} is in use by ${describeUsers(others)}`,
      'wait until they finish (each undoes the preparation when it is the last), or rerun `hintbench teardown --force` to remove swap and tracefs from under them',
    );
  }
  if (others.length > 0) log(`--force: undoing the host preparation although ${describeUsers(others)} still use(s) it`);
  state.users = [];
  state.keep = false;
  return undoLocked(state, statePath, log, opts.removePackages === true);
}

/** Undoes every change `state` records, saving it after each; throws when something could not be undone. */
async function undoLocked(state: HostState, statePath: string, log: (line: string) => void, removePackages: boolean): Promise<string[]> {
  const undone: string[] = [];
  const done = (line: string): void => {
    undone.push(line);
    log(line);
    saveState(statePath, state);
  };
  const failures: HintbenchError[] = [];

  if (state.zram !== null) {
    const z = state.zram;
    try {
      const removed = await removeZramSwap(z);
      state.zram = null;
      done(
        removed
          ? `removed zram swap ${z.device} (swapoff, reset${z.hotAdded ? ', hot_remove' : ''})`
          : `zram swap ${z.device} was already gone or reconfigured by someone else; left alone`,
      );
    } catch (err) {
      failures.push(err instanceof HintbenchError ? err : new HintbenchError(String(err), 'rerun `hintbench teardown`'));
    }
  }
  if (state.zramModuleLoaded && state.zram === null) {
    const inUse = readSwapDevices().some((d) => d.name.startsWith('/dev/zram'));
    const modprobe = findExecutable('modprobe');
    if (!inUse && modprobe !== null) {
      const r = await runCommand(modprobe, ['-r', 'zram']);
      state.zramModuleLoaded = false;
      done(r.exitCode === 0 ? 'unloaded the zram kernel module' : `left the zram module loaded (modprobe -r zram: ${lastLine(r)})`);
    } else {
      state.zramModuleLoaded = false;
      done('left the zram module loaded: another zram device is in use');
    }
  }
  if (state.tracefsMount !== null) {
    const mnt = state.tracefsMount;
    const umount = findExecutable('umount');
    const r = umount === null ? { exitCode: 127, stdout: '', stderr: 'umount is not installed' } : await runCommand(umount, [mnt]);
    if (r.exitCode === 0 || !tracefsMounted()) {
      state.tracefsMount = null;
      done(`unmounted tracefs at ${mnt}`);
    } else {
      failures.push(new HintbenchError(`umount ${mnt} failed: ${lastLine(r)}`, `stop any bpftrace still running, then \`umount ${mnt}\` or rerun \`hintbench teardown\``));
    }
  }
  if (state.bpftraceInstalled) {
    if (removePackages) {
      const apt = findExecutable('apt-get');
      const r =
        apt === null
          ? { exitCode: 127, stdout: '', stderr: 'apt-get is not available' }
          : await runCommand(apt, ['remove', '-y', 'bpftrace'], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
      if (r.exitCode === 0) {
        state.bpftraceInstalled = false;
        done('removed the bpftrace package (apt-get remove -y bpftrace)');
      } else {
        failures.push(new HintbenchError(`apt-get remove -y bpftrace failed: ${lastLine(r)}`, 'remove it by hand'));
      }
    } else {
      state.bpftraceInstalled = false;
      done('kept the bpftrace package setup installed (remove it with `apt-get remove bpftrace`)');
    }
  }
  saveState(statePath, state);
  const first = failures[0];
  if (first !== undefined) {
    throw new HintbenchError(failures.map((f) => f.message).join('; '), first.fix, { cause: first });
  }
  return undone;
}
