/**
 * Sample fields that say what the target's state did to a hint (the `throttled`,
 * `contended`, `frozen` and `traced` target states, docs/claims.md): when the memory was
 * actually freed, how much the target was throttled or kept waiting meanwhile, what the
 * injector had to undo (a frozen cgroup thawed and re-frozen), and whether a tracer already
 * attached to the target survived the hint. Null where they do not apply.
 */
import { z } from 'zod';
import { countAdded, type FamilyFields, metric, nsAdded, plain } from './fields.ts';

/** The target-state fields. */
export const TARGET_STATE_FIELDS = {
  freedNs: metric(
    nsAdded,
    'ns',
    'lower-is-better',
    "time from the start of the hint until the target's RSS had dropped by 90 % of the bytes hinted (/proc/PID/statm polled every ms from the hint's start, during an asynchronous hint such as ptrace's); null for COLD, the baseline, or when it did not drop within 10 s",
  ),
  throttledPeriods: metric(
    countAdded,
    null,
    'none',
    "CFS periods in which the target's CPU cgroup was throttled, from the start of the hint until the memory was freed (cpu.stat nr_throttled delta; throttled state only)",
  ),
  throttledNs: metric(
    nsAdded,
    'ns',
    'none',
    "time the target's CPU cgroup spent throttled over the same span (cpu.stat throttled_time / throttled_usec delta; throttled state only)",
  ),
  targetRunDelayNs: metric(nsAdded, 'ns', 'none', "time the target's threads waited on a runqueue over the same span (schedstat wait delta, all threads)"),
  injectorThawedCgroups: plain(
    countAdded,
    null,
    'cgroups the ptrace injector thawed for the injection and froze again before the detach (0 for process_madvise, which works on a frozen target)',
  ),
  injectorThawNs: metric(nsAdded, 'ns', 'lower-is-better', "time the target's cgroup stayed thawed for the injection, thaw to re-freeze (ptrace into a frozen target only)"),
  foreignTracerPid: plain(countAdded, null, 'pid of the tracer (strace) already attached to the target (traced state only)'),
  foreignTracerIntact: plain(
    z.boolean().nullable().default(null),
    null,
    'after the hint the foreign tracer was alive and still attached to every thread of the target, and the target alive (traced state only)',
  ),
} as const satisfies FamilyFields;
