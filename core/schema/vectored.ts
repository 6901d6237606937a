/**
 * The vectored family of scenarios (docs/claims.md, claim "vectored calls"): one workload with
 * K separate VMAs (the memory spec's `vmas`), hinted over all K ranges either by process_madvise
 * with iovecs of up to UIO_MAXIOV (1024) ranges per call (`vector`: one call for K <= 1024,
 * ceil(K / 1024) calls beyond), by one single-range process_madvise call per range
 * (`per-range` with mechanism process_madvise), or by one ptrace injection of K madvise calls
 * (`per-range` with mechanism ptrace). A scenario of this family carries a `vectored` spec;
 * its samples fill the fields of core/metrics/vectored.ts.
 */
import { z } from 'zod';

const doc = (description: string) => ({ description });

/** How the K ranges are split into system calls. */
export const VECTORED_CALLS = ['vector', 'per-range'] as const;
export const VectoredCallsSchema = z.enum(VECTORED_CALLS);
/** How the K ranges are split into system calls. */
export type VectoredCalls = z.infer<typeof VectoredCallsSchema>;

/** Names of the three ways of hinting K ranges in suite files: process_madvise with iovecs, K single-range process_madvise calls, one ptrace injection of K madvise calls. */
export const VECTORED_MODE_NAMES = ['vector', 'per-range', 'inject'] as const;
export const VectoredModeNameSchema = z.enum(VECTORED_MODE_NAMES);
/** A way of hinting K ranges, as suite files name it. */
export type VectoredModeName = z.infer<typeof VectoredModeNameSchema>;

/** The vectored part of a scenario. */
export const VectoredSpecSchema = z.object({
  ranges: z.int().min(1).meta(doc('K: ranges hinted, one per VMA of the workload (equals memory.vmas)')),
  calls: VectoredCallsSchema.meta(
    doc('`vector`: iovecs of up to 1024 ranges per process_madvise call; `per-range`: one system call per range (process_madvise, or madvise injected by ptrace)'),
  ),
});

/** The vectored part of a scenario. */
export type VectoredSpec = z.infer<typeof VectoredSpecSchema>;
