/**
 * Claim "the central daemon hints many processes" (the patch's Q.1: a system daemon, not the
 * apps, decides what to reclaim, and must act on many cached apps by itself). Judged from the
 * fleet scenarios (core/schema/fleet.ts): for each advice, cached state and fleet shape, the
 * time the daemon spends per app with process_madvise against ptrace injection, the apps
 * of every sample pooled (Hodges-Lehmann shift, 95 % CI).
 *
 * Verdict: supported when in every pair process_madvise's per-app time is shorter (the shift's
 * interval lies below 0) and every app of every fleet kept its data; not supported when in
 * some pair it is longer (interval above 0); inconclusive otherwise (an interval across 0 or
 * short of 95 %, lost data, or no pair).
 */
import type { RunResult, ScenarioResult } from '../../core/types.ts';
import { formatBytes, formatDurationNs } from '../units.ts';
import { measured, medianText, shiftOf, shiftText, sideOf, type ShiftSide, valuesOf } from './ci-text.ts';
import type { ClaimEvaluator, ClaimRow, ClaimVerdict } from './types.ts';

/** Id of the claim. */
export const FLEET_CLAIM_ID = 'central-daemon-fleet';

/** The two mechanisms' scenarios of one fleet shape, advice and state. */
interface FleetPair {
  label: string;
  pm: ScenarioResult;
  pt: ScenarioResult;
}

/** Pairs the fleet scenarios that differ only in mechanism. */
function fleetPairs(run: RunResult): FleetPair[] {
  const fleets = run.scenarios.filter((r) => r.scenario.fleet !== undefined && r.status !== 'failed');
  const key = (r: ScenarioResult): string => JSON.stringify([r.scenario.advice, r.scenario.targetState, r.scenario.memory, r.scenario.fleet]);
  const pairs: FleetPair[] = [];
  for (const pm of fleets.filter((r) => r.scenario.mechanism === 'process_madvise')) {
    const pt = fleets.find((r) => r.scenario.mechanism === 'ptrace' && key(r) === key(pm));
    if (pt === undefined) continue;
    const f = pm.scenario.fleet!;
    pairs.push({ label: `${pm.scenario.advice.toUpperCase()}, ${f.apps} x ${pm.scenario.memory.sizeMiB} MiB ${pm.scenario.targetState}`, pm, pt });
  }
  return pairs;
}

/** Per-app hint times of every measured fleet of a scenario. */
function perApp(r: ScenarioResult, pick: (s: { fleetAppHintNs: number[] | null; fleetAppStallNs: number[] | null }) => number[] | null): number[] {
  return measured(r).flatMap((s) => pick(s) ?? []);
}

/** Apps that did not keep their data, and what was left behind, over the measured fleets. */
function integrity(r: ScenarioResult): { lost: number; apps: number; leftBehind: number } {
  const ms = measured(r);
  return {
    apps: ms.reduce((n, s) => n + (s.fleetApps ?? 0), 0),
    lost: ms.reduce((n, s) => n + (s.fleetApps ?? 0) - (s.fleetAppsIntact ?? 0), 0),
    leftBehind: ms.reduce((n, s) => n + (s.fleetLeftBehind?.length ?? 0), 0),
  };
}

const ns = formatDurationNs;
const rate = (v: number): string => `${formatBytes(v)}/s`;

/** One pair's result sentence. */
function pairText(p: FleetPair, side: ShiftSide): string {
  const hint = shiftOf(
    perApp(p.pm, (s) => s.fleetAppHintNs),
    perApp(p.pt, (s) => s.fleetAppHintNs),
  );
  const figures = (r: ScenarioResult): string =>
    [
      `fleet ${medianText(
        valuesOf(r, (s) => s.fleetTotalNs),
        ns,
      )}`,
      `freed ${medianText(
        valuesOf(r, (s) => s.fleetFreedPerSecondBytes),
        rate,
      )}`,
      `daemon CPU ${medianText(
        valuesOf(r, (s) => s.fleetCallerCpuNs),
        ns,
      )}`,
      `apps' CPU ${medianText(
        valuesOf(r, (s) => s.fleetAppsCpuNs),
        ns,
      )}`,
      `per-app stall median ${medianText(
        perApp(r, (s) => s.fleetAppStallNs),
        ns,
      )}, max ${ns(Math.max(0, ...perApp(r, (s) => s.fleetAppStallNs)))}`,
    ].join('; ');
  return `${p.label} (${side}): per app process_madvise - ptrace ${shiftText(hint, ns)}; process_madvise: ${figures(p.pm)}; ptrace: ${figures(p.pt)}`;
}

/** The claim's row from the fleet scenarios of a run, or null when it has no pair. */
function evaluate(run: RunResult): ClaimRow | null {
  const pairs = fleetPairs(run);
  if (pairs.length === 0) return null;
  const sides = pairs.map((p) =>
    sideOf(
      shiftOf(
        perApp(p.pm, (s) => s.fleetAppHintNs),
        perApp(p.pt, (s) => s.fleetAppHintNs),
      ),
    ),
  );
  const checks = pairs.flatMap((p) => [integrity(p.pm), integrity(p.pt)]);
  const lost = checks.reduce((n, c) => n + c.lost, 0);
  const apps = checks.reduce((n, c) => n + c.apps, 0);
  const leftBehind = checks.reduce((n, c) => n + c.leftBehind, 0);
  let verdict: ClaimVerdict;
  let why: string;
  if (lost > 0 || leftBehind > 0) {
    verdict = 'inconclusive';
    why = `${lost} of ${apps} apps lost data and ${leftBehind} things were left behind: the fleets did not run cleanly`;
  } else if (sides.some((s) => s === 'above')) {
    verdict = 'not supported';
    why = "in some pair the 95 % CI of process_madvise's per-app time minus ptrace's lies above 0: injection was faster per app";
  } else if (sides.every((s) => s === 'below')) {
    verdict = 'supported';
    why = `in every pair the 95 % CI of process_madvise's per-app time minus ptrace's lies below 0, and all ${apps} apps kept their data`;
  } else {
    verdict = 'inconclusive';
    why = 'in some pair the 95 % CI of the per-app shift reaches across 0 or falls short of 95 % (too few apps)';
  }
  return {
    id: FLEET_CLAIM_ID,
    claim: 'A centralized daemon (Android\'s ActivityManagerService) must be able to initiate reclaim of many apps on its own, "without any app involvement" (Q.1).',
    method:
      'Fleets of apps started at once, frozen or stopped as cached apps, compacted one after another by one daemon with process_madvise and with ptrace-injected madvise; the per-app time of every app pooled per scenario and compared with a Hodges-Lehmann shift; totals, memory freed per second, daemon and app CPU and per-app stall as medians with 95 % CIs.',
    result: pairs.map((p, i) => pairText(p, sides[i]!)).join(' | '),
    verdict,
    why,
    scenarioIds: pairs.flatMap((p) => [p.pm.scenario.id, p.pt.scenario.id]),
  };
}

/** The fleet claim's evaluator. */
export const fleetClaim: ClaimEvaluator = { id: FLEET_CLAIM_ID, evaluate };
