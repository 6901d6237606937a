/**
 * The C reference injector of `npm run bench:ptrace` (ptrace-ref-injector.c): compiled at
 * benchmark time with the system C compiler into a temporary directory, run as a child
 * process that answers one injection per stdin line with its own latency measurement.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SOURCE = fileURLToPath(new URL('./ptrace-ref-injector.c', import.meta.url));

/** Which system-call sequence the reference runs. */
export type ReferenceSequence = 'singlestep' | 'sigframe';

/** One answer of the reference injector. */
export interface ReferenceResult {
  /** From before PTRACE_SEIZE to after PTRACE_DETACH, in ns. */
  latencyNs: number;
  /** madvise's return value, or -1000 - errno when a ptrace call failed. */
  ret: number;
}

/** A running reference injector. */
export interface ReferenceInjector {
  sequence: ReferenceSequence;
  inject(pid: number, startAddr: number, lengthBytes: number, advice: number): Promise<ReferenceResult>;
  close(): void;
}

/** The compiled binary and its directory. */
export interface ReferenceBuild {
  path: string;
  remove(): void;
}

/** Compiles the reference with `cc`; throws with the compiler's message on failure. */
export function buildReference(cc: string): ReferenceBuild {
  const dir = mkdtempSync(join(tmpdir(), 'hintbench-ref-'));
  const path = join(dir, 'ptrace-ref-injector');
  try {
    execFileSync(cc, ['-O2', '-o', path, SOURCE], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${cc} could not build ${SOURCE}: ${(err as { stderr?: Buffer }).stderr?.toString().trim() ?? (err as Error).message}`);
  }
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts the reference running `sequence`. */
export function startReference(build: ReferenceBuild, sequence: ReferenceSequence): ReferenceInjector {
  const child: ChildProcess = spawn(build.path, sequence === 'sigframe' ? ['--sequence=sigframe'] : [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => waiting.shift()?.(line));
  return {
    sequence,
    inject: (pid, startAddr, lengthBytes, advice) => new Promise((res) => {
      waiting.push((line) => {
        const [lat, ret] = line.split(' ').map(Number);
        res({ latencyNs: lat ?? 0, ret: ret ?? -1 });
      });
      child.stdin!.write(`${pid} ${startAddr} ${lengthBytes} ${advice}\n`);
    }),
    close: () => { child.stdin!.end(); },
  };
}
