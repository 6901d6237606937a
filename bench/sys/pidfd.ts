/** Re-export for the ptrace modules, which still import this path: remove once they import core/sys/pidfd.ts. */
export * from '../../core/sys/pidfd.ts';
