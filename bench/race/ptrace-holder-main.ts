/**
 * The ptrace_stop remedy's holder: a process of its own (never the target's parent: libuv
 * reaps ptrace stops of its own children) that seizes the target, interrupts it and keeps it
 * in that stop until told to let go.
 *
 *   node --import tsx bench/race/ptrace-holder-main.ts PID
 *
 * Lines on stdout: `{"held":true,"seizedNs":S,"atNs":T}` once the target is in its interrupt stop (or
 * `{"held":false,"error":"..."}` and exit 1), then `{"released":true,"atNs":T}` after the detach
 * that follows a `release` line on stdin. Signals that arrive for the target while it is held
 * are kept and handed back at the detach. Closing stdin, SIGTERM, SIGINT or SIGHUP detach too;
 * if the holder dies anyway, the kernel detaches and the target runs on.
 */
import { readLines } from '../../core/channel.ts';
import { ptraceCont, ptraceDetach, ptraceInterrupt, ptraceSeize, sleepUs, tgkill, waitTid } from '../../core/sys/ptrace.ts';
import { PTRACE_EVENT_STOP } from '../../core/sys/ptrace-status.ts';

/** waitpid's WNOHANG. */
const WNOHANG = 1;
/** Longest wait for the interrupt stop, ns. */
const STOP_TIMEOUT_NS = 2_000_000_000;
/** Pause between polls for the stop, µs. */
const POLL_US = 100;

const pid = Number(process.argv[2]);
const nowNs = (): number => Number(process.hrtime.bigint());
const say = (msg: object): void => {
  process.stdout.write(`${JSON.stringify(msg)}\n`);
};

/** Signals the target received while seized, handed back at the detach. */
const deferred: number[] = [];
let holding = false;

/** Detaches (handing back the first deferred signal, re-sending the rest) and exits. */
function releaseAndExit(code: number): never {
  if (holding) {
    holding = false;
    try {
      ptraceDetach(pid, deferred.shift() ?? 0);
      for (const s of deferred) tgkill(pid, pid, s);
    } catch (err) {
      process.stderr.write(`ptrace holder: detach from ${pid}: ${(err as Error).message}\n`);
    }
    say({ released: true, atNs: nowNs() });
  }
  process.stdout.write('', () => process.exit(code));
  // process.exit runs once stdout has drained; nothing more happens here.
  return undefined as never;
}

/** When the seize was issued, ns. */
let seizedNs = 0;

function hold(): void {
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`pid must be a positive integer, got ${process.argv[2]}`);
  seizedNs = nowNs();
  ptraceSeize(pid, 0);
  holding = true;
  ptraceInterrupt(pid);
  const deadline = nowNs() + STOP_TIMEOUT_NS;
  for (;;) {
    const r = waitTid(pid, WNOHANG);
    if (r.pending) {
      if (nowNs() > deadline) throw new Error(`pid ${pid} did not reach its interrupt stop within ${STOP_TIMEOUT_NS / 1e6} ms`);
      sleepUs(POLL_US);
      continue;
    }
    const s = r.status;
    if (s.kind === 'exited' || s.kind === 'signaled') {
      holding = false;
      throw new Error(`pid ${pid} ended while being seized (${s.kind})`);
    }
    if (s.kind !== 'stopped') continue;
    if (s.event === PTRACE_EVENT_STOP) return;
    // A signal-delivery stop before the interrupt stop: keep the signal for the detach.
    if (s.event === 0) deferred.push(s.signal);
    ptraceCont(pid, 0);
  }
}

for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => releaseAndExit(0));
try {
  hold();
  say({ held: true, seizedNs, atNs: nowNs() });
} catch (err) {
  say({ held: false, error: (err as Error).message });
  releaseAndExit(1);
}
readLines(process.stdin, (line) => {
  if (line.trim() === 'release') releaseAndExit(0);
});
process.stdin.on('end', () => releaseAndExit(0));
