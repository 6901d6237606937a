/** Re-export for the ptrace modules, which still import this path: remove once they import core/sys/mman.ts. */
export * from '../../core/sys/mman.ts';
