import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseHintLine, parseStallLine } from '../../../bpf/events.ts';
import { PROBE_SCRIPTS, SCRIPT_TRACEPOINTS, joinScripts, mapErrorLocations, readScript, scriptForLine } from '../../../bpf/scripts.ts';

/** The script text without its comments. */
const code = (text: string): string => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');

describe('the shipped scripts', () => {
  for (const name of PROBE_SCRIPTS) {
    const text = readScript(name);
    it(`${name}.bt starts with a header naming what it measures, probes, output and an example`, () => {
      expect(text.startsWith('/*')).toBe(true);
      const header = text.slice(0, text.indexOf('*/'));
      for (const section of ['MEASURES', 'PROBES', 'KERNEL NOTES', 'OUTPUT', 'EXAMPLE']) expect(header).toContain(section);
    });

    it(`${name}.bt has no BEGIN/END, no kprobe/kfunc, and only @hb_ maps`, () => {
      const body = code(text);
      expect(body).not.toMatch(/^\s*(BEGIN|END)\b/m);
      expect(body).not.toMatch(/\b(kprobe|kretprobe|kfunc|kretfunc|fentry|fexit):/);
      const maps = [...body.matchAll(/@([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
      expect(maps.length).toBeGreaterThan(0);
      expect(maps.every((m) => m.startsWith('hb_'))).toBe(true);
    });

    it(`${name}.bt uses no probe list (bpftrace 0.17 cannot load one beside another probe on the same tracepoint)`, () => {
      expect(code(text)).not.toMatch(/^[a-z]+:[^\n{]*,\s*$/m);
    });

    it(`${name}.bt attaches to exactly the tracepoints listed for it`, () => {
      const found = [...new Set([...code(text).matchAll(/tracepoint:([a-z0-9_]+):([a-z0-9_]+)/g)].map((m) => `${m[1]}/${m[2]}`))].sort();
      expect(found).toEqual([...SCRIPT_TRACEPOINTS[name]].sort());
    });
  }

  it('no two scripts share a map name', () => {
    const owner = new Map<string, string>();
    for (const name of PROBE_SCRIPTS) {
      for (const m of new Set([...code(readScript(name)).matchAll(/@([A-Za-z0-9_]+)/g)].map((x) => x[1]!))) {
        expect(owner.get(m), `@${m} in ${name}`).toBeUndefined();
        owner.set(m, name);
      }
    }
  });

  it('the example lines in the headers parse', () => {
    // The OUTPUT section shows the format with <placeholders>; the EXAMPLE line must parse.
    const examples = (name: 'hint-latency' | 'stall', tag: string): string[] =>
      readScript(name)
        .split('\n')
        .filter((l) => new RegExp(`^\\s*\\*\\s+${tag} `).test(l))
        .map((l) => l.replace(/^\s*\*\s*/, ''));
    const hints = examples('hint-latency', 'hint')
      .map(parseHintLine)
      .filter((h) => h !== null);
    expect(hints).toHaveLength(1);
    expect(hints[0]).toMatchObject({ syscall: 'process_madvise', behavior: 21, reclaimedPages: 65536 });
    const stalls = examples('stall', 'stall')
      .map(parseStallLine)
      .filter((s) => s !== null);
    expect(stalls).toHaveLength(1);
    expect(stalls[0]).toMatchObject({ state: 'traced', durationNs: 15873 });
  });
});

describe('joinScripts', () => {
  const fake: Record<string, string> = {
    'hint-latency': '/* a */\n#define A 1\nprobe:a { }\n',
    stall: '#define B 2\n#define A 1\nprobe:b {\n}\n',
  };
  const joined = joinScripts(['hint-latency', 'stall'], (n) => fake[n]!);

  it('hoists #define lines, once each, before every probe', () => {
    const lines = joined.program.split('\n');
    expect(lines.slice(0, 2)).toEqual(['#define A 1', '#define B 2']);
    expect(lines.filter((l) => l.startsWith('#define'))).toHaveLength(2);
  });

  it('records where each script sits, keeping its own line numbers', () => {
    expect(joined.sections).toEqual([
      { name: 'hint-latency', firstLine: 3, lastLine: 5 },
      { name: 'stall', firstLine: 6, lastLine: 9 },
    ]);
    const lines = joined.program.split('\n');
    expect(lines[joined.sections[1]!.firstLine + 2 - 1]).toBe('probe:b {');
    expect(scriptForLine(joined.sections, 8)).toEqual({ name: 'stall', line: 3 });
    expect(scriptForLine(joined.sections, 1)).toBeNull();
  });

  it('maps bpftrace error locations back to the script', () => {
    expect(mapErrorLocations('/tmp/x/probes.bt:8:1-5: ERROR: syntax error', '/tmp/x/probes.bt', joined.sections)).toBe('bpf/stall.bt:3:1-5: ERROR: syntax error');
  });

  it('refuses an empty or repeated selection', () => {
    expect(() => joinScripts([], (n) => fake[n]!)).toThrow(/no script/);
    expect(() => joinScripts(['stall', 'stall'], (n) => fake[n]!)).toThrow(/twice/);
  });

  it('joins the real scripts into one program with every probe once', () => {
    const all = joinScripts(PROBE_SCRIPTS);
    const body = code(all.program);
    // each script attaches its own probes: a tracepoint appears once per script using it
    const users = (tp: string): number => PROBE_SCRIPTS.filter((n) => SCRIPT_TRACEPOINTS[n].includes(tp)).length;
    expect(body.match(/^tracepoint:sched:sched_switch$/gm)).toHaveLength(users('sched/sched_switch'));
    expect(body.match(/^tracepoint:tlb:tlb_flush$/gm)).toHaveLength(1);
    expect(body.match(/^software:major-faults:1$/gm)).toHaveLength(2); // refaults.bt, refault-latency.bt
    const firstProbe = body.split('\n').findIndex((l) => /^[a-z]+:/.test(l));
    const lastDefine = body
      .split('\n')
      .map((l) => l.startsWith('#define'))
      .lastIndexOf(true);
    expect(lastDefine).toBeLessThan(firstProbe);
    expect(readFileSync(new URL('../../../bpf/stall.bt', import.meta.url), 'utf8')).toContain('#define HB_TASK_TRACED 8');
  });
});
