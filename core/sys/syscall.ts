/**
 * The one table of kernel numbers hintbench uses: system call numbers of the architectures it
 * supports (x86_64 and aarch64, picked by process.arch at run time) and madvise advice values;
 * and raw system calls through libc's variadic `syscall(long, ...)`.
 */
import { HintbenchError } from '../errors.ts';
import type { Advice } from '../schema/enums.ts';
import { libc } from './libc.ts';

/** Advice values as the kernel numbers them (include/uapi/asm-generic/mman-common.h). */
export const ADVICE_VALUE: Readonly<Record<Advice, number>> = { cold: 20, pageout: 21 };
/** MADV_NOHUGEPAGE: never back the range with transparent huge pages. */
export const MADV_NOHUGEPAGE = 15;

/** The system calls hintbench issues by number. */
export type SyscallName = 'pidfd_open' | 'process_madvise' | 'madvise' | 'seccomp';

/** Syscall numbers per Node architecture name (arch/x86/entry/syscalls, include/uapi/asm-generic/unistd.h). */
export const SYSCALL_NUMBERS: Readonly<Record<string, Readonly<Record<SyscallName, number>>>> = {
  x64: { pidfd_open: 434, process_madvise: 440, madvise: 28, seccomp: 317 },
  arm64: { pidfd_open: 434, process_madvise: 440, madvise: 233, seccomp: 277 },
};

/** Number of a system call on this machine's architecture; throws HintbenchError on other architectures. */
export function syscallNumber(name: SyscallName, arch: string = process.arch): number {
  const table = SYSCALL_NUMBERS[arch];
  if (table === undefined) {
    throw new HintbenchError(
      `${name}: architecture ${arch} is not supported (hintbench knows x64 and arm64 syscall numbers)`,
      'run hintbench on an x86_64 or aarch64 Linux machine',
    );
  }
  return table[name];
}

/**
 * libc `long syscall(long number, ...)`. Pass each argument as a (koffi type, value) pair,
 * e.g. `syscall(nr, 'int', pid, 'unsigned int', 0)`. Returns -1 and sets errno on failure.
 */
export const syscall: (nr: number, ...typedArgs: unknown[]) => number = libc.func('long syscall(long nr, ...)');
