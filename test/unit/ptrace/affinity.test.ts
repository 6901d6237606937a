import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CpuFollower, parseStatProcessor } from '../../../core/sys/ptrace-affinity.ts';

/** A /proc/PID/stat line with `processor` (field 39) set to `cpu` and the given command name. */
function statLine(comm: string, cpu: number): string {
  const after = Array.from({ length: 50 }, (_, i) => String(i + 3));
  after[0] = 'S';
  after[36] = String(cpu); // field 39 overall: 3 + 36
  return `4242 (${comm}) ${after.join(' ')}\n`;
}

describe('processor field of /proc/PID/stat', () => {
  it('reads field 39, counting from the last parenthesis', () => {
    for (const [comm, cpu] of [
      ['node', 0],
      ['a b) c (d', 1],
      ['x', 117],
    ] as const) {
      const b = Buffer.from(statLine(comm, cpu));
      expect(parseStatProcessor(b, b.length)).toBe(cpu);
    }
  });
  it('gives -1 for a truncated or malformed line', () => {
    const b = Buffer.from('4242 (node S 1 2 3');
    expect(parseStatProcessor(b, b.length)).toBe(-1);
    const full = Buffer.from(statLine('node', 5));
    expect(parseStatProcessor(full, 40)).toBe(-1);
  });
  it('agrees with the kernel on this process', () => {
    const text = readFileSync('/proc/self/stat', 'latin1');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const b = Buffer.from(text, 'latin1');
    expect(parseStatProcessor(b, b.length)).toBe(Number(fields[36]));
    expect(new CpuFollower().cpuOf(process.pid, process.pid)).toBeGreaterThanOrEqual(0);
  });
  it('reports -1 for a thread that does not exist', () => {
    expect(new CpuFollower().cpuOf(0x3fffffff, 0x3fffffff)).toBe(-1);
  });
});
