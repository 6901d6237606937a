/**
 * Suite files (docs/suites.md): the axes of a suite as JSON. Unknown fields are errors (a typo
 * must not silently change what is measured); defaults fill what is left out.
 */
import { z } from 'zod';
import { ADVICES, AdviceSchema, CONTENTS, ContentSchema, HINT_MECHANISMS, HintMechanismSchema, MEMORY_KINDS, MemoryKindSchema, TargetStateSchema } from './enums.ts';
import { FLEET_STATES, MAX_FLEET_APPS } from './fleet.ts';
import { PRESSURE_MODES, PRESSURE_STRATEGIES, PressureModeSchema, PressureStrategySchema } from './pressure.ts';
import { ChurnSpecSchema, MAX_RACE_DELAY_US, RACE_REMEDIES, RaceRemedySchema } from './race.ts';
import { VECTORED_MODE_NAMES, VectoredModeNameSchema } from './vectored.ts';

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

/** Samples per scenario of a family section; the suite's `repetitions` when left out. */
const sectionRepetitions = z.int().min(1).max(MAX_REPETITIONS).meta({ description: "samples per scenario (default: the suite's repetitions)" }).optional();

/** The fleet experiment of a suite file (docs/claims.md): one scenario per state, mechanism and advice. */
export const SuiteFleetSchema = z.strictObject({
  apps: z
    .int()
    .min(1)
    .max(MAX_FLEET_APPS)
    .meta({ description: 'apps per fleet', fix: `use 1 to ${MAX_FLEET_APPS}` })
    .default(4),
  appSizeMiB: z.int().min(1).max(MAX_SIZE_MIB).meta({ description: 'memory of one app, MiB', fix: 'e.g. 16 (MiB)' }).default(16),
  contents: z
    .array(ContentSchema)
    .min(1)
    .meta({ description: 'content of app i is contents[i mod length]', fix: `a list of ${CONTENTS.join(', ')}` })
    .default(['random', 'mixed', 'zero']),
  states: z
    .array(z.enum(FLEET_STATES))
    .min(1)
    .meta({ description: 'cached states the apps are put in', fix: `a list of ${FLEET_STATES.join(', ')}` })
    .default(['frozen']),
  mechanisms: z
    .array(HintMechanismSchema)
    .min(1)
    .meta({ description: 'who compacts the fleet', fix: `a list of ${HINT_MECHANISMS.join(', ')}` })
    .default([...HINT_MECHANISMS]),
  advices: z
    .array(AdviceSchema)
    .min(1)
    .meta({ description: 'the hints', fix: `a list of ${ADVICES.join(', ')}` })
    .default([...ADVICES]),
  repetitions: sectionRepetitions,
});

/** The vectored-calls experiment of a suite file (docs/claims.md): one scenario per K, advice and mode. */
export const SuiteVectoredSchema = z.strictObject({
  ranges: z
    .array(z.int().min(1).max(MAX_VMAS))
    .min(1)
    .meta({ description: 'the values of K (ranges, one VMA each)', fix: `a list of integers 1..${MAX_VMAS}, e.g. [1, 64, 1024, 4096]` })
    .default([1, 64, 1024, 4096]),
  rangeKiB: z
    .int()
    .min(4)
    .max(1024 * 1024)
    .refine((v) => v % 4 === 0, { message: 'must be a multiple of the 4 KiB page' })
    .meta({ description: 'size of each range, KiB', fix: 'a multiple of the 4 KiB page, e.g. 4' })
    .default(4),
  content: ContentSchema.meta({ description: 'page content' }).default('random'),
  advices: z
    .array(AdviceSchema)
    .min(1)
    .meta({ description: 'the hints', fix: `a list of ${ADVICES.join(', ')}` })
    .default(['cold']),
  modes: z
    .array(VectoredModeNameSchema)
    .min(1)
    .meta({ description: 'how the K ranges are hinted', fix: `a list of ${VECTORED_MODE_NAMES.join(', ')}` })
    .default([...VECTORED_MODE_NAMES]),
  repetitions: sectionRepetitions,
});

