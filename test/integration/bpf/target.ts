/**
 * A tiny probe-test target: a python3 child that maps N pages of random anonymous memory,
 * touches them, announces the region and obeys `retouch` (read every page with its thread
 * renamed to the given comm, report its own majflt delta and whether the data is intact)
 * `madvise ADVICE` (madvise(2) of the whole region on itself) and `exit` on stdin. python3 keeps the target independent of the workloads under test.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

const PY = `
import ctypes, json, mmap, os, sys, threading, time
n = int(sys.argv[1]); comm = sys.argv[2].encode()
PAGE = mmap.PAGESIZE
m = mmap.mmap(-1, n * PAGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
data = os.urandom(n * PAGE)
m.write(data)
addr = ctypes.addressof(ctypes.c_char.from_buffer(m))
libc = ctypes.CDLL(None, use_errno=True)
def majflt():
    with open('/proc/self/stat') as f:
        return int(f.read().rsplit(')', 1)[1].split()[9])
print(json.dumps({"addr": addr, "pages": n, "pageSize": PAGE}), flush=True)
for line in sys.stdin:
    cmd = line.strip()
    if cmd == 'retouch':
        libc.prctl(15, comm, 0, 0, 0)
        before = majflt(); t0 = time.monotonic_ns()
        s = 0
        for i in range(0, n * PAGE, PAGE):
            s += m[i]
        t1 = time.monotonic_ns(); after = majflt()
        libc.prctl(15, b"hbtest-target", 0, 0, 0)
        print(json.dumps({"majflt": after - before, "fromNs": t0, "toNs": t1, "intact": m[:] == data}), flush=True)
    elif cmd.startswith('madvise '):
        libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        t0 = time.monotonic_ns(); ret = libc.madvise(addr, n * PAGE, int(cmd.split()[1])); t1 = time.monotonic_ns()
        print(json.dumps({"ret": ret, "fromNs": t0, "toNs": t1, "tid": threading.get_native_id()}), flush=True)
    elif cmd == 'exit':
        break
`;

/** The running target. */
export interface PyTarget {
  pid: number;
  /** Start of the mapped region. */
  addr: number;
  pages: number;
  pageSize: number;
  /** Re-touches every page under the retouch comm; resolves with its own figures. */
  retouch(): Promise<{ majflt: number; fromNs: number; toNs: number; intact: boolean }>;
  /** Calls madvise(2) with `advice` on its whole region, from its main thread. */
  madvise(advice: number): Promise<{ ret: number; fromNs: number; toNs: number; tid: number }>;
  /** Asks it to exit and waits for that (kills it after 5 s). */
  close(): Promise<void>;
  child: ChildProcessWithoutNullStreams;
}

/** Starts a target with `pages` random pages; `retouchComm` is the thread name used while re-touching. */
export async function startPyTarget(pages: number, retouchComm: string): Promise<PyTarget> {
  const child = spawn('python3', ['-c', PY, String(pages), retouchComm], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const r = await lines.next();
    if (r.done === true) throw new Error(`python3 target ${child.pid} ended without answering`);
    return JSON.parse(r.value) as Record<string, unknown>;
  };
  const hello = await next();
  return {
    pid: child.pid ?? -1,
    addr: Number(hello.addr),
    pages: Number(hello.pages),
    pageSize: Number(hello.pageSize),
    child,
    retouch: async () => {
      child.stdin.write('retouch\n');
      const r = await next();
      return { majflt: Number(r.majflt), fromNs: Number(r.fromNs), toNs: Number(r.toNs), intact: r.intact === true };
    },
    madvise: async (advice) => {
      child.stdin.write(`madvise ${advice}\n`);
      const r = await next();
      return { ret: Number(r.ret), fromNs: Number(r.fromNs), toNs: Number(r.toNs), tid: Number(r.tid) };
    },
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin.end('exit\n');
      const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(t);
    },
  };
}
