/**
 * Self-checking programs written in plain python3 and plain Node (no hintbench code inside),
 * used as injection targets. Both hold a buffer whose page p is sha256(p as 8 little-endian
 * bytes) repeated 128 times, run a sha256 chain (h = sha256(h || n as 8 LE bytes), h0 = 32
 * zero bytes) in rounds with a short sleep between rounds, verify one page per round, and on
 * SIGUSR2 verify the whole buffer, print one JSON result line and exit 0 (3 on bad data).
 * The caller recomputes the chain independently with chainHex().
 */
import { createHash } from 'node:crypto';

/** The result line both programs print on SIGUSR2. */
export interface LoopResult {
  done: true;
  /** Chain steps computed. */
  n: number;
  /** The chain value after n steps, hex. */
  chain: string;
  /** Pages that failed the per-round check. */
  badRounds: number;
  /** Pages that failed the final full check. */
  badPages: number;
  /** Pages in the buffer. */
  pages: number;
  /** Rounds run. */
  rounds: number;
}

/** The Node program's result line adds its timer figures. */
export interface NodeLoopResult extends LoopResult {
  /** setInterval callbacks that ran. */
  ticks: number;
  /** Interval period, in ms. */
  tickMs: number;
  /** Wall time from the first tick's scheduling to the result, in ms. */
  elapsedMs: number;
  /** Largest gap between consecutive ticks, in ms. */
  maxGapMs: number;
}

/** python3 -c source; argv: pages, steps per round, sleep between rounds in ms. */
export const PYTHON_LOOP = `
import hashlib, json, os, signal, sys, time
pages, steps, sleep_ms = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
def page(p):
    return hashlib.sha256(p.to_bytes(8, 'little')).digest() * 128
buf = bytearray(pages * 4096)
for p in range(pages):
    buf[p * 4096:(p + 1) * 4096] = page(p)
stop = False
def on_usr2(sig, frame):
    global stop
    stop = True
signal.signal(signal.SIGUSR2, on_usr2)
h = bytes(32)
n = 0
rounds = 0
bad_rounds = 0
print(json.dumps({"ready": True, "pid": os.getpid(), "pages": pages}), flush=True)
while not stop:
    for _ in range(steps):
        h = hashlib.sha256(h + n.to_bytes(8, 'little')).digest()
        n += 1
    p = rounds % pages
    if buf[p * 4096:(p + 1) * 4096] != page(p):
        bad_rounds += 1
    rounds += 1
    if rounds % 100 == 0:
        print(json.dumps({"progress": rounds, "n": n}), flush=True)
    time.sleep(sleep_ms / 1000)
bad_pages = sum(1 for p in range(pages) if buf[p * 4096:(p + 1) * 4096] != page(p))
print(json.dumps({"done": True, "n": n, "chain": h.hex(), "badRounds": bad_rounds, "badPages": bad_pages, "pages": pages, "rounds": rounds}), flush=True)
sys.exit(0 if bad_pages == 0 and bad_rounds == 0 else 3)
`;

/** node -e source; argv: pages, steps per round, pause between rounds in ms, tick period in ms. */
export const NODE_LOOP = String.raw`
const { createHash } = require('node:crypto');
const [pages, steps, pauseMs, tickMs] = process.argv.slice(1).map(Number);
const page = (p) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(p)); const d = createHash('sha256').update(b).digest(); return Buffer.concat(Array(128).fill(d)); };
const buf = Buffer.alloc(pages * 4096);
for (let p = 0; p < pages; p++) page(p).copy(buf, p * 4096);
const pageOk = (p) => buf.subarray(p * 4096, (p + 1) * 4096).equals(page(p));
let ticks = 0, maxGapMs = 0, last = performance.now();
const t0 = last;
const timer = setInterval(() => { ticks++; const now = performance.now(); maxGapMs = Math.max(maxGapMs, now - last); last = now; }, tickMs);
let h = Buffer.alloc(32), n = 0, rounds = 0, badRounds = 0, stop = false;
const nb = Buffer.alloc(8);
function round() {
  if (stop) return;
  for (let i = 0; i < steps; i++) { nb.writeBigUInt64LE(BigInt(n)); h = createHash('sha256').update(h).update(nb).digest(); n++; }
  if (!pageOk(rounds % pages)) badRounds++;
  rounds++;
  if (rounds % 50 === 0) console.log(JSON.stringify({ progress: rounds, n, ticks }));
  setTimeout(round, pauseMs);
}
process.on('SIGUSR2', () => {
  stop = true;
  clearInterval(timer);
  let badPages = 0;
  for (let p = 0; p < pages; p++) if (!pageOk(p)) badPages++;
  const elapsedMs = performance.now() - t0;
  process.stdout.write(JSON.stringify({ done: true, n, chain: h.toString('hex'), badRounds, badPages, pages, rounds, ticks, tickMs, elapsedMs, maxGapMs }) + '\n', () => process.exit(badPages === 0 && badRounds === 0 ? 0 : 3));
});
console.log(JSON.stringify({ ready: true, pid: process.pid, pages }));
round();
`;

/** The sha256 chain after `n` steps (h0 = 32 zero bytes, h = sha256(h || n as 8 LE bytes)), hex. */
export function chainHex(n: number): string {
  let h = Buffer.alloc(32);
  const nb = Buffer.alloc(8);
  for (let i = 0; i < n; i++) {
    nb.writeBigUInt64LE(BigInt(i));
    h = createHash('sha256').update(h).update(nb).digest();
  }
  return h.toString('hex');
}
