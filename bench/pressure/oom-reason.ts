/**
 * Why the OOM killer ended a process, in the kernel's own words: its `oom-kill:` line
 * (constraint, memcg, task, pid) and `Killed process` line from the kernel log (/dev/kmsg).
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';

/** Longest kernel log record, bytes (a record larger than the buffer is an EINVAL read). */
const RECORD_BYTES = 8192;

/** The text of a /dev/kmsg record (`prio,seq,time,flags;text`), or the record when it has no `;`. */
export function kmsgText(record: string): string {
  const semi = record.indexOf(';');
  return (semi < 0 ? record : record.slice(semi + 1)).split('\n')[0]!.trim();
}

/** Kernel log lines that speak of the OOM kill of `pid`, oldest first. */
export function oomLinesFor(lines: readonly string[], pid: number): string[] {
  const mine = new RegExp(`(oom-kill:.*[,:]pid=${pid},|Killed process ${pid} )`);
  return lines.filter((l) => mine.test(l));
}

/** Every record of the kernel log still in the ring buffer, as text lines; empty when /dev/kmsg cannot be read. */
export function readKernelLog(): string[] {
  let fd: number;
  try {
    fd = openSync('/dev/kmsg', constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return [];
  }
  const buf = Buffer.alloc(RECORD_BYTES);
  const out: string[] = [];
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') continue; // records were overwritten meanwhile: go on with the next
        break; // EAGAIN: no more records
      }
      if (n <= 0) break;
      out.push(kmsgText(buf.toString('utf8', 0, n)));
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

/** The kernel's account of the OOM kill of `pid`, joined into one line, or null when the log has none. */
export function oomKillReason(pid: number): string | null {
  const lines = oomLinesFor(readKernelLog(), pid);
  return lines.length === 0 ? null : lines.join(' | ');
}
