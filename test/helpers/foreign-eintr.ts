/**
 * Watches, with bpftrace, which syscalls of which processes return EINTR (the program sees
 * it) or one of the kernel's restart codes ERESTARTSYS..ERESTART_RESTARTBLOCK (-512..-516:
 * the kernel restarts the call and the program never sees it). An injection interrupts the
 * target's blocking call; this tells whether that interruption was visible to the program.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { libc } from '../../core/sys/libc.ts';

/** x86_64 syscall numbers worth naming in reports. */
const SYSCALL_NAMES: Readonly<Record<number, string>> = {
  0: 'read',
  7: 'poll',
  23: 'select',
  35: 'nanosleep',
  202: 'futex',
  219: 'restart_syscall',
  230: 'clock_nanosleep',
  232: 'epoll_wait',
  270: 'pselect6',
  271: 'ppoll',
  281: 'epoll_pwait',
  441: 'epoll_pwait2',
};

/** Name of an x86_64 syscall number (the number itself when not in the short table). */
export function syscallName(nr: number): string {
  return SYSCALL_NAMES[nr] ?? `sys${nr}`;
}

/** Interrupted syscalls of one process: per syscall name, EINTR returns and restarts. */
export interface InterruptCounts {
  /** Syscall name to number of EINTR returns. */
  eintr: Record<string, number>;
  /** Syscall name to number of -ERESTART* returns (restarted by the kernel). */
  restarted: Record<string, number>;
}

/** A running bpftrace that records interrupted syscalls system-wide. */
export interface InterruptWatch {
  /** Counts for process `pid` so far (call `settle()` first to let late events arrive). */
  countsFor(pid: number): InterruptCounts;
  /** Resolves once every event that happened before the call has been read (see mark()). */
  settle(): Promise<void>;
  /** Stops bpftrace (SIGINT by pid) and waits for it. */
  stop(): Promise<void>;
}

const getpgid: (pid: number) => number = libc.func('int getpgid(int)');
/** Marker arguments start above any pid (pid_max is at most 2^22), so getpgid() just fails with ESRCH. */
const MARK_BASE = 1 << 23;

/**
 * The EINTR probe, then a marker probe: getpgid(N) from this process prints `mark N`.
 * bpftrace 0.17 prints `attached_probes` before it attaches, in program order, so the first
 * marker line proves the EINTR probe is attached.
 */
const SCRIPT =
  'tracepoint:raw_syscalls:sys_exit /args->id >= 0 && (args->ret == -4 || (args->ret <= -512 && args->ret >= -516))/ ' +
  '{ printf("%d %d %d\\n", pid, args->id, args->ret); }\n' +
  `tracepoint:syscalls:sys_enter_getpgid /pid == ${process.pid} && args->pid >= ${MARK_BASE}/ { printf("mark %d\\n", args->pid); }`;

/** Starts the watch; resolves once the probe is attached, or null when bpftrace cannot run here. */
export async function startInterruptWatch(timeoutMs = 15_000): Promise<InterruptWatch | null> {
  let child: ChildProcess;
  try {
    child = spawn('bpftrace', ['-f', 'json', '-e', SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    return null;
  }
  const events: { pid: number; nr: number; ret: number }[] = [];
  let lastMark = 0;
  const markWaiters = new Set<() => void>();
  let exited = false;
  const exit = new Promise<void>((res) => {
    child.on('error', () => {
      exited = true;
      res();
    });
    child.on('close', () => {
      exited = true;
      res();
    });
  });
  child.stderr!.resume();
  const attached = new Promise<boolean>((res) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.trim() === '') return;
      let msg: { type?: string; data?: unknown };
      try {
        msg = JSON.parse(line) as typeof msg;
      } catch {
        return;
      }
      if (msg.type !== 'printf' || typeof msg.data !== 'string') return;
      const words = msg.data.trim().split(' ');
      if (words[0] === 'mark') {
        lastMark = Math.max(lastMark, Number(words[1]));
        for (const w of markWaiters) w();
        return;
      }
      const [pid, nr, ret] = words.map(Number);
      if (pid !== undefined && nr !== undefined && ret !== undefined) events.push({ pid, nr, ret });
    });
    // Poke the marker until its first line arrives: then both probes are attached.
    let seq = MARK_BASE;
    const poke = setInterval(() => getpgid(++seq), 10);
    const onMark = (): void => done(true);
    const done = (ok: boolean): void => {
      clearInterval(poke);
      clearTimeout(timer);
      markWaiters.delete(onMark);
      res(ok);
    };
    markWaiters.add(onMark);
    void exit.then(() => done(false));
    const timer = setTimeout(() => done(false), timeoutMs);
  });
  let nextMark = MARK_BASE + 1_000_000;
  /**
   * Fires a new marker and resolves when its line has been read. bpftrace reads every per-CPU
   * buffer that is ready before it writes more, so once marker A's line is read, every event
   * older than A is read or written out in the same pass, before any later marker's line.
   */
  const mark = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const token = ++nextMark;
      const check = (): void => {
        if (lastMark >= token) {
          markWaiters.delete(check);
          clearTimeout(timer);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        markWaiters.delete(check);
        reject(new Error(`bpftrace (pid ${child.pid}) did not report marker ${token} within 30 s`));
      }, 30_000);
      markWaiters.add(check);
      getpgid(token);
    });
  const stop = async (): Promise<void> => {
    if (!exited && child.pid !== undefined) child.kill('SIGINT');
    await Promise.race([exit, new Promise((r) => setTimeout(r, 5000))]);
    if (!exited && child.pid !== undefined) child.kill('SIGKILL');
    await exit;
  };
  if (!(await attached)) {
    await stop();
    return null;
  }
  return {
    countsFor: (pid) => {
      const c: InterruptCounts = { eintr: {}, restarted: {} };
      for (const e of events) {
        if (e.pid !== pid) continue;
        const bucket = e.ret === -4 ? c.eintr : c.restarted;
        const name = syscallName(e.nr);
        bucket[name] = (bucket[name] ?? 0) + 1;
      }
      return c;
    },
    // Two markers: the second one's line comes after every line of the pass that read the first.
    settle: async () => {
      await mark();
      await mark();
    },
    stop,
  };
}

/** Sum of the counts in a per-syscall record. */
export function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
