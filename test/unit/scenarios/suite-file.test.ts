import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  SuiteFileSchema,
  SuiteFleetSchema,
  SuiteMemorySchema,
  SuitePressurePartSchema,
  SuitePressureSchema,
  SuiteRaceSchema,
  SuiteVectoredSchema,
} from '../../../core/schema/suite-file.ts';
import { HintbenchError } from '../../../core/errors.ts';
import { builtinSuite, resolveSuite } from '../../../bench/scenarios/builtin.ts';
import { parseSuiteFile } from '../../../bench/scenarios/suite-file.ts';

const ok = {
  name: 'thp-probe',
  mechanisms: ['process_madvise', 'ptrace'],
  advices: ['pageout'],
  memories: [{ sizeMiB: 32, content: 'mixed', vmas: 8 }, { sizeMiB: 4 }],
  targetStates: ['sleeping', 'frozen'],
  repetitions: 2,
};

describe('suite files', () => {
  it('expands the matrix with defaults, baseline included', () => {
    const suite = parseSuiteFile(JSON.stringify(ok), 'x.json');
    expect(suite.name).toBe('thp-probe');
    // 2 memories x 2 states x (1 baseline + 2 mechanisms x 1 advice)
    expect(suite.scenarios).toHaveLength(12);
    expect(suite.scenarios[0]!.id).toBe('none/none/anon-mixed-32MiB-8vma/sleeping');
    expect(suite.scenarios.find((s) => s.memory.sizeMiB === 4)!.memory).toEqual({ kind: 'anon', content: 'random', sizeMiB: 4, vmas: 1 });
    expect(suite.scenarios.every((s) => s.repetitions === 2)).toBe(true);
  });
  it('takes the name from the file name when none is given, and checks it', () => {
    const { name: _n, ...rest } = ok;
    expect(parseSuiteFile(JSON.stringify(rest), '/tmp/my-suite.json').name).toBe('my-suite');
    expect(() => parseSuiteFile(JSON.stringify(rest), '/tmp/my suite.json')).toThrow(/suite file \/tmp\/my suite\.json: file name "my suite" cannot name the suite/);
  });
  it('has every field of the schema documented in docs/suites.md', () => {
    const doc = readFileSync(new URL('../../../docs/suites.md', import.meta.url), 'utf8');
    const documented = [...doc.matchAll(/^\| `([\w.[\]]+)`/gm)].map((m) => m[1]!);
    const fields = [
      ...Object.keys(SuiteFileSchema.shape),
      ...Object.keys(SuiteMemorySchema.shape).map((k) => `memories[].${k}`),
      ...Object.keys(SuiteFleetSchema.shape).map((k) => `fleets[].${k}`),
      ...Object.keys(SuiteVectoredSchema.shape).map((k) => `vectored.${k}`),
      ...Object.keys(SuitePressureSchema.shape).map((k) => `pressure.${k}`),
      ...Object.keys(SuitePressurePartSchema.shape).map((k) => `pressure.hot.${k}`),
      ...Object.keys(SuiteRaceSchema.shape).map((k) => `race.${k}`),
    ];
    expect(documented.sort()).toEqual(fields.sort());
  });
  it.each([
    [{ ...ok, advices: ['willneed'] }, /field advices\[0\] must be one of cold, pageout, got "willneed"/, /cold, pageout/],
    [{ ...ok, memories: [{ sizeMiB: 0 }] }, /field memories\[0\]\.sizeMiB must be an integer from 1 to 65536, got 0/, /e\.g\. 1/],
    [{ ...ok, memories: [{ sizeMiB: 1, vmas: 300 }] }, /memories\[0\]\.vmas is 300, more than the 256 pages/, /fewer VMAs/],
    [
      { ...ok, memories: [{ sizeMiB: 8, kind: 'file' }] },
      /field memories\[0\]\.kind must be one of anon, file_private, file_shared, shmem, memfd, thp, got "file"/,
      /use one of anon, file_private/,
    ],
    [{ ...ok, targetStates: [] }, /field targetStates must be a non-empty list, got \[\]/, /allowed: running, sleeping, stopped, frozen/],
    [{ ...ok, repetitons: 3 }, /field repetitons is not a known field/, /known fields here: name, description/],
    [{ ...ok, name: 'a b' }, /field name must be letters, digits, dot, dash and underscore \(at most 64\), got "a b"/, /letters, digits/],
    [{ ...ok, memories: [] }, /field memories must be a non-empty list, got \[\]/, /sizeMiB/],
    [
      { name: 'r' },
      /field memories is missing, and so are fleets, vectored, race and pressure: the suite would have no scenario/,
      /or a fleets, vectored, race or pressure section/,
    ],
    [{ ...ok, race: { remedies: ['sigkill'] } }, /field race\.remedies\[0\] must be one of none, sigstop, freezer, ptrace_stop, got "sigkill"/, /none, sigstop/],
    [{ ...ok, race: { delaysUs: [-1] } }, /field race\.delaysUs\[0\] must be an integer from 0 to 10000000, got -1/, /µs/],
    [{ ...ok, race: { churn: { slots: 4, opsPerSec: 10, minKiB: 64, maxKiB: 16 } } }, /field race\.churn\.minKiB is 64, more than maxKiB 16/, /suites\.md/],
    [{ ...ok, race: { delayUs: [1] } }, /field race\.delayUs is not a known field/, /delaysUs, remedies, churn/],
  ])('names the file and the field: %j', (bad, message, fix) => {
    let err: unknown;
    try {
      parseSuiteFile(JSON.stringify(bad), 'suites/bad.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HintbenchError);
    expect((err as HintbenchError).message).toMatch(/^suite file suites\/bad\.json: /);
    expect((err as HintbenchError).message).toMatch(message);
    expect((err as HintbenchError).fix).toMatch(fix);
  });
  it('expands a race block over the mechanisms and advices, without ptrace + ptrace_stop', () => {
    const suite = parseSuiteFile(JSON.stringify({ mechanisms: ['process_madvise', 'ptrace'], advices: ['cold'], repetitions: 7, race: { delaysUs: [0, 5000] } }), 'r.json');
    // 2 delays x (4 remedies with process_madvise + 3 with ptrace); no memories, so no hint scenarios.
    expect(suite.scenarios).toHaveLength(14);
    expect(suite.scenarios.every((s) => s.race !== undefined && s.repetitions === 7 && s.advice === 'cold')).toBe(true);
    expect(suite.scenarios.some((s) => s.mechanism === 'ptrace' && s.race?.remedy === 'ptrace_stop')).toBe(false);
    expect(suite.scenarios[0]!.id).toBe('race/process_madvise/cold/none/delay0us-16x16-64KiB-500ops');
    const both = parseSuiteFile(JSON.stringify({ ...ok, race: { remedies: ['none'] } }), 'b.json');
    expect(both.scenarios.filter((s) => s.race === undefined)).toHaveLength(parseSuiteFile(JSON.stringify(ok), 'o.json').scenarios.length);
  });
  it('rejects broken JSON and missing files with the path', () => {
    expect(() => parseSuiteFile('{"name": ', 'b.json')).toThrow(/suite file b\.json is not valid JSON/);
    expect(() => resolveSuite('/nonexistent/suite.json')).toThrow(/cannot read suite file \/nonexistent\/suite\.json/);
  });
  it('resolves built-in names and applies a repetitions override', () => {
    expect(resolveSuite('smoke').scenarios).toEqual(builtinSuite('smoke').scenarios);
    expect(resolveSuite('smoke', { repetitions: 7 }).scenarios.every((s) => s.repetitions === 7)).toBe(true);
  });
});

describe('built-in suites', () => {
  it('default: both mechanisms, both advices, running and sleeping, 128 MiB random and 64 MiB zero, baseline, 6 repetitions', () => {
    const s = builtinSuite('default');
    expect(s.scenarios).toHaveLength(20);
    expect(s.scenarios.reduce((n, x) => n + x.repetitions, 0)).toBe(120);
    expect(new Set(s.scenarios.map((x) => x.mechanism))).toEqual(new Set(['none', 'process_madvise', 'ptrace']));
    expect(new Set(s.scenarios.map((x) => x.targetState))).toEqual(new Set(['running', 'sleeping']));
    expect(new Set(s.scenarios.map((x) => `${x.memory.content}-${x.memory.sizeMiB}`))).toEqual(new Set(['random-128', 'zero-64']));
    expect(new Set(s.scenarios.map((x) => x.id)).size).toBe(20);
  });
});

describe('the claims suite', () => {
  it('composes its parts, each scenario with a stable id, and honours --reps', () => {
    const s = builtinSuite('claims');
    const ids = s.scenarios.map((x) => x.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('ptrace/pageout/anon-random-16MiB-1vma/throttled');
    expect(ids).toContain('process_madvise/pageout/anon-random-16MiB-1vma/traced');
    for (const state of ['sleeping', 'throttled', 'contended', 'frozen', 'traced']) expect(s.scenarios.some((x) => x.targetState === state)).toBe(true);
    expect(s.scenarios.find((x) => x.targetState === 'traced')?.repetitions).toBe(6);
    expect(builtinSuite('claims', { repetitions: 2 }).scenarios.every((x) => x.repetitions === 2)).toBe(true);
  });
});

describe('suite files with the claims target states', () => {
  it('accept throttled, contended and traced, and list them among the allowed states', () => {
    const suite = parseSuiteFile(JSON.stringify({ ...ok, targetStates: ['throttled', 'contended', 'traced'] }), 'x.json');
    expect([...new Set(suite.scenarios.map((s) => s.targetState))]).toEqual(['throttled', 'contended', 'traced']);
    expect(suite.scenarios.map((s) => s.id)).toContain('ptrace/pageout/anon-mixed-32MiB-8vma/traced');
    expect(() => parseSuiteFile(JSON.stringify({ ...ok, targetStates: ['cpu-limited'] }), 'x.json')).toThrow(/throttled, contended, traced/);
  });
});
