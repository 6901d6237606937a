/** Address ranges, the regions a workload maps, and the memory layout a scenario asks for. */
import { z } from 'zod';
import { ContentSchema, MemoryKindSchema } from './enums.ts';

const doc = (description: string) => ({ description });

/** One virtual address range. */
export const AddrRangeSchema = z.object({
  startAddr: z.int().nonnegative().meta(doc('first byte of the range')),
  lengthBytes: z.int().nonnegative().meta(doc('length of the range in bytes (a multiple of the page size)')),
});

/** Parts of a working-set workload's memory: touched during measurement (`hot`) or not (`cold`). */
export const WORKING_SET_ROLES = ['hot', 'cold'] as const;
export const WorkingSetRoleSchema = z.enum(WORKING_SET_ROLES);

/** A region a workload announces: one VMA it mapped and filled. */
export const RegionSchema = AddrRangeSchema.extend({
  kind: MemoryKindSchema.meta(doc('mapping kind')),
  content: ContentSchema.meta(doc('content written into it')),
  role: WorkingSetRoleSchema.optional().meta(doc('working-set workload only: the set the region belongs to')),
});

/** The memory layout of a workload. */
export const MemorySpecSchema = z.object({
  kind: MemoryKindSchema.meta(doc('mapping kind')),
  content: ContentSchema.meta(doc('page content: same-filled, incompressible, ~50 % compressible')),
  sizeMiB: z.number().positive().meta(doc('total size, MiB')),
  vmas: z.int().positive().meta(doc('number of separate VMAs the size is split into')),
});

/** One set of a working-set workload. */
export const WorkingSetPartSchema = z.object({
  kind: MemoryKindSchema.meta(doc('mapping kind')),
  content: ContentSchema.meta(doc('page content')),
  sizeMiB: z.number().positive().meta(doc('size, MiB')),
});

/** The memory of a working-set workload: a hot set it keeps reading and a cold set it leaves alone. */
export const WorkingSetSpecSchema = z.object({
  hot: WorkingSetPartSchema.meta(doc('the set read during measurement')),
  cold: WorkingSetPartSchema.meta(doc('the set left untouched after the fill')),
});
