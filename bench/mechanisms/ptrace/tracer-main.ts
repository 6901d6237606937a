/**
 * The tracer process: all ptrace work of hintbench happens here, synchronously, on this
 * process's main thread. It is spawned by the runner (never by a target's parent: libuv
 * reaps ptrace stops of its own children), reads JSON-lines requests on stdin and answers
 * on stdout (protocol.ts; the lines are split by core/channel.ts).
 *
 * The runner starts it in a session and process group of its own, so that a SIGKILL of the
 * runner's group (`timeout -s KILL`, a service manager's final kill, ^\ in a terminal) does
 * not reach it. Shutdown is never abrupt: SIGINT, SIGTERM and SIGHUP only set a flag, and
 * since an injection is one synchronous call, their handlers run between injections, never
 * in the middle of one. The process exits after the current injection when asked to
 * (`shutdown`), when stdin closes or its parent is gone (the runner died: requests it sent
 * before are not served), or on those signals. A SIGKILL of the tracer itself cannot be
 * caught; the injection method makes it harmless to the target (see sigframe-method.ts).
 */
import { readLines } from '../../../core/channel.ts';
import { Injector } from './injector.ts';
import { parseRequest, type TracerReady, type TracerRequest, type TracerResponse } from './protocol.ts';
import { warmUp } from './warm-up.ts';

const injector = new Injector();
let stopping = false;
/** The runner's pid: once the parent pid changes, the runner is gone. */
const runnerPid = process.ppid;

function send(msg: TracerResponse | TracerReady): void {
  process.stdout.write(`${JSON.stringify(msg)}\n`);
}

/** Leaves after serving late stops; threads still without a stop are detached by the kernel on exit (nothing was changed in them). */
function finish(code: number): void {
  if (stopping) return;
  stopping = true;
  const deadline = Date.now() + 2000;
  const tick = (): void => {
    injector.servicePending();
    // Exit once stdout has drained: a large report may still sit in the pipe's queue.
    if (injector.pendingDetach.size === 0 || Date.now() > deadline) process.stdout.write('', () => process.exit(code));
    else setTimeout(tick, 20);
  };
  tick();
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => finish(0));
process.stdout.on('error', () => process.exit(0)); // the reader is gone: nothing left to tell

const pendingTimer = setInterval(() => {
  if (injector.pendingDetach.size > 0) injector.servicePending();
}, 50);
pendingTimer.unref();

readLines(process.stdin, (line) => {
  if (stopping || line.trim() === '') return;
  let req: TracerRequest;
  try {
    req = parseRequest(line);
  } catch (err) {
    const id = /"id"\s*:\s*(\d+)/.exec(line)?.[1];
    send({ id: id === undefined ? -1 : Number(id), ok: false, error: `bad request: ${(err as Error).message}` });
    return;
  }
  if (process.ppid !== runnerPid) {
    finish(0);
    return;
  }
  switch (req.cmd) {
    case 'pin': {
      try {
        const p = injector.pin(req.pid);
        send({ id: req.id, ok: true, pinned: { pid: p.pid, startTicks: p.startTicks } });
      } catch (err) {
        send({ id: req.id, ok: false, error: `cannot pin pid ${req.pid}: ${(err as Error).message}` });
      }
      return;
    }
    case 'unpin':
      injector.unpin(req.pid);
      send({ id: req.id, ok: true, unpinned: req.pid });
      return;
    case 'ping':
      send({ id: req.id, ok: true, pong: { pid: process.pid, arch: process.arch, pendingDetach: [...injector.pendingDetach.keys()] } });
      return;
    case 'shutdown':
      send({ id: req.id, ok: true, pong: { pid: process.pid, arch: process.arch, pendingDetach: [...injector.pendingDetach.keys()] } });
      finish(0);
      return;
    case 'inject': {
      const { id, cmd: _cmd, ...inject } = req;
      void _cmd;
      send({ id, ok: true, report: injector.inject(inject) });
      return;
    }
  }
});
// stdin ends (after its last line was served) or breaks: the runner is done with this tracer.
process.stdin.on('end', () => finish(0));
process.stdin.on('close', () => finish(0));

if (process.arch === 'x64') warmUp(injector);
send({ event: 'ready', pid: process.pid, arch: process.arch });
