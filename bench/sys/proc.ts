/** Re-export for the ptrace modules, which still import this path: remove once they import core/proc/. */
export * from '../../core/proc/status.ts';
export * from '../../core/proc/stat.ts';
