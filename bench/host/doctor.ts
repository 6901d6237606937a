/**
 * `hintbench doctor`: every check a run depends on, each with a status and, when it is not
 * ok, the fix. All problems are reported at once; `canRun` is false when any check failed.
 */
import { HintbenchError } from '../../core/errors.ts';
import { probeProcessMadvise } from '../../core/sys/process-madvise.ts';
import { MIN_BPFTRACE, compareVersions, readBpftraceVersion } from '../../bpf/version.ts';
import { NEEDED_CAPS, missingCaps, readCapEff } from './caps.ts';
import { describeCgroups, detectCgroups } from './cgroup.ts';
import { HOST_ROOT, readHostText } from '../../core/proc/hostfs.ts';
import { MIN_KERNEL, kernelAtLeast, readKernelRelease } from './kernel.ts';
import { PDEATHSIG_FIX, pdeathsigSetpriv } from '../../core/process/parent-death.ts';
import { effectiveUid } from '../../core/process/privileges.ts';
import { findReclaimers } from './reclaimers.ts';
import { describeCgroup, listHintbenchCgroups } from './stale-cgroups.ts';
import { type HostState, defaultStatePath, describeUsers, liveUsers, loadState } from './state.ts';
import { describeSwapDevice, formatBytes, readSwapDevices, readZswap } from './swap.ts';
import { readThpMode } from './thp.ts';
import { type PathAccess, TRACEFS_MOUNT, missingTracepoints, pathAccess, probeTracefs } from '../../core/proc/tracefs.ts';
import { TRACEPOINTS_USED } from '../../bpf/scripts.ts';

/** Outcome of one check: `fail` stops a run, `warn` adds noise or limits scenarios, `ok` is fine (or informational). */
export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One doctor check. */
export interface DoctorCheck {
  /** Stable identifier, e.g. `swap`. */
  id: string;
  /** What was checked, e.g. `Swap present`. */
  title: string;
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** What to do, when the status is not ok. */
  fix?: string;
}

/** All checks, and whether a run can succeed. */
export interface DoctorReport {
  checks: DoctorCheck[];
  /** True only when no check failed. */
  canRun: boolean;
}

/** Facts the doctor judges; collected from the host by default, injectable for tests. */
export interface DoctorInputs {
  /** Root of the file system the readers look at (default `/`). */
  root: string;
  /** Effective user id. */
  euid: number;
  /** Result of probeProcessMadvise(): `available`, `enosys`, `eperm` or an errno name. */
  processMadvise: string;
  /** bpftrace version, or null when it is missing. */
  bpftraceVersion: string | null;
  /** Tracepoints to check (`category/name`); default TRACEPOINTS_USED, the list bpf/scripts.ts declares for the shipped probes. */
  tracepoints?: readonly string[];
  /** Path of a setpriv with --pdeathsig, or null; the check is left out when undefined. */
  setpriv?: string | null;
  /** Host state file to report on; the check is left out when undefined. */
  statePath?: string;
  /** How paths are probed for access (tests inject a denial, which root never sees); default stat(). */
  access?: (root: string, absPath: string) => PathAccess;
}

const SETUP_FIX = 'run `hintbench setup` as root';

function capsCheck(root: string, euid: number): DoctorCheck {
  const title = 'Root or the needed capabilities';
  const mask = readCapEff(root);
  if (mask === null) {
    return { id: 'caps', title, status: 'fail', detail: 'cannot read CapEff from /proc/self/status', fix: 'run hintbench as root on Linux' };
  }
  const missing = missingCaps(mask);
  const who = euid === 0 ? 'root' : `uid ${euid}`;
  if (missing.length === 0) {
    return { id: 'caps', title, status: 'ok', detail: `${who}, CapEff 0x${mask.toString(16)} has ${NEEDED_CAPS.map((a) => a.join('|')).join(', ')}` };
  }
  return {
    id: 'caps',
    title,
    status: 'fail',
    detail: `${who}, CapEff 0x${mask.toString(16)} lacks ${missing.join(', ')}`,
    fix: 'run as root (sudo), or grant the missing capabilities (e.g. a container with --cap-add SYS_NICE,SYS_PTRACE,BPF,PERFMON)',
  };
}

