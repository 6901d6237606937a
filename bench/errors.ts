/** Moved to core/errors.ts; this re-export goes once the ptrace modules import core directly. */
export * from '../core/errors.ts';
