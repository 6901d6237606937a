/** Re-export for the ptrace modules, which still import this path: remove once they import core/sys/libc.ts. */
export * from '../../core/sys/libc.ts';