function kernelCheck(root: string): DoctorCheck {
  const title = `Linux >= ${MIN_KERNEL.major}.${MIN_KERNEL.minor}`;
  const release = readKernelRelease(root);
  if (release === null) return { id: 'kernel', title, status: 'fail', detail: 'cannot read /proc/sys/kernel/osrelease', fix: 'run hintbench on Linux' };
  if (kernelAtLeast(release)) return { id: 'kernel', title, status: 'ok', detail: `kernel ${release}` };
  return { id: 'kernel', title, status: 'fail', detail: `kernel ${release} is older than 5.10 and has no process_madvise`, fix: 'boot Linux 5.10 or later' };
}

function processMadviseCheck(probe: string): DoctorCheck {
  const title = 'process_madvise(2) available';
  switch (probe) {
    case 'available':
      return { id: 'process_madvise', title, status: 'ok', detail: 'probe with pidfd -1 returned EBADF: the syscall exists' };
    case 'enosys':
      return {
        id: 'process_madvise',
        title,
        status: 'fail',
        detail: 'probe returned ENOSYS: this kernel has no process_madvise',
        fix: 'boot Linux 5.10 or later (CONFIG_ADVISE_SYSCALLS=y)',
      };
    case 'eperm':
      return {
        id: 'process_madvise',
        title,
        status: 'fail',
        detail: 'probe returned EPERM: a seccomp filter or LSM forbids process_madvise',
        fix: 'run outside the seccomp profile (e.g. a container with --security-opt seccomp=unconfined)',
      };
    default:
      return { id: 'process_madvise', title, status: 'fail', detail: `probe returned ${probe}`, fix: 'check the kernel and any seccomp filter on this process' };
  }
}

function swapCheck(root: string): DoctorCheck {
  const title = 'Swap present';
  const devices = readSwapDevices(root);
  if (devices.length === 0) {
    return {
      id: 'swap',
      title,
      status: 'fail',
      detail: 'no active swap (/proc/swaps is empty): MADV_PAGEOUT of anonymous memory does nothing',
      fix: `${SETUP_FIX} (creates a zram swap device), or: echo 4G > /sys/block/zram0/disksize && mkswap /dev/zram0 && swapon -p 100 /dev/zram0`,
    };
  }
  return { id: 'swap', title, status: 'ok', detail: devices.map(describeSwapDevice).join('; ') };
}

function bpftraceCheck(version: string | null): DoctorCheck {
  const title = `bpftrace >= ${MIN_BPFTRACE}`;
  if (version === null) {
    return { id: 'bpftrace', title, status: 'fail', detail: 'bpftrace is not on PATH (or `bpftrace --version` failed)', fix: `${SETUP_FIX}, or: apt-get install -y bpftrace` };
  }
  if (compareVersions(version, MIN_BPFTRACE) < 0) {
    return {
      id: 'bpftrace',
      title,
      status: 'warn',
      detail: `bpftrace ${version} is older than ${MIN_BPFTRACE}; probes may fail to load`,
      fix: `install bpftrace ${MIN_BPFTRACE} or later`,
    };
  }
  return { id: 'bpftrace', title, status: 'ok', detail: `bpftrace ${version}` };
}

function tracefsChecks(root: string, euid: number, wanted: readonly string[], access: (root: string, absPath: string) => PathAccess): DoctorCheck[] {
  const tracefs = probeTracefs(root, access);
  if (tracefs.state === 'unreadable') {
    const who = euid === 0 ? 'this process' : `uid ${euid}`;
    const fix = 'run hintbench as root (bpftrace needs root to attach the probes anyway)';
    return [
      { id: 'tracefs', title: 'tracefs mounted', status: 'fail', detail: `tracefs is mounted at ${tracefs.dir} (mount table), but ${who} may not read ${tracefs.dir}/events`, fix },
      {
        id: 'tracepoints',
        title: 'Tracepoints the probes use',
        status: 'fail',
        detail: `cannot check ${wanted.length} tracepoints: ${tracefs.dir}/events is not readable by ${who}`,
        fix,
      },
    ];
  }
  const mountFix = `mount -t tracefs nodev ${TRACEFS_MOUNT} (or ${SETUP_FIX})`;
  if (tracefs.state === 'missing') {
    return [
      {
        id: 'tracefs',
        title: 'tracefs mounted',
        status: 'fail',
        detail: `tracefs is not mounted (no tracefs in the mount table, ${TRACEFS_MOUNT}/events does not exist)`,
        fix: mountFix,
      },
      { id: 'tracepoints', title: 'Tracepoints the probes use', status: 'fail', detail: `cannot check ${wanted.length} tracepoints without tracefs`, fix: mountFix },
    ];
  }
  const dir = tracefs.dir;
  const missing = missingTracepoints(dir, wanted, root);
  return [
    { id: 'tracefs', title: 'tracefs mounted', status: 'ok', detail: `${dir}/events` },
    missing.length === 0
      ? { id: 'tracepoints', title: 'Tracepoints the probes use', status: 'ok', detail: `all ${wanted.length} present: ${wanted.join(', ')}` }
      : {
          id: 'tracepoints',
          title: 'Tracepoints the probes use',
          status: 'fail',
          detail: `missing under ${dir}/events: ${missing.join(', ')}`,
          fix: 'use a kernel built with CONFIG_FTRACE_SYSCALLS=y and tracepoints for vmscan and sched (any distribution kernel has them)',
        },
  ];
}

