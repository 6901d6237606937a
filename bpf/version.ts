/** bpftrace: where it is and which version. */
import { execFile } from 'node:child_process';

/** Oldest bpftrace the probes are written for (`-f json` maps, tracepoint args). */
export const MIN_BPFTRACE = '0.16.0';

/** Parses `bpftrace v0.17.0` (or `bpftrace 0.20.1-...`) into `0.17.0`; null when no version is found. */
export function parseBpftraceVersion(output: string): string | null {
  const m = /bpftrace\s+v?(\d+\.\d+(?:\.\d+)?)/.exec(output);
  return m?.[1] ?? null;
}

/** Compares dotted numeric versions: negative when a < b, 0 when equal, positive when a > b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Version of the bpftrace on PATH (`bpftrace --version`), or null when it is not installed or does not answer. */
export function readBpftraceVersion(binary = 'bpftrace'): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(binary, ['--version'], { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err !== null && stdout === '') {
        resolve(null);
        return;
      }
      resolve(parseBpftraceVersion(`${stdout}\n${stderr}`));
    });
  });
}
