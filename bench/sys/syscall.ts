/** Re-export for the ptrace modules, which still import this path: remove once they import core/sys/syscall.ts. */
export * from '../../core/sys/syscall.ts';
