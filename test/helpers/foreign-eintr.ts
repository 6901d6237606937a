/**
 * Watches, with bpftrace, which syscalls of which processes return EINTR (the program sees
 * it) or one of the kernel's restart codes ERESTARTSYS..ERESTART_RESTARTBLOCK (-512..-516:
 * the kernel restarts the call and the program never sees it). An injection interrupts the
 * target's blocking call; this tells whether that interruption was visible to the program.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** x86_64 syscall numbers worth naming in reports. */
const SYSCALL_NAMES: Readonly<Record<number, string>> = {
  0: 'read', 7: 'poll', 23: 'select', 35: 'nanosleep', 202: 'futex', 219: 'restart_syscall', 230: 'clock_nanosleep', 232: 'epoll_wait',
  270: 'pselect6', 271: 'ppoll', 281: 'epoll_pwait', 441: 'epoll_pwait2',
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
  /** Waits briefly for events still in bpftrace's buffers. */
  settle(): Promise<void>;
  /** Stops bpftrace (SIGINT by pid) and waits for it. */
  stop(): Promise<void>;
}

const SCRIPT = 'tracepoint:raw_syscalls:sys_exit /args->id >= 0 && (args->ret == -4 || (args->ret <= -512 && args->ret >= -516))/ '
  + '{ printf("%d %d %d\\n", pid, args->id, args->ret); }';

/** Starts the watch; resolves once the probe is attached, or null when bpftrace cannot run here. */
export async function startInterruptWatch(timeoutMs = 15_000): Promise<InterruptWatch | null> {
  let child: ChildProcess;
  try {
    child = spawn('bpftrace', ['-f', 'json', '-e', SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    return null;
  }
  const events: { pid: number; nr: number; ret: number }[] = [];
  let exited = false;
  const exit = new Promise<void>((res) => {
    child.on('error', () => { exited = true; res(); });
    child.on('close', () => { exited = true; res(); });
  });
  child.stderr!.resume();
  const attached = new Promise<boolean>((res) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.trim() === '') return;
      let msg: { type?: string; data?: unknown };
      try { msg = JSON.parse(line) as typeof msg; } catch { return; }
      if (msg.type === 'attached_probes') res(true);
      else if (msg.type === 'printf' && typeof msg.data === 'string') {
        const [pid, nr, ret] = msg.data.trim().split(' ').map(Number);
        if (pid !== undefined && nr !== undefined && ret !== undefined) events.push({ pid, nr, ret });
      }
    });
    void exit.then(() => res(false));
    setTimeout(() => res(false), timeoutMs);
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
    settle: () => new Promise((r) => setTimeout(r, 300)),
    stop,
  };
}

/** Sum of the counts in a per-syscall record. */
export function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