/** One set of the pressure family's working set. */
export const SuitePressurePartSchema = z.strictObject({
  kind: MemoryKindSchema.meta({ description: 'mapping kind of the set', fix: `use one of ${MEMORY_KINDS.join(', ')}` }).default('anon'),
  content: ContentSchema.meta({ description: 'page content of the set' }).default('random'),
  sizeMiB: z.int().min(1).max(MAX_SIZE_MIB).meta({ description: 'size of the set', fix: 'e.g. 32 (MiB)' }),
});

/** The cooperative deliveries: the workload hints itself. */
export const SelfDeliverySchema = z.enum(['self_madvise', 'self_process_madvise']);

const sizeMiB = (description: string) => z.int().min(1).max(MAX_SIZE_MIB).meta({ description, fix: 'e.g. 128 (MiB)' }).optional();

/** The pressure family of a suite file (docs/lab.md): strategies on a hot/cold working set under a memory cgroup limit. */
export const SuitePressureSchema = z.strictObject({
  strategies: z
    .array(PressureStrategySchema)
    .min(1)
    .meta({ description: 'hint strategies', fix: `use some of ${PRESSURE_STRATEGIES.join(', ')}` })
    .default(['none', 'cold_cold_set', 'pageout_cold_set', 'pageout_all']),
  mechanisms: z.array(HintMechanismSchema).min(1).meta({ description: 'how the hinting strategies are delivered from outside' }).default(['process_madvise']),
  selfDeliveries: z.array(SelfDeliverySchema).meta({ description: 'the hinting strategies also delivered by the workload itself (cooperative baselines)' }).default([]),
  hot: SuitePressurePartSchema.meta({ description: 'the set the workload keeps reading', fix: 'e.g. {"sizeMiB": 32}' }),
  cold: SuitePressurePartSchema.meta({ description: 'the set it leaves alone', fix: 'e.g. {"sizeMiB": 96}' }),
  modes: z
    .array(PressureModeSchema)
    .min(1)
    .meta({ description: 'how pressure is made', fix: `use some of ${PRESSURE_MODES.join(', ')}` })
    .default(['limit']),
  limitMiB: sizeMiB('limit mode: the limit after the hint (default 64 MiB runtime + hot + cold / 4)'),
  balloonLimitMiB: sizeMiB('balloon mode: the fixed limit (default 64 MiB runtime + hot + cold + 32)'),
  balloonMiB: sizeMiB('balloon mode: memory the balloon allocates (default the cold set size)'),
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
export const SuiteFileSchema = z
  .strictObject({
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
      .meta({
        description: 'one workload layout each (hint family; optional when fleets, vectored, race or pressure is given)',
        fix: 'give memories, e.g. [{"sizeMiB": 64, "content": "random"}], or a fleets, vectored, race or pressure section (docs/suites.md)',
      })
      .optional(),
    targetStates: z.array(TargetStateSchema).min(1).meta({ description: 'what the target does while hinted' }).default(['sleeping']),
    baseline: z.boolean().meta({ description: 'add the `none` mechanism (same phases, no hint)' }).default(true),
    repetitions: z.int().min(1).max(MAX_REPETITIONS).meta({ description: 'samples per scenario (`--reps` overrides)' }).default(5),
    fleets: z.array(SuiteFleetSchema).min(1).meta({ description: 'fleet experiments (docs/claims.md)', fix: 'e.g. [{"apps": 6, "appSizeMiB": 16}]' }).optional(),
    vectored: SuiteVectoredSchema.meta({ description: 'the vectored-calls experiment (docs/claims.md)', fix: 'e.g. {"ranges": [1, 1024]}' }).optional(),
    race: SuiteRaceSchema.meta({ description: 'race scenarios (docs/claims-race.md) for each mechanism and advice' }).optional(),
    pressure: SuitePressureSchema.meta({ description: 'pressure-family scenarios (docs/lab.md)', fix: 'e.g. {"hot": {"sizeMiB": 16}, "cold": {"sizeMiB": 48}}' }).optional(),
  })
  .superRefine((f, ctx) => {
    if (f.memories === undefined && f.fleets === undefined && f.vectored === undefined && f.race === undefined && f.pressure === undefined)
      ctx.addIssue({ code: 'custom', path: ['memories'], message: 'is missing, and so are fleets, vectored, race and pressure: the suite would have no scenario' });
  });

/** A suite file as read, defaults applied. */
export type SuiteFile = z.output<typeof SuiteFileSchema>;
