/** Re-export for the ptrace modules, which still import this path: remove once they import core/sys/errno.ts. */
export * from '../../core/sys/errno.ts';
