import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../../core/channel.ts';
import { classifyStderrLine, meaningfulStderr, parseKeyValueLine, parseLine, parseOutput, splitMapKey, type BpftraceEvent } from '../../../bpf/ndjson.ts';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/bpftrace/${name}`, import.meta.url), 'utf8');

function named<T extends BpftraceEvent['type']>(events: BpftraceEvent[], type: T, name: string): Extract<BpftraceEvent, { type: T }> {
  const ev = events.find((e) => e.type === type && 'name' in e && e.name === name);
  if (ev === undefined) throw new Error(`no ${type} ${name}`);
  return ev as Extract<BpftraceEvent, { type: T }>;
}

describe('parseOutput on captured types.ndjson', () => {
  const events = parseOutput(fixture('types.ndjson'));

  it('skips blank lines and reads attached_probes, printf and time', () => {
    expect(events.some((e) => e.type === 'unparsed')).toBe(false);
    expect(events[0]).toEqual({ type: 'attached_probes', probes: 1 });
    expect(events).toContainEqual({ type: 'printf', text: 'hello 42\n' });
    const time = events.find((e) => e.type === 'time');
    expect(time?.type === 'time' && /^\d\d:\d\d:\d\d\n$/.test(time.text)).toBe(true);
  });

  it('reads a hist with its underflow bucket (no min)', () => {
    const h = named(events, 'hist', '@h');
    expect(h.entries).toHaveLength(1);
    const buckets = h.entries[0]!.value;
    expect(h.entries[0]!.key).toBe('');
    expect(buckets[0]).toEqual({ minValue: null, maxValue: -1, count: 1 });
    expect(buckets[1]).toEqual({ minValue: 0, maxValue: 0, count: 1 });
    expect(buckets.at(-1)).toEqual({ minValue: 64, maxValue: 127, count: 1 });
    expect(buckets.reduce((s, b) => s + b.count, 0)).toBe(4);
  });

  it('reads an lhist with under- and overflow buckets', () => {
    const l = named(events, 'hist', '@l').entries[0]!.value;
    expect(l[0]).toEqual({ minValue: null, maxValue: -1, count: 1 });
    expect(l.at(-1)).toEqual({ minValue: 10, maxValue: null, count: 1 });
    expect(l.find((b) => b.minValue === 2)?.count).toBe(1);
  });

  it('reads a keyed hist', () => {
    expect(named(events, 'hist', '@kh').entries).toEqual([{ key: 'a', value: [{ minValue: 4, maxValue: 7, count: 1 }] }]);
  });

  it('reads avg() and stats() as stats, keyed and not', () => {
    expect(named(events, 'stats', '@avg').entries).toEqual([{ key: '', value: 15 }]);
    expect(named(events, 'stats', '@kavg').entries).toEqual([{ key: '7', value: 4 }]);
    expect(named(events, 'stats', '@st').entries).toEqual([{ key: '', value: { count: 1, average: 7, total: 7 } }]);
  });

  it('reads count/sum/min/max maps and string values', () => {
    expect(named(events, 'map', '@sum').entries).toEqual([{ key: '', value: 5 }]);
    expect(named(events, 'map', '@min').entries).toEqual([{ key: '', value: 3 }]);
    expect(named(events, 'map', '@max').entries).toEqual([{ key: '', value: 9 }]);
    expect(named(events, 'map', '@str').entries).toEqual([{ key: '1', value: 'text' }]);
    expect(named(events, 'map', '@tuple').entries).toEqual([{ key: '3,4', value: [1, -2, 's'] }]);
  });

  it('keeps multi-key map keys comma-joined, as printed', () => {
    expect(named(events, 'map', '@multi').entries).toEqual([{ key: '1234,hbw-retouch', value: 1 }]);
    const comma = named(events, 'map', '@comma').entries[0]!;
    expect(comma.key).toBe('99,a,b');
    expect(splitMapKey(comma.key, 2)).toEqual(['99', 'a,b']);
  });
});

describe('parseLine', () => {
  it('returns null for blank lines and keeps non-JSON lines as unparsed', () => {
    expect(parseLine('')).toBeNull();
    expect(parseLine('   ')).toBeNull();
    expect(parseLine('Attaching 3 probes...')).toEqual({ type: 'unparsed', line: 'Attaching 3 probes...' });
    expect(parseLine('[1,2]')).toEqual({ type: 'unparsed', line: '[1,2]' });
  });

  it('reads lost_events and passes unknown types through', () => {
    expect(parseLine('{"type": "lost_events", "data": {"events": 12}}')).toEqual({ type: 'lost_events', events: 12 });
    expect(parseLine('{"type": "join", "data": "a b"}')).toEqual({ type: 'unknown', rawType: 'join', data: 'a b' });
  });
});

describe('splitMapKey', () => {
  it('gives extra commas to the last key', () => {
    expect(splitMapKey('1234,hbw-retouch', 2)).toEqual(['1234', 'hbw-retouch']);
    expect(splitMapKey('1,2,x,y', 3)).toEqual(['1', '2', 'x,y']);
    expect(splitMapKey('solo', 1)).toEqual(['solo']);
    expect(splitMapKey('nokey', 2)).toEqual(['nokey']);
  });
});

describe('LineSplitter', () => {
  it('yields the same events whatever the chunk boundaries', () => {
    const text = fixture('session.ndjson');
    const whole = parseOutput(text);
    for (const size of [1, 7, 64, 1000]) {
      const s = new LineSplitter();
      const lines: string[] = [];
      for (let i = 0; i < text.length; i += size) lines.push(...s.push(text.slice(i, i + size)));
      lines.push(...s.flush());
      expect(parseOutput(lines.join('\n'))).toEqual(whole);
    }
  });

  it('returns an unterminated last line on flush only', () => {
    const s = new LineSplitter();
    expect(s.push('{"a"')).toEqual([]);
    expect(s.push(':1}\n{"b"')).toEqual(['{"a":1}']);
    expect(s.flush()).toEqual(['{"b"']);
    expect(s.flush()).toEqual([]);
  });
});

describe('stderr', () => {
  it('treats the RLIMIT_MEMLOCK notice as noise although it says ERROR', () => {
    const lines = fixture('session.stderr')
      .split('\n')
      .filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => classifyStderrLine(l) === 'noise')).toBe(true);
    expect(meaningfulStderr(fixture('session.stderr'))).toEqual([]);
  });

  it('keeps a real start-up error', () => {
    const kept = meaningfulStderr(fixture('error.stderr'));
    expect(kept[0]).toMatch(/tracepoint not found: vmscan:no_such_tracepoint/);
    expect(classifyStderrLine(kept[0]!)).toBe('error');
    expect(classifyStderrLine('probes.bt:76:27-29: WARNING: arithmetic on integers of different signs')).toBe('warning');
  });
});

describe('parseKeyValueLine', () => {
  it('reads tag key=value lines and rejects other tags', () => {
    expect(parseKeyValueLine('stall tid=1 state=8\n', 'stall')).toEqual({ tid: '1', state: '8' });
    expect(parseKeyValueLine('hint tid=1', 'stall')).toBeNull();
  });
});
