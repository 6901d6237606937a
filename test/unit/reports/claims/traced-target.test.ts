import { describe, expect, it } from 'vitest';
import { tracedTarget } from '../../../../reports/claims/traced-target.ts';
import type { Sample } from '../../../../core/types.ts';
import { addScenario, emptyRun } from './synthetic.ts';

const BYTES = 16 * 2 ** 20;
const refused: Partial<Sample> = {
  bytesRequested: BYTES,
  bytesAdvised: 0,
  errors: ['EPERM: thread 5 of pid 5 is already traced by pid 9 (PTRACE_SEIZE: EPERM)'],
  foreignTracerIntact: true,
  dataIntact: true,
};
const advised: Partial<Sample> = { bytesRequested: BYTES, bytesAdvised: BYTES, errors: [], foreignTracerIntact: true, dataIntact: true };

function run(pt: Array<Partial<Sample>>, pm: Array<Partial<Sample>>) {
  const r = emptyRun();
  addScenario(r, 'process_madvise', 'traced', pm);
  addScenario(r, 'ptrace', 'traced', pt);
  return r;
}

describe('traced-target', () => {
  it('is supported when ptrace fails cleanly every time, process_madvise works and the tracer survives', () => {
    const row = tracedTarget.evaluate(run(Array(6).fill(refused), Array(6).fill(advised)));
    expect(row?.verdict).toBe('supported');
    expect(row?.result).toMatch(/6\/6 \(95 % CI 54–100 %\)/);
    expect(row?.result).toMatch(/already traced by pid 9/);
  });

  it('is not supported when ptrace injected into a traced target', () => {
    expect(tracedTarget.evaluate(run([...Array(5).fill(refused), advised], Array(6).fill(advised)))?.verdict).toBe('not supported');
  });

  it('is inconclusive when the tracer was harmed', () => {
    expect(tracedTarget.evaluate(run(Array(6).fill(refused), [...Array(5).fill(advised), { ...advised, foreignTracerIntact: false }]))?.verdict).toBe('inconclusive');
  });

  it('is inconclusive with too few samples for the interval to clear one half', () => {
    expect(tracedTarget.evaluate(run(Array(5).fill(refused), Array(5).fill(advised)))?.verdict).toBe('inconclusive');
  });
});
