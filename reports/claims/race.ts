/**
 * Claim 4 of the claims table (docs/claims-race.md): the process_madvise patch's Q.2, "if
 * the target process can run between the time the process_madvise process inspects the
 * target process address space and the time that process_madvise is actually called,
 * process_madvise may operate on memory regions that the calling process does not expect",
 * and its remedy, "the calling process can suspend the target process with ptrace, SIGSTOP,
 * or the freezer cgroup". Judged per mechanism from the race family's samples
 * (core/metrics/race.ts):
 *
 * - the race exists: the 95 % median CI of mis-hinted bytes per hint without a remedy lies
 *   above 0;
 * - a remedy removes it: the median CI of its mis-hinted bytes is [0, 0] and the
 *   Hodges-Lehmann shift (no remedy minus remedy) has its CI above 0;
 * - its cost: the median CI of the target's stall (raceStallNs).
 *
 * Supported when, for every mechanism in the run, the race exists and every remedy removes
 * it; not supported when, for some mechanism, no race is seen (the no-remedy CI is [0, 0])
 * or a remedy leaves one (its CI lies above 0); inconclusive otherwise (intervals that
 * straddle, too few samples for a 95 % interval, a remedy or the baseline missing).
 */
import { hodgesLehmann } from '../../core/stats/hodges-lehmann.ts';
import { type MedianCi, medianCi } from '../../core/stats/median-ci.ts';
import type { RunResult, Sample, ScenarioResult } from '../../core/types.ts';
import type { RaceRemedy } from '../../core/schema/race.ts';
import type { ClaimEvaluator, ClaimRow, ClaimVerdict } from './types.ts';

/** Confidence of every interval of the row. */
const CONFIDENCE = 0.95;

/** What one remedy did for one mechanism. */
export interface RemedyFinding {
  remedy: Exclude<RaceRemedy, 'none'>;
  scenarioId: string;
  misHinted: MedianCi | null;
  /** Hodges-Lehmann shift of mis-hinted bytes, no remedy minus this remedy. */
  shiftLower: number | null;
  shiftUpper: number | null;
  stall: MedianCi | null;
  /** removed, left (CI above 0) or unclear. */
  outcome: 'removed' | 'left' | 'unclear';
}

/** The race and its remedies for one mechanism. */
export interface MechanismFinding {
  mechanism: string;
  baselineId: string | null;
  race: MedianCi | null;
  /** exists (CI above 0), absent (CI [0, 0]) or unclear. */
  raceOutcome: 'exists' | 'absent' | 'unclear';
  remedies: RemedyFinding[];
}

/** Mis-hinted bytes (or another race field) of the measured samples with a value. */
function values(samples: readonly Sample[], field: 'raceMisHintedBytes' | 'raceStallNs'): number[] {
  return samples.filter((s) => !s.warmUp && s[field] !== null).map((s) => s[field] as number);
}

/** A median CI that is usable for a verdict: it exists and reaches its confidence. */
function solid(ci: MedianCi | null): ci is MedianCi {
  return ci?.meetsConfidence === true;
}

/** The findings for each mechanism with race scenarios in the run. */
export function raceFindings(run: RunResult): MechanismFinding[] {
  const race = run.scenarios.filter((r): r is ScenarioResult & { scenario: { race: NonNullable<ScenarioResult['scenario']['race']> } } => r.scenario.race !== undefined);
  const mechanisms = [...new Set(race.map((r) => r.scenario.mechanism))];
  return mechanisms.map((mechanism) => {
    const mine = race.filter((r) => r.scenario.mechanism === mechanism);
    const baseline = mine.find((r) => r.scenario.race.remedy === 'none') ?? null;
    const base = baseline === null ? [] : values(baseline.samples, 'raceMisHintedBytes');
    const raceCi = medianCi(base, CONFIDENCE);
    const raceOutcome = !solid(raceCi) ? 'unclear' : raceCi.lower > 0 ? 'exists' : raceCi.upper === 0 ? 'absent' : 'unclear';
    const remedies = mine
      .filter((r) => r.scenario.race.remedy !== 'none')
      .map((r): RemedyFinding => {
        const mis = values(r.samples, 'raceMisHintedBytes');
        const misCi = medianCi(mis, CONFIDENCE);
        const shift = base.length > 0 && mis.length > 0 ? hodgesLehmann(base, mis, CONFIDENCE) : null;
        const usable = solid(misCi) && shift?.meetsConfidence === true;
        const outcome = !usable ? 'unclear' : misCi.lower > 0 ? 'left' : misCi.upper === 0 && shift.lower > 0 ? 'removed' : 'unclear';
        return {
          remedy: r.scenario.race.remedy as RemedyFinding['remedy'],
          scenarioId: r.scenario.id,
          misHinted: misCi,
          shiftLower: shift?.lower ?? null,
          shiftUpper: shift?.upper ?? null,
          stall: medianCi(values(r.samples, 'raceStallNs'), CONFIDENCE),
          outcome,
        };
      });
    return { mechanism, baselineId: baseline?.scenario.id ?? null, race: raceCi, raceOutcome, remedies };
  });
}

