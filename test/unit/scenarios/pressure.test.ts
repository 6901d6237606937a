import { describe, expect, it } from 'vitest';
import { stoppingOption } from '../../../bench/commands/run.ts';
import { RUNTIME_MIB } from '../../../bench/pressure/config.ts';
import { PRESSURE_SUITE_BUDGET_MS, builtinSuite } from '../../../bench/scenarios/builtin.ts';
import { expandPressure, pressureScenarioId, type PressureMatrix } from '../../../bench/scenarios/pressure.ts';
import { parseSuiteFile, readSuiteFile } from '../../../bench/scenarios/suite-file.ts';
import { fileURLToPath } from 'node:url';
import { ScenarioSchema } from '../../../core/schema/results.ts';
import { errorOf } from '../../helpers/errors.ts';

const matrix: PressureMatrix = {
  strategies: ['none', 'cold_cold_set', 'pageout_cold_set', 'pageout_all', 'memory_reclaim'],
  mechanisms: ['process_madvise', 'ptrace'],
  selfDeliveries: ['self_madvise', 'self_process_madvise'],
  hot: { kind: 'anon', content: 'random', sizeMiB: 32 },
  cold: { kind: 'anon', content: 'random', sizeMiB: 96 },
  modes: ['limit', 'balloon'],
  limitMiB: null,
  balloonLimitMiB: null,
  balloonMiB: null,
  repetitions: 3,
};

describe('pressure scenarios', () => {
  it('expand strategies x (mechanisms + self deliveries) per mode, none and memory_reclaim once, with stable readable ids', () => {
    const scenarios = expandPressure(matrix);
    // per mode: none + memory_reclaim + 3 hinting strategies x (2 mechanisms + 2 self deliveries)
    expect(scenarios).toHaveLength(2 * (2 + 3 * 4));
    const ids = scenarios.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]).toBe('pressure/none/none/hot-anon-random-32MiB+cold-anon-random-96MiB/limit-120MiB');
    expect(ids).toContain('pressure/pageout_cold_set/ptrace/hot-anon-random-32MiB+cold-anon-random-96MiB/limit-120MiB');
    expect(ids).toContain('pressure/cold_cold_set/self_process_madvise/hot-anon-random-32MiB+cold-anon-random-96MiB/limit-120MiB');
    expect(ids).toContain('pressure/memory_reclaim/memory.reclaim/hot-anon-random-32MiB+cold-anon-random-96MiB/limit-120MiB');
    // balloon mode: the limit has room for the working set (64 + 32 + 96 + 32), the balloon is the cold set's size by default
    expect(ids).toContain('pressure/pageout_all/process_madvise/hot-anon-random-32MiB+cold-anon-random-96MiB/balloon-96MiB-limit-224MiB');
    for (const s of scenarios) {
      expect(ScenarioSchema.safeParse(s).success).toBe(true);
      expect(s.id).toBe(pressureScenarioId(s.pressure!, s.mechanism));
      expect(s.memory.sizeMiB).toBe(128);
      expect(s.repetitions).toBe(3);
    }
    const self = scenarios.filter((s) => s.pressure!.delivery !== 'external');
    expect(self.every((s) => s.mechanism === 'none' && s.advice !== 'none')).toBe(true);
    const reclaim = scenarios.find((s) => s.pressure!.strategy === 'memory_reclaim')!;
    expect(reclaim.mechanism).toBe('none');
    expect(reclaim.advice).toBe('none');
    expect(scenarios.find((s) => s.pressure!.strategy === 'cold_cold_set')!.advice).toBe('cold');
    expect(scenarios.find((s) => s.pressure!.strategy === 'pageout_all')!.advice).toBe('pageout');
  });

  it('ids do not change with the order of the axes', () => {
    const a = expandPressure(matrix).map((s) => s.id);
    const b = expandPressure({ ...matrix, mechanisms: ['ptrace', 'process_madvise'], modes: ['balloon', 'limit'] }).map((s) => s.id);
    expect([...b].sort()).toEqual([...a].sort());
  });

  it.each<[Partial<PressureMatrix>, RegExp, RegExp]>([
    [{ limitMiB: RUNTIME_MIB - 1 }, /^field pressure\.limitMiB 63 is below the 64 MiB the workload needs to start/, /raise field pressure\.limitMiB to at least 96/],
    [
      { hot: { kind: 'anon', content: 'random', sizeMiB: 200 }, limitMiB: 150 },
      /^field pressure\.hot\.sizeMiB 200 MiB does not fit under field pressure\.limitMiB 150/,
      /hot set of at most 86 MiB/,
    ],
    [{ limitMiB: 192 }, /^field pressure\.limitMiB 192 leaves room for the whole working set \(192 MiB with the runtime\)/, /below 192/],
    [{ modes: ['balloon'], balloonLimitMiB: 150 }, /^field pressure\.balloonLimitMiB 150 is below the working set/, /at least 192/],
    [{ modes: ['balloon'], balloonLimitMiB: 400, balloonMiB: 8 }, /^field pressure\.balloonMiB 8 fits in the 208 MiB/, /above 144 MiB/],
  ])('refuses sizes that cannot work, naming the field: %j', (over, message, fix) => {
    const err = errorOf(() => expandPressure({ ...matrix, ...over }));
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('\n');
    expect(err.fix).toMatch(fix);
  });
});

