/**
 * The C reference injector of `npm run bench:ptrace` (ptrace-ref-injector.c): compiled at
 * benchmark time with the system C compiler into a temporary directory, run as a child
 * process that answers one injection per stdin line with its own latency measurement.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readLines } from '../../core/channel.ts';
import { type CBuild, compileC } from '../../core/process/c-compiler.ts';

const SOURCE = fileURLToPath(new URL('./ptrace-ref-injector.c', import.meta.url));

/** Which system-call sequence the reference runs. */
export type ReferenceSequence = 'singlestep' | 'sigframe';

/** One answer of the reference injector. */
export interface ReferenceResult {
  /** From before PTRACE_SEIZE to after PTRACE_DETACH, in ns. */
  latencyNs: number;
  /** madvise's return value, or -1000 - errno when a ptrace call failed. */
  ret: number;
  /** The part before PTRACE_INTERRUPT (seize, and the sequence's pin check), in ns. */
  seizeNs: number;
}

/** A running reference injector. */
export interface ReferenceInjector {
  sequence: ReferenceSequence;
  inject(pid: number, startAddr: number, lengthBytes: number, advice: number): Promise<ReferenceResult>;
  close(): void;
}

/** Compiles the reference with `cc`; throws with the compiler's message on failure. */
export function buildReference(cc: string): CBuild {
  return compileC(cc, SOURCE, ['-O2']);
}

/** Starts the reference running `sequence`. */
export function startReference(build: CBuild, sequence: ReferenceSequence): ReferenceInjector {
  const child: ChildProcess = spawn(build.path, sequence === 'sigframe' ? ['--sequence=sigframe'] : [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: ((line: string) => void)[] = [];
  readLines(child.stdout!, (line) => waiting.shift()?.(line));
  return {
    sequence,
    inject: (pid, startAddr, lengthBytes, advice) =>
      new Promise((res) => {
        waiting.push((line) => {
          const [lat, ret, seize] = line.split(' ').map(Number);
          res({ latencyNs: lat ?? 0, ret: ret ?? -1, seizeNs: seize ?? 0 });
        });
        child.stdin!.write(`${pid} ${startAddr} ${lengthBytes} ${advice}\n`);
      }),
    close: () => {
      child.stdin!.end();
    },
  };
}
