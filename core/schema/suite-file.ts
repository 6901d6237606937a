/**
 * Suite files (docs/suites.md): the axes of a suite as JSON. Unknown fields are errors (a typo
 * must not silently change what is measured); defaults fill what is left out.
 */
import { z } from 'zod';
import { AdviceSchema, ContentSchema, HintMechanismSchema, MEMORY_KINDS, MemoryKindSchema, TargetStateSchema } from './enums.ts';
import { ChurnSpecSchema, MAX_RACE_DELAY_US, RACE_REMEDIES, RaceRemedySchema } from './race.ts';

/** Largest workload a suite may ask for, in MiB (the machine must also have the memory and swap). */
export const MAX_SIZE_MIB = 64 * 1024;
/** Most repetitions of one scenario (suite files and --reps). */
export const MAX_REPETITIONS = 10_000;
/** Most VMAs one workload may be split into. */
export const MAX_VMAS = 65_000;
/** What a suite name may be: it names the results directory. */
export const SUITE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Pages of 4 KiB in one MiB: a workload has at most one VMA per page. */
const PAGES_PER_MIB = 256;

/** One workload layout of a suite file. */
export const SuiteMemorySchema = z
  .strictObject({
    kind: MemoryKindSchema.meta({ description: 'mapping kind', fix: `use one of ${MEMORY_KINDS.join(', ')}` }).default('anon'),
    content: ContentSchema.meta({ description: 'page content (same-filled, incompressible, ~50 % compressible)' }).default('random'),
    sizeMiB: z.int().min(1).max(MAX_SIZE_MIB).meta({ description: 'total anonymous memory', fix: 'e.g. 1 (MiB)' }),
    vmas: z
      .int()
      .min(1)
      .max(MAX_VMAS)
      .meta({ description: 'number of separate VMAs the size is split into (at most one page each)', fix: 'use fewer VMAs (at most one per page) or more memory' })
      .default(1),
  })
  .superRefine((m, ctx) => {
    if (m.vmas > m.sizeMiB * PAGES_PER_MIB)
      ctx.addIssue({ code: 'custom', path: ['vmas'], message: `is ${m.vmas}, more than the ${m.sizeMiB * PAGES_PER_MIB} pages of ${m.sizeMiB} MiB` });
  });

/** The race block of a suite file: race scenarios over the file's mechanisms and advices (docs/claims-race.md). */
export const SuiteRaceSchema = z.strictObject({
  delaysUs: z
    .array(
      z
        .int()
        .min(0)
        .max(MAX_RACE_DELAY_US)
        .meta({ description: 'delay between the maps read and the hint, µs', fix: `use 0 to ${MAX_RACE_DELAY_US} (µs)` }),
    )
    .min(1)
    .meta({ description: 'delays between the maps read and the hint, µs', fix: 'e.g. [20000]' })
    .default([20_000]),
  remedies: z
    .array(RaceRemedySchema)
    .min(1)
    .meta({ description: 'how the target is held still from the read to the end of the hint', fix: `use some of ${RACE_REMEDIES.join(', ')}` })
    .default([...RACE_REMEDIES]),
  churn: ChurnSpecSchema.meta({ description: 'the churn workload', fix: 'e.g. {"slots": 16, "opsPerSec": 500, "minKiB": 16, "maxKiB": 64}' }).default({
    slots: 16,
    opsPerSec: 500,
    minKiB: 16,
    maxKiB: 64,
  }),
});

/** A suite file. */
export const SuiteFileSchema = z.strictObject({
  name: z
    .string()
    .regex(SUITE_NAME_PATTERN)
    .meta({
      description: 'names the results directory (default: the file name without `.json`)',
      expected: 'letters, digits, dot, dash and underscore (at most 64)',
      fix: 'use letters, digits, dot, dash and underscore (at most 64), it names the results directory',
    })
    .optional(),
  description: z.string().min(1).meta({ description: 'shown by the report' }).optional(),
  mechanisms: z.array(HintMechanismSchema).min(1).meta({ description: 'how hints are delivered' }).default(['process_madvise']),
  advices: z.array(AdviceSchema).min(1).meta({ description: 'the hints' }).default(['cold', 'pageout']),
  memories: z
    .array(SuiteMemorySchema)
    .min(1)
    .meta({ description: 'one workload layout each (hint scenarios); may be left out when `race` is given', fix: 'e.g. [{"sizeMiB": 64, "content": "random"}]' })
    .optional(),
  targetStates: z.array(TargetStateSchema).min(1).meta({ description: 'what the target does while hinted' }).default(['sleeping']),
  baseline: z.boolean().meta({ description: 'add the `none` mechanism (same phases, no hint)' }).default(true),
  repetitions: z.int().min(1).max(MAX_REPETITIONS).meta({ description: 'samples per scenario (`--reps` overrides)' }).default(5),
  race: SuiteRaceSchema.meta({ description: 'race scenarios (docs/claims-race.md) for each mechanism and advice' }).optional(),
});

/** A suite file as read, defaults applied. */
export type SuiteFile = z.output<typeof SuiteFileSchema>;
