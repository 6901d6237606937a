/**
 * Claim 2: "... or even freezed state so they can't act by themselves quick enough". The
 * experiment hints PAGEOUT into a target frozen by the cgroup freezer, by process_madvise
 * (works on the frozen target as it is) and by ptrace injection (the injector must thaw the
 * target's cgroup, let it run the madvise, and freeze it again). Figures: how many cgroups
 * the injector thawed and for how long (injectorThawNs), the target's CPU time, and freedNs.
 *
 * Verdict: supported when the injector had to thaw the target in every ptrace sample while
 * process_madvise never did, and the 95 % CIs of freedNs ptrace / process_madvise (frozen) and
 * ptrace frozen / ptrace sleeping both lie above 1 (the frozen state itself slowed the
 * injection, beyond what injection costs anyway); not supported when either CI lies below 1 or
 * no ptrace sample needed a thaw; otherwise inconclusive.
 */
import type { RunResult } from '../../core/types.ts';
import { findScenario, fmtNs, idsOf, measured, medianOrNull, ratioCi, ratioText, values } from './common.ts';
import type { ClaimEvaluator, ClaimRow, ClaimVerdict } from './types.ts';

/** Claim 2's evaluator. */
export const frozenCallee: ClaimEvaluator = {
  id: 'frozen-callee',
  evaluate(run: RunResult): ClaimRow | null {
    const pm = findScenario(run, 'process_madvise', 'pageout', 'frozen');
    const pt = findScenario(run, 'ptrace', 'pageout', 'frozen');
    if (pm === undefined || pt === undefined) return null;
    const ptSamples = measured(pt);
    const thawed = ptSamples.filter((s) => (s.injectorThawedCgroups ?? 0) > 0).length;
    const pmThawed = measured(pm).filter((s) => (s.injectorThawedCgroups ?? 0) > 0).length;
    const ratio = ratioCi(values(pt, 'freedNs'), values(pm, 'freedNs'));
    const ptFree = findScenario(run, 'ptrace', 'pageout', 'sleeping');
    const slowdown = ratioCi(values(pt, 'freedNs'), values(ptFree, 'freedNs'));
    let verdict: ClaimVerdict = 'inconclusive';
    if (ptSamples.length > 0 && thawed === ptSamples.length && pmThawed === 0 && ratio?.side === 'above' && slowdown?.side === 'above') verdict = 'supported';
    else if (ratio?.side === 'below' || slowdown?.side === 'below' || (ptSamples.length > 0 && thawed === 0)) verdict = 'not supported';
    const result =
      `ptrace thawed the target's cgroup and froze it again in ${thawed} of ${ptSamples.length} samples, the cgroup staying thawed ${fmtNs(medianOrNull(values(pt, 'injectorThawNs')))} (median) ` +
      `while the target ran ${fmtNs(medianOrNull(values(pt, 'targetCpuNs')))} of CPU; process_madvise thawed nothing in ${measured(pm).length} samples (target CPU ${fmtNs(medianOrNull(values(pm, 'targetCpuNs')))}). ` +
      `Memory freed after ${fmtNs(medianOrNull(values(pm, 'freedNs')))} via process_madvise and ${fmtNs(medianOrNull(values(pt, 'freedNs')))} via ptrace: ptrace / process_madvise ${ratioText(ratio)}; ptrace frozen / sleeping ${ratioText(slowdown)}; ` +
      `caller CPU ${fmtNs(medianOrNull(values(pm, 'callerCpuNs')))} (process_madvise) vs ${fmtNs(medianOrNull(values(pt, 'callerCpuNs')))} (ptrace tracer).`;
    return {
      id: 'frozen-callee',
      claim:
        '"... or even freezed state so they can\'t act by themselves quick enough": a frozen target cannot execute an injected madvise without being thawed; process_madvise works on it frozen.',
      method:
        'PAGEOUT of a target frozen by the cgroup freezer, by process_madvise and by ptrace (which thaws, injects, re-freezes), and of an unfrozen (sleeping) one by ptrace; figures: cgroups thawed, thaw-to-refreeze time, target CPU, time until the RSS dropped (freedNs).',
      result,
      verdict,
      why: 'supported when every ptrace sample needed a thaw, no process_madvise sample did, and the 95 % CIs of freedNs ptrace / process_madvise and ptrace frozen / sleeping both lie above 1; not supported when either lies below 1 or ptrace never needed a thaw',
      scenarioIds: idsOf(pm, pt, ptFree),
    };
  },
};
