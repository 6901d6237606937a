/** Re-export for the ptrace modules, which still import this path: remove once they import core/stats/summary.ts. */
export * from '../../core/stats/summary.ts';