function perfCheck(root: string): DoctorCheck {
  const title = 'Perf events (software:major-faults)';
  const text = readHostText(root, '/proc/sys/kernel/perf_event_paranoid');
  if (text === null) {
    return { id: 'perf', title, status: 'fail', detail: '/proc/sys/kernel/perf_event_paranoid is unreadable: no perf events', fix: 'use a kernel built with CONFIG_PERF_EVENTS=y' };
  }
  return { id: 'perf', title, status: 'ok', detail: `perf_event_paranoid = ${text.trim()} (CAP_PERFMON or CAP_SYS_ADMIN is not limited by it)` };
}

function cgroupChecks(root: string): DoctorCheck[] {
  const info = detectCgroups(root);
  const mem: DoctorCheck =
    info.memory === 'none'
      ? {
          id: 'cgroup-memory',
          title: 'cgroup memory controller',
          status: 'warn',
          detail: describeCgroups(info),
          fix: 'mount the memory controller (cgroup v2: enable "memory" in cgroup.subtree_control) to run cgroup scenarios',
        }
      : { id: 'cgroup-memory', title: 'cgroup memory controller', status: 'ok', detail: describeCgroups(info) };
  const freezers = [info.freezer.v1 === null ? null : `v1 freezer at ${info.freezer.v1}`, info.freezer.v2 === null ? null : `v2 cgroup.freeze under ${info.freezer.v2}`].filter(
    (x): x is string => x !== null,
  );
  const freezer: DoctorCheck = {
    id: 'cgroup-freezer',
    title: 'cgroup freezer',
    status: 'ok',
    detail: freezers.length === 0 ? 'none (frozen-target scenarios are skipped)' : freezers.join('; '),
  };
  return [mem, freezer];
}

function thpCheck(root: string): DoctorCheck {
  return { id: 'thp', title: 'Transparent huge pages', status: 'ok', detail: `mode ${readThpMode(root)}` };
}

function reclaimersCheck(root: string): DoctorCheck {
  const found = findReclaimers(root);
  if (found.length === 0) return { id: 'reclaimers', title: 'Background reclaimers', status: 'ok', detail: 'none seen' };
  return {
    id: 'reclaimers',
    title: 'Background reclaimers',
    status: 'warn',
    detail: `${found.map((r) => r.description).join(', ')}: they reclaim memory on their own; hintbench filters its probes by pid/tid, but system-wide counters (/proc/vmstat) get noise`,
    fix: 'for quiet figures stop them for the run (e.g. DAMON: echo off > /sys/kernel/mm/damon/admin/kdamonds/N/state), or keep them and read the fingerprint',
  };
}

function parentDeathCheck(setpriv: string | null): DoctorCheck {
  const title = 'Children die with the runner (setpriv --pdeathsig)';
  if (setpriv !== null) return { id: 'parent-death', title, status: 'ok', detail: `${setpriv} --pdeathsig: bpftrace gets SIGKILL when its runner dies` };
  return { id: 'parent-death', title, status: 'warn', detail: 'no setpriv with --pdeathsig: a SIGKILLed run leaves its bpftrace running (probes attached)', fix: PDEATHSIG_FIX };
}

function staleCgroupsCheck(root: string): DoctorCheck {
  const title = 'Cgroups left by killed runs';
  const all = listHintbenchCgroups(root);
  const stale = all.filter((c) => !c.ownerAlive);
  const live = all.length - stale.length;
  const inUse = live === 0 ? '' : ` (${live} in use by running hintbench processes)`;
  if (stale.length === 0) return { id: 'stale-cgroups', title, status: 'ok', detail: `none${inUse}` };
  const tasks = stale.reduce((n, c) => n + c.tasks.length, 0);
  return {
    id: 'stale-cgroups',
    title,
    status: 'warn',
    detail: `${stale.length} stale hintbench cgroup(s) holding ${tasks} task(s)${inUse}: ${stale.map(describeCgroup).join('; ')}`,
    fix: 'run `hintbench teardown` (or any `hintbench run`) as root: it thaws them, moves their tasks out and removes them',
  };
}