describe('pressure suites', () => {
  it('the built-in pressure suite: 14 scenarios on a 32 + 96 MiB anon working set under a 120 MiB limit, with a default time budget', () => {
    const suite = builtinSuite('pressure');
    expect(suite.scenarios).toHaveLength(14);
    expect(suite.defaultTimeBudgetMs).toBe(PRESSURE_SUITE_BUDGET_MS);
    expect(suite.scenarios.every((s) => s.pressure?.mode === 'limit' && s.pressure.limitMiB === 120)).toBe(true);
    expect(new Set(suite.scenarios.map((s) => s.pressure!.delivery))).toEqual(new Set(['external', 'self_madvise', 'self_process_madvise']));
    expect(builtinSuite('pressure', { repetitions: 2 }).scenarios.every((s) => s.repetitions === 2)).toBe(true);
  });

  it('runs under its default budget unless the command line says how long', () => {
    const suite = builtinSuite('pressure');
    expect(stoppingOption({}, suite, undefined)).toEqual({ minReps: 6, maxReps: null, timeBudgetMs: PRESSURE_SUITE_BUDGET_MS, targetHalfWidth: 0.025 });
    expect(stoppingOption({ 'time-budget': '90s' }, suite, undefined).timeBudgetMs).toBe(90_000);
    expect(stoppingOption({}, builtinSuite('pressure', { repetitions: 2 }), 2)).toEqual({ minReps: 2, maxReps: 2, timeBudgetMs: null, targetHalfWidth: null });
    // Suites without one keep their fixed count.
    expect(stoppingOption({}, builtinSuite('smoke'), undefined).timeBudgetMs).toBeNull();
  });

  it('suite file: a pressure field alone makes a suite; with memories, both families', () => {
    const only = parseSuiteFile(JSON.stringify({ pressure: { hot: { sizeMiB: 8 }, cold: { sizeMiB: 24 } }, repetitions: 2 }), 'p.json');
    expect(only.scenarios.map((s) => s.id)).toEqual([
      'pressure/none/none/hot-anon-random-8MiB+cold-anon-random-24MiB/limit-78MiB',
      'pressure/cold_cold_set/process_madvise/hot-anon-random-8MiB+cold-anon-random-24MiB/limit-78MiB',
      'pressure/pageout_cold_set/process_madvise/hot-anon-random-8MiB+cold-anon-random-24MiB/limit-78MiB',
      'pressure/pageout_all/process_madvise/hot-anon-random-8MiB+cold-anon-random-24MiB/limit-78MiB',
    ]);
    const both = parseSuiteFile(JSON.stringify({ memories: [{ sizeMiB: 4 }], pressure: { strategies: ['none'], hot: { sizeMiB: 8 }, cold: { sizeMiB: 24 } } }), 'b.json');
    expect(both.scenarios.filter((s) => s.pressure === undefined)).toHaveLength(3);
    expect(both.scenarios.filter((s) => s.pressure !== undefined)).toHaveLength(1);
  });

  it('the example of docs/suites.md expands: limit and balloon, external and self deliveries', () => {
    const suite = readSuiteFile(fileURLToPath(new URL('../../../docs/examples/pressure-small.json', import.meta.url)));
    expect(suite.name).toBe('pressure-small');
    expect(suite.scenarios.map((s) => s.id.replace(/^pressure\//, ''))).toEqual([
      'none/none/hot-anon-random-8MiB+cold-anon-random-24MiB/limit-78MiB',
      'pageout_cold_set/process_madvise/hot-anon-random-8MiB+cold-anon-random-24MiB/limit-78MiB',
      'pageout_cold_set/self_madvise/hot-anon-random-8MiB+cold-anon-random-24MiB/limit-78MiB',
      'none/none/hot-anon-random-8MiB+cold-anon-random-24MiB/balloon-16MiB-limit-128MiB',
      'pageout_cold_set/process_madvise/hot-anon-random-8MiB+cold-anon-random-24MiB/balloon-16MiB-limit-128MiB',
      'pageout_cold_set/self_madvise/hot-anon-random-8MiB+cold-anon-random-24MiB/balloon-16MiB-limit-128MiB',
    ]);
  });

  it.each([
    [{ pressure: { hot: { sizeMiB: 8 }, cold: { sizeMiB: 24 }, limitMiB: 8 } }, /field pressure\.limitMiB 8 is below the 64 MiB the workload needs to start/],
    [{ pressure: { hot: { sizeMiB: 100 }, cold: { sizeMiB: 24 }, limitMiB: 120 } }, /field pressure\.hot\.sizeMiB 100 MiB does not fit under field pressure\.limitMiB 120/],
    [
      { pressure: { hot: { sizeMiB: 8, kind: 'huge' }, cold: { sizeMiB: 24 } } },
      /field pressure\.hot\.kind must be one of anon, file_private, file_shared, shmem, memfd, thp, got "huge"/,
    ],
    [{ pressure: { hot: { sizeMiB: 8 }, cold: { sizeMiB: 24 }, strategies: ['lru'] } }, /field pressure\.strategies\[0\] must be one of none, cold_cold_set/],
    [{ pressure: { hot: { sizeMiB: 8 }, cold: { sizeMiB: 24 }, mode: 'limit' } }, /field pressure\.mode is not a known field/],
    [{ pressure: { hot: { sizeMiB: 8 } } }, /field pressure\.cold/],
    [
      { pressure: { hot: { sizeMiB: 8 }, cold: { sizeMiB: 24 }, selfDeliveries: ['madvise'] } },
      /field pressure\.selfDeliveries\[0\] must be one of self_madvise, self_process_madvise/,
    ],
    [{ repetitions: 2 }, /field memories is missing, and so are fleets, vectored, race and pressure/],
  ])('suite file errors are one line naming the file and the field: %j', (bad, message) => {
    const err = errorOf(() => parseSuiteFile(JSON.stringify(bad), 'suites/p.json'));
    expect(err.message).toMatch(/^suite file suites\/p\.json: /);
    expect(err.message).toMatch(message);
    expect(`${err.message} ${err.fix}`).not.toContain('\n');
  });
});
