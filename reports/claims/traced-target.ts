/**
 * Claim 3: "It doesn't work if the target process are ptraced (e.g., strace, debugger,
 * minidump) because a process can have at most one ptracer." The experiment hints PAGEOUT
 * into a target that strace is already attached to, by ptrace injection and by
 * process_madvise, and checks afterwards that the target and strace are alive and strace
 * still attached (foreignTracerIntact).
 *
 * Verdict: supported when the 95 % Clopper–Pearson interval of ptrace's failure rate (a
 * sample that advised nothing and recorded an `already traced` / EPERM reason) lies above
 * 1/2, the interval of process_madvise's success rate (every byte advised) lies above 1/2, and
 * the tracer was intact after every sample of both; not supported when ptrace succeeded in
 * some sample; otherwise inconclusive.
 */
import { clopperPearson, type ProportionCi } from '../../core/stats/proportion.ts';
import type { RunResult, Sample } from '../../core/types.ts';
import { CLAIM_CONFIDENCE, findScenario, idsOf, measured } from './common.ts';
import type { ClaimEvaluator, ClaimRow, ClaimVerdict } from './types.ts';

/** A ptrace sample that failed cleanly because the target was traced already. */
export function refusedAsTraced(s: Sample): boolean {
  return s.bytesAdvised === 0 && s.errors.some((e) => /already traced|EPERM/.test(e));
}

function pct(p: ProportionCi): string {
  return `${p.successes}/${p.trials} (${CLAIM_CONFIDENCE * 100} % CI ${(p.lower * 100).toFixed(0)}–${(p.upper * 100).toFixed(0)} %)`;
}

/** Claim 3's evaluator. */
export const tracedTarget: ClaimEvaluator = {
  id: 'traced-target',
  evaluate(run: RunResult): ClaimRow | null {
    const pm = findScenario(run, 'process_madvise', 'pageout', 'traced');
    const pt = findScenario(run, 'ptrace', 'pageout', 'traced');
    if (pm === undefined || pt === undefined) return null;
    const ptS = measured(pt);
    const pmS = measured(pm);
    if (ptS.length === 0 || pmS.length === 0) return null;
    const refused = clopperPearson(ptS.filter(refusedAsTraced).length, ptS.length, CLAIM_CONFIDENCE);
    const worked = clopperPearson(pmS.filter((s) => s.bytesAdvised >= s.bytesRequested && s.errors.length === 0).length, pmS.length, CLAIM_CONFIDENCE);
    const all = [...ptS, ...pmS];
    const intact = all.filter((s) => s.foreignTracerIntact === true && s.dataIntact).length;
    const ptSucceeded = ptS.filter((s) => s.bytesAdvised > 0).length;
    let verdict: ClaimVerdict = 'inconclusive';
    if (refused.lower > 0.5 && worked.lower > 0.5 && intact === all.length) verdict = 'supported';
    else if (ptSucceeded > 0) verdict = 'not supported';
    const reason = ptS.flatMap((s) => s.errors).find((e) => /already traced|EPERM/.test(e)) ?? 'none recorded';
    return {
      id: 'traced-target',
      claim: '"It doesn\'t work if the target process are ptraced (e.g., strace, debugger, minidump) because a process can have at most one ptracer."',
      method:
        'PAGEOUT of a target with strace attached to every thread, by ptrace injection and by process_madvise; afterwards: target alive, its data intact, strace alive and still attached.',
      result:
        `ptrace failed cleanly in ${pct(refused)} of samples (reason: ${reason}); process_madvise advised every byte in ${pct(worked)}; ` +
        `target and tracer intact after ${intact} of ${all.length} samples.`,
      verdict,
      why: "supported when the 95 % CIs of ptrace's clean-failure rate and of process_madvise's success rate both lie above 50 % and the target and its tracer were intact after every sample; not supported when ptrace injected into a traced target",
      scenarioIds: idsOf(pm, pt),
    };
  },
};
