/**
 * Sample fields of the vectored family (core/schema/vectored.ts, docs/claims.md): one sample
 * hints K ranges of one workload once. Null in the samples of other families.
 */
import { countAdded, type FamilyFields, metric, nsAdded, plain } from './fields.ts';

/** The vectored family's fields. */
export const VECTORED_FIELDS = {
  vectoredRanges: plain(countAdded, null, 'K: ranges hinted (one per VMA)'),
  vectoredPerRangeNs: metric(
    nsAdded,
    'ns',
    'lower-is-better',
    'userLatencyNs / K: wall time of the hint per range (process_madvise: the calls only; ptrace: seize to detach of the one injection of K madvise calls)',
    {
      display: { label: 'per range (ns)', divisor: 1, decimals: 0 },
      compared: true,
    },
  ),
  vectoredCallerCpuPerRangeNs: metric(nsAdded, 'ns', 'lower-is-better', 'callerCpuNs / K: CPU of the hinting thread per range'),
} as const satisfies FamilyFields;
