/**
 * Claim 1: "the callee is usually limited in cpuset/cgroups ... so they can't act by
 * themselves quick enough". The experiment hints PAGEOUT into an idle target that is
 * `throttled` (a CPU cgroup with a 10 % quota) or `contended` (one CPU shared with a hog, at
 * nice 19), and into the same target unconstrained (`sleeping`), by process_madvise (the
 * caller does the work) and by ptrace injection (the target does). The figure is freedNs, the
 * time until the target's RSS has dropped.
 *
 * Verdict, per constrained state present: supported when both 95 % CIs lie above 1 for the
 * ratio ptrace / process_madvise in that state and for ptrace constrained / ptrace sleeping;
 * not supported when the first CI lies below 1, or the second one does and process_madvise is
 * not slower either; otherwise inconclusive. The row is supported when every state present is,
 * not supported when any is, else inconclusive.
 */
import type { RunResult, ScenarioResult, TargetState } from '../../core/types.ts';
import { fmtNs, idsOf, medianOrNull, type RatioFinding, ratioCi, ratioText, values, findScenario } from './common.ts';
import type { ClaimEvaluator, ClaimRow, ClaimVerdict } from './types.ts';

/** The constrained states this claim is judged in. */
export const CONSTRAINED_STATES = ['throttled', 'contended'] as const satisfies readonly TargetState[];

/** The judgement in one constrained state. */
export interface StateJudgement {
  state: (typeof CONSTRAINED_STATES)[number];
  verdict: ClaimVerdict;
  /** ptrace / process_madvise freedNs in the constrained state. */
  mechanisms: RatioFinding | null;
  /** ptrace constrained / ptrace sleeping freedNs. */
  ptraceSlowdown: RatioFinding | null;
  /** process_madvise constrained / process_madvise sleeping freedNs. */
  pmSlowdown: RatioFinding | null;
  text: string;
  ids: string[];
}

function payers(r: ScenarioResult | undefined): string {
  return `caller CPU ${fmtNs(medianOrNull(values(r, 'callerCpuNs')))}, target CPU ${fmtNs(medianOrNull(values(r, 'targetCpuNs')))}`;
}

/** Judges one constrained state; null when the run lacks its PAGEOUT scenarios. */
export function judgeState(run: RunResult, state: StateJudgement['state']): StateJudgement | null {
  const pm = findScenario(run, 'process_madvise', 'pageout', state);
  const pt = findScenario(run, 'ptrace', 'pageout', state);
  if (pm === undefined || pt === undefined) return null;
  const pmFree = findScenario(run, 'process_madvise', 'pageout', 'sleeping');
  const ptFree = findScenario(run, 'ptrace', 'pageout', 'sleeping');
  const mechanisms = ratioCi(values(pt, 'freedNs'), values(pm, 'freedNs'));
  const ptraceSlowdown = ratioCi(values(pt, 'freedNs'), values(ptFree, 'freedNs'));
  const pmSlowdown = ratioCi(values(pm, 'freedNs'), values(pmFree, 'freedNs'));
  const latency = ratioCi(values(pt, 'userLatencyNs'), values(pm, 'userLatencyNs'));
  let verdict: ClaimVerdict = 'inconclusive';
  if (mechanisms?.side === 'above' && ptraceSlowdown?.side === 'above') verdict = 'supported';
  else if (mechanisms?.side === 'below' || (ptraceSlowdown?.side === 'below' && pmSlowdown?.side !== 'above')) verdict = 'not supported';
  const throttled =
    state === 'throttled'
      ? `; the target's cgroup was throttled in ${medianOrNull(values(pt, 'throttledPeriods')) ?? '–'} periods (median, ptrace) for ${fmtNs(medianOrNull(values(pt, 'throttledNs')))}`
      : '';
  const waited = state === 'contended' ? `; the target waited ${fmtNs(medianOrNull(values(pt, 'targetRunDelayNs')))} for its CPU (median, ptrace)` : '';
  const text =
    `${state}: memory freed after ${fmtNs(medianOrNull(values(pm, 'freedNs')))} via process_madvise (${payers(pm)}) and ${fmtNs(medianOrNull(values(pt, 'freedNs')))} via ptrace (${payers(pt)}); ` +
    `freed ptrace / process_madvise ${ratioText(mechanisms)} (hint latency ${fmtNs(medianOrNull(values(pm, 'userLatencyNs')))} vs ${fmtNs(medianOrNull(values(pt, 'userLatencyNs')))}, ratio ${ratioText(latency)}); ptrace ${state} / sleeping ${ratioText(ptraceSlowdown)}; process_madvise ${state} / sleeping ${ratioText(pmSlowdown)}${throttled}${waited} → ${verdict}`;
  return { state, verdict, mechanisms, ptraceSlowdown, pmSlowdown, text, ids: idsOf(pm, pt, pmFree, ptFree) };
}

/** Claim 1's evaluator. */
export const constrainedCallee: ClaimEvaluator = {
  id: 'constrained-callee',
  evaluate(run: RunResult): ClaimRow | null {
    const judged = CONSTRAINED_STATES.map((s) => judgeState(run, s)).filter((j): j is StateJudgement => j !== null);
    if (judged.length === 0) return null;
    const verdict: ClaimVerdict = judged.every((j) => j.verdict === 'supported')
      ? 'supported'
      : judged.some((j) => j.verdict === 'not supported')
        ? 'not supported'
        : 'inconclusive';
    return {
      id: 'constrained-callee',
      claim:
        "\"The callee is usually limited in cpuset/cgroups ... so they can't act by themselves quick enough\": a hint the target must execute itself (ptrace injection) is slowed by the target's CPU limits, one executed in the caller's context (process_madvise) is not.",
      method: `PAGEOUT of an idle target ${judged.map((j) => j.state).join(' and ')} (10 % CFS quota; one CPU shared with a hog at nice 19) and unconstrained (sleeping), by process_madvise and ptrace; figure: time until the target's RSS dropped (freedNs), with who paid (caller / target CPU).`,
      result: judged.map((j) => j.text).join(' | '),
      verdict,
      why: 'per state: supported when the 95 % CIs of ptrace / process_madvise and of ptrace constrained / sleeping both lie above 1; not supported when ptrace / process_madvise lies below 1; the row is supported only when every state is',
      scenarioIds: [...new Set(judged.flatMap((j) => j.ids))],
    };
  },
};