/** `median [lower, upper]` with a scale and unit. */
function ciText(ci: MedianCi | null, divisor: number, unit: string, decimals = 0): string {
  if (ci === null) return 'no samples';
  const f = (v: number): string => (v / divisor).toFixed(decimals);
  return `${f(ci.median)} ${unit} [${f(ci.lower)}, ${f(ci.upper)}]${ci.meetsConfidence ? '' : ` (n = ${ci.n}, below 95 %)`}`;
}

/** The verdict of the findings and the rule that gave it. */
export function raceVerdict(findings: readonly MechanismFinding[]): { verdict: ClaimVerdict; why: string } {
  const absent = findings.filter((f) => f.raceOutcome === 'absent');
  const left = findings.flatMap((f) => f.remedies.filter((r) => r.outcome === 'left').map((r) => `${r.remedy} with ${f.mechanism}`));
  if (absent.length > 0)
    return { verdict: 'not supported', why: `without a remedy the 95 % CI of mis-hinted bytes is [0, 0] for ${absent.map((f) => f.mechanism).join(', ')}: no race seen` };
  if (left.length > 0) return { verdict: 'not supported', why: `the 95 % CI of mis-hinted bytes lies above 0 with ${left.join(', ')}: that remedy does not close the race` };
  const complete = findings.length > 0 && findings.every((f) => f.raceOutcome === 'exists' && f.remedies.length > 0 && f.remedies.every((r) => r.outcome === 'removed'));
  if (complete)
    return {
      verdict: 'supported',
      why: 'for every mechanism the 95 % CI of mis-hinted bytes without a remedy lies above 0, and with each remedy it is [0, 0] with a Hodges-Lehmann shift CI above 0',
    };
  const missing =
    findings.length === 0
      ? ['no race scenarios']
      : findings.flatMap((f) => [
          ...(f.raceOutcome === 'exists' ? [] : [`the race with ${f.mechanism} (${f.raceOutcome})`]),
          ...f.remedies.filter((r) => r.outcome !== 'removed').map((r) => `${r.remedy} with ${f.mechanism}`),
        ]);
  return { verdict: 'inconclusive', why: `intervals do not decide: ${missing.join(', ')}` };
}

/** The evaluator of claim 4 (race). */
export const raceEvaluator: ClaimEvaluator = {
  id: 'race',
  evaluate(run: RunResult): ClaimRow | null {
    const findings = raceFindings(run);
    if (findings.length === 0) return null;
    const { verdict, why } = raceVerdict(findings);
    const sample = run.scenarios.find((r) => r.scenario.race !== undefined)!.scenario.race!;
    const result = findings
      .map((f) => {
        const remedies = f.remedies.map((r) => `${r.remedy}: ${ciText(r.misHinted, 1024, 'KiB')} mis-hinted, stall ${ciText(r.stall, 1e6, 'ms', 1)}`).join('; ');
        return `${f.mechanism}: no remedy ${ciText(f.race, 1024, 'KiB')} mis-hinted per hint${remedies === '' ? '' : `; ${remedies}`}`;
      })
      .join('. ');
    return {
      id: 'race',
      claim: 'Q.2: the address space can change between inspecting it and hinting it; the caller closes the race by suspending the target (ptrace, SIGSTOP or the freezer cgroup)',
      method: `a churn workload maps and unmaps regions (${sample.churn.slots} slots, ${sample.churn.opsPerSec} ops/s, ${sample.churn.minKiB}-${sample.churn.maxKiB} KiB); the caller reads /proc/PID/maps, waits ${sample.delayUs / 1000} ms and hints what it read; mis-hinted bytes (the mapping read was gone) are judged from the workload's log, without and with each remedy, medians with 95 % CIs`,
      result,
      verdict,
      why,
      scenarioIds: run.scenarios.filter((r) => r.scenario.race !== undefined).map((r) => r.scenario.id),
    };
  },
};
