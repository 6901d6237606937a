/** Re-export for the ptrace modules, which still import this path: remove once they import core/stats/paired-ratio.ts. */
export * from '../../core/stats/paired-ratio.ts';
export { mulberry32 } from '../../core/stats/random.ts';