function hostStateCheck(statePath: string): DoctorCheck {
  const title = 'Host preparation by hintbench';
  let state: HostState | null;
  try {
    state = loadState(statePath);
  } catch (err) {
    const e = err instanceof HintbenchError ? err : new HintbenchError(String(err), `inspect ${statePath}`);
    return { id: 'host-state', title, status: 'warn', detail: e.message, fix: e.fix };
  }
  if (state === null) return { id: 'host-state', title, status: 'ok', detail: `nothing recorded (${statePath} absent)` };
  const made = [
    state.zram === null ? null : `zram swap ${state.zram.device} (${formatBytes(state.zram.sizeBytes)})`,
    state.zramModuleLoaded ? 'zram module loaded' : null,
    state.tracefsMount === null ? null : `tracefs mounted at ${state.tracefsMount}`,
    state.bpftraceInstalled ? 'bpftrace package installed' : null,
  ].filter((x): x is string => x !== null);
  const live = liveUsers(state.users);
  const dead = state.users.length - live.length;
  const users = live.length === 0 ? 'no running user' : `used by ${describeUsers(live)}`;
  const lifetime = state.keep ? 'kept until `hintbench teardown`' : 'undone when its last user ends';
  return {
    id: 'host-state',
    title,
    status: 'ok',
    detail: `${made.join(', ')}; ${lifetime}; ${users}${dead > 0 ? ` (${dead} dead user(s), dropped at the next setup or teardown)` : ''}`,
  };
}

function zswapCheck(root: string): DoctorCheck {
  const z = readZswap(root);
  const detail = z === null ? 'not built' : z.enabled ? `enabled (compressor ${z.compressor ?? 'unknown'}): swap-outs go to a compressed RAM pool first` : 'disabled';
  return { id: 'zswap', title: 'zswap', status: 'ok', detail };
}

/** Runs every check against the given facts (no probing of its own beyond reading files below `inputs.root`). */
export function judgeHost(inputs: DoctorInputs): DoctorReport {
  const { root } = inputs;
  const checks: DoctorCheck[] = [
    capsCheck(root, inputs.euid),
    kernelCheck(root),
    processMadviseCheck(inputs.processMadvise),
    swapCheck(root),
    bpftraceCheck(inputs.bpftraceVersion),
    ...tracefsChecks(root, inputs.euid, inputs.tracepoints ?? TRACEPOINTS_USED, inputs.access ?? pathAccess),
    perfCheck(root),
    ...cgroupChecks(root),
    staleCgroupsCheck(root),
    thpCheck(root),
    reclaimersCheck(root),
    zswapCheck(root),
    ...(inputs.setpriv === undefined ? [] : [parentDeathCheck(inputs.setpriv)]),
    ...(inputs.statePath === undefined ? [] : [hostStateCheck(inputs.statePath)]),
  ];
  return { checks, canRun: checks.every((c) => c.status !== 'fail') };
}

/** Checks this host. */
export async function runDoctor(): Promise<DoctorReport> {
  return judgeHost({
    root: HOST_ROOT,
    euid: effectiveUid(),
    processMadvise: probeProcessMadvise(),
    bpftraceVersion: await readBpftraceVersion(),
    setpriv: pdeathsigSetpriv(),
    statePath: defaultStatePath(),
  });
}

const MARK: Readonly<Record<CheckStatus, string>> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' };

/** The report as text: one line per check, the fix under every problem, and a closing verdict. */
export function formatDoctor(report: DoctorReport): string {
  const lines: string[] = [];
  for (const c of report.checks) {
    lines.push(`[${MARK[c.status]}] ${c.title}: ${c.detail}`);
    if (c.status !== 'ok' && c.fix !== undefined) lines.push(`       fix: ${c.fix}`);
  }
  const fails = report.checks.filter((c) => c.status === 'fail').length;
  const warns = report.checks.filter((c) => c.status === 'warn').length;
  lines.push('');
  lines.push(
    report.canRun
      ? `A run can succeed here${warns > 0 ? ` (${warns} warning${warns === 1 ? '' : 's'})` : ''}.`
      : `A run cannot succeed here: ${fails} problem${fails === 1 ? '' : 's'} to fix${warns > 0 ? `, ${warns} warning${warns === 1 ? '' : 's'}` : ''}.`,
  );
  return lines.join('\n');
}
