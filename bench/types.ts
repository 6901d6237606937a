/** Re-export for the ptrace modules, which still import this path: remove once they import core/types.ts. */
export * from '../core/types.ts';
export { ADVICE_VALUE } from '../core/sys/syscall.ts';
