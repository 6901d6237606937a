/** The churn workload's command line (workloads/churn.ts), checked against the race family's churn schema. */
import { parseArgs } from 'node:util';
import { ChurnSpecSchema, type ChurnSpec } from '../core/schema/race.ts';

/** Parsed command line of the churn workload. */
export interface ChurnOptions {
  spec: ChurnSpec;
  /** Seed of its choices of slot and length. */
  seed: number;
}

/** Parses `--slots N --ops-per-sec R --min-kib A --max-kib B [--seed S]`; throws an Error naming the flag. */
export function parseChurnOptions(argv: string[]): ChurnOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      slots: { type: 'string' },
      'ops-per-sec': { type: 'string' },
      'min-kib': { type: 'string' },
      'max-kib': { type: 'string' },
      seed: { type: 'string', default: '1' },
    },
    strict: true,
  });
  const raw = { slots: Number(values.slots), opsPerSec: Number(values['ops-per-sec']), minKiB: Number(values['min-kib']), maxKiB: Number(values['max-kib']) };
  const parsed = ChurnSpecSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? '');
    const flag = { slots: '--slots', opsPerSec: '--ops-per-sec', minKiB: '--min-kib', maxKiB: '--max-kib' }[field] ?? field;
    throw new Error(`${flag} ${issue.message} (got ${JSON.stringify(values[flag.slice(2) as keyof typeof values] ?? null)})`);
  }
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  return { spec: parsed.data, seed };
}
