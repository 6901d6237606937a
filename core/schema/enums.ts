/**
 * The enumerations of hintbench, declared once: the schemas, the types, the CLI's option
 * checks and help, the suite files and the reports all take their values from here.
 */
import { z } from 'zod';

/** Memory hints hintbench delivers. */
export const ADVICES = ['cold', 'pageout'] as const;
/** Ways a hint reaches the target: from outside by pidfd, injected by ptrace, or not at all (the baseline). */
export const MECHANISMS = ['process_madvise', 'ptrace', 'none'] as const;
/** The mechanisms that deliver a hint (all but the baseline). */
export const HINT_MECHANISMS = ['process_madvise', 'ptrace'] as const;
/** Page content a workload writes: same-filled, incompressible, or about half compressible. */
export const CONTENTS = ['zero', 'random', 'mixed'] as const;
/**
 * Kinds of mapping a workload creates: private anonymous (4 KiB pages); a private read-only
 * mapping of a file's clean page cache; a shared writable file mapping left dirty (reclaim
 * needs writeback); shared anonymous memory (shmem, as on tmpfs); a memfd; private anonymous
 * memory in transparent huge pages (MADV_HUGEPAGE).
 */
export const MEMORY_KINDS = ['anon', 'file_private', 'file_shared', 'shmem', 'memfd', 'thp'] as const;
/**
 * What the target does while it is hinted: busy on a CPU; idle; stopped by SIGSTOP; frozen by
 * the cgroup freezer; idle in a CPU cgroup of its own with a low quota; idle at nice 19,
 * confined to one CPU that a CPU hog also uses; idle under strace.
 */
export const TARGET_STATES = ['running', 'sleeping', 'stopped', 'frozen', 'throttled', 'contended', 'traced'] as const;
/** How a scenario ended. */
export const SCENARIO_STATUSES = ['ok', 'partial', 'failed', 'interrupted'] as const;

/** True when `value` is one of `values` (narrows its type). */
export function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}

export const AdviceSchema = z.enum(ADVICES);
export const MechanismSchema = z.enum(MECHANISMS);
export const HintMechanismSchema = z.enum(HINT_MECHANISMS);
export const ContentSchema = z.enum(CONTENTS);
export const MemoryKindSchema = z.enum(MEMORY_KINDS);
export const TargetStateSchema = z.enum(TARGET_STATES);
export const ScenarioStatusSchema = z.enum(SCENARIO_STATUSES);

/** A memory hint hintbench can deliver. */
export type Advice = z.infer<typeof AdviceSchema>;
/** How a hint reaches the target. */
export type MechanismName = z.infer<typeof MechanismSchema>;
/** Page content a workload writes. */
export type Content = z.infer<typeof ContentSchema>;
/** What kind of mapping a workload creates. */
export type MemoryKind = z.infer<typeof MemoryKindSchema>;
/** What the target is doing while it is hinted. */
export type TargetState = z.infer<typeof TargetStateSchema>;
/** How a scenario ended (see ScenarioResult.status). */
export type ScenarioStatus = z.infer<typeof ScenarioStatusSchema>;
